"""«Informe de avance del PLADECO» made as a person makes it (``sit report avance``): the PDF's text
carries the figures of ``sit evaluation --json --cut ID``, a hostile name prints as typed, the xlsx
annex lists every initiative with formulas neutralised, and the pages render (looked at)."""

from __future__ import annotations

import io
import json

import pypdf
import pypdfium2
import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine

from geo.domain import FUNDING_LINE_SOURCES, STATUSES
from geo.evaluation.tables import pct
from geo.investment.labels import NO_AMOUNTS, money
from geo.store.evaluation import close_cut, create_cut
from geo.store.initiatives import InitiativeChange, save_initiatives
from tests.conftest import run_sit, set_up_database
from tests.support.actors import TESTER
from tests.support.evaluation import hand_portfolio

HOSTILE = '=HYPERLINK("http://x") #panic("x") $x$ *b* {{ 7*7 }}'


@pytest.fixture(scope="module")
def world():
    url = set_up_database("report_avance")
    engine = create_engine(url)
    with engine.begin() as conn:
        a, b, c = hand_portfolio(conn)
        save_initiatives(conn, TESTER, [InitiativeChange(values={"name": HOSTILE}, id=b["id"])])
    cut = create_cut(engine, TESTER, "31-12-2015", "Cuenta Pública 2016")
    close_cut(engine, TESTER, cut)
    engine.dispose()
    return url, cut, (a, b, c)


def page_text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_says_what_sit_evaluation_says(world, tmp_path):
    url, cut, (a, b, c) = world
    data = json.loads(run_sit("evaluation", "--json", "--cut", str(cut), url=url).stdout)
    out = tmp_path / "informe.pdf"
    made = run_sit("report", "avance", "--cut", str(cut), "--out", str(out), url=url)
    assert str(out) in made.stdout
    pdf = out.read_bytes()
    text = page_text(pdf)
    assert "Informe de avance del PLADECO" in text
    assert f"Corte n.º {cut}: estado al 31-12-2015" in text and "Cuenta Pública 2016" in text
    assert "datos de demostración" not in text  # a cut of the real data says nothing of demo data
    total = data["summary"]
    assert f"Avance físico del PLADECO {pct(total['physical_pct'])}" in text
    assert f"Avance financiero {pct(total['financial_pct'], NO_AMOUNTS)}" in text
    assert f"Inversión programada {money(total['planned_clp'])}" in text
    for s in data["strategies"]:
        assert f"{s['code']} · {s['name']}" in " ".join(text.split()), s["code"]
        assert f"Avance físico {pct(s['physical_pct'])}" in text
    e1 = next(s for s in data["strategies"] if s["code"] == "E1")
    assert (pct(e1["physical_pct"]), pct(e1["financial_pct"])) == (
        "56,7 %",
        "75,0 %",
    )  # by hand, as in the CLI test
    # Cuenta Pública b and c: the finished and ongoing projects with their sources.
    finished = text.split("Terminados", 1)[1].split("En ejecución", 1)[0]
    assert HOSTILE in " ".join(finished.split()) and STATUSES["terminado"] in finished
    assert f"{FUNDING_LINE_SOURCES['fndr']}: $ 200.000.000" in finished
    ongoing = text.split("Terminados", 1)[1].split("En ejecución", 1)[1].split("Anexo", 1)[0]
    assert a["code"] in ongoing and "FNDR: $ 200.000.000" in ongoing
    assert "$ 0 " not in text and "49" not in finished  # no invented zero; Jinja not evaluated

    doc = pypdfium2.PdfDocument(pdf)
    try:
        assert len(doc) >= 3
        for i, page in enumerate(doc):
            image = page.render(scale=100 / 72).to_pil()
            image.save(f"/tmp/sit-avance-{i}.png")
            assert image.convert("L").getextrema()[0] < 100  # ink on every page
    finally:
        doc.close()

    annex = load_workbook(tmp_path / "informe_anexo.xlsx")
    sheet = annex["Iniciativas"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) - 1 == len(data["initiatives"])
    header = rows[0]
    by_code = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert (
        by_code[a["code"]]["Avance físico (%)"] == 60
        and by_code[a["code"]]["Programado (CLP)"] == 200_000_000
    )
    assert by_code[c["code"]]["Programado (CLP)"] is None  # not informed: empty, never 0
    name = by_code[b["code"]]["Nombre"]
    assert sheet.cell(row=list(by_code).index(b["code"]) + 2, column=2).data_type != "f"
    assert name.lstrip("'") == HOSTILE


def test_a_draft_cut_has_no_report(world, tmp_path):
    url, _, _ = world
    draft = int(run_sit("cut", "create", "--date", "2016-12-31", url=url).stdout)
    refused = run_sit(
        "report", "avance", "--cut", str(draft), "--out", str(tmp_path / "x.pdf"), url=url, check=False
    )
    assert refused.returncode == 2 and "es un borrador" in refused.stderr
    assert not (tmp_path / "x.pdf").exists()
