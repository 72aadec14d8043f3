"""The Ficha territorial (issue 11): one A4 page per territory, carrying geo.investment's figures.

A sibling database with the demo portfolio of seed 1 at 1,000 initiatives (so there are
amounts). The PDF's text is read back with pypdf and compared with ``sit investment --json``
and with :mod:`geo.investment` for the same filters.
"""

import io
import json
import time

import pypdf
import pytest
from sqlalchemy import create_engine, text

from geo.initiatives.filters import MapFilters
from geo.investment.attribution import investment_report, territory_investment
from geo.investment.labels import NO_AMOUNTS
from geo.investment.lines import InvestmentFilters
from geo.reports.ficha import ficha_pdf, territories
from geo.reports.render import render_png
from tests.conftest import run_sit, set_up_database

DEMO = InvestmentFilters(MapFilters(include_demo=True))


@pytest.fixture(scope="module")
def ficha_url():
    url = set_up_database("ficha")
    run_sit("demo", "generate", "--initiatives", "1000", "--seed", "1", url=url)
    return url


@pytest.fixture(scope="module")
def ficha_engine(ficha_url):
    engine = create_engine(ficha_url)
    yield engine
    engine.dispose()


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text, with the no-break spaces the template keeps beside "$" and "%" as spaces."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [" ".join(p.extract_text().replace("\xa0", " ").split()) for p in reader.pages]


def test_the_booklet_has_one_page_per_territory_with_its_investment_figures_in_10_s(ficha_engine):
    with ficha_engine.connect() as conn:
        chosen = territories(conn)
        started = time.perf_counter()
        pdf = ficha_pdf(conn, chosen, DEMO)
        seconds = time.perf_counter() - started
        report = investment_report(conn, DEMO)
    print(f"\nBooklet of {len(chosen)} territories: {seconds:.2f} s, {len(pdf) / 1e6:.2f} MB")
    assert seconds <= 10
    kinds = [t.kind for t in chosen]
    assert len(chosen) == 22 and kinds == sorted(kinds, reverse=True)  # UVs, then localities
    texts = pages_text(pdf)
    assert len(texts) == len(chosen)
    for t, page in zip(chosen, texts, strict=True):
        row = report.row(t.id).as_json()
        assert t.label in page
        assert f"Inversión atribuida {row['attributed_label']}" in page, t.label
        assert f"Inversión por habitante {row['per_inhabitant_label']}" in page, t.label
        assert f"Iniciativas vinculadas {row['n_initiatives']}" in page, t.label
        assert "$ 0 " not in page and "Incluye datos de demostración" in page
        assert "Página" in page and "Fuentes:" in page


def test_sit_report_ficha_of_uv_05_prints_the_figures_of_sit_investment(ficha_url, tmp_path):
    out = tmp_path / "ficha.pdf"
    said = run_sit("report", "ficha", "--territory", "UV 05", "--demo", "--out", str(out), url=ficha_url)
    assert "UV 05 · Carrera" in said.stdout and "1 página(s)" in said.stdout
    data = json.loads(run_sit("investment", "--territory", "UV 05", "--demo", "--json", url=ficha_url).stdout)
    (page,) = pages_text(out.read_bytes())
    row = data["territory"]
    print(
        f"\nUV 05 Carrera (demo seed 1, 1,000): {row['attributed_label']} attributed, "
        f"{row['per_inhabitant_label']} per inhabitant, {row['n_initiatives']} initiatives"
    )
    assert row["attributed_clp"] > 0
    assert f"Inversión atribuida {row['attributed_label']}" in page
    assert f"Inversión por habitante {row['per_inhabitant_label']}" in page
    assert f"Iniciativas vinculadas {row['n_initiatives']}" in page
    assert f"{row['n_with_amounts']} con montos informados" in page
    assert f"Población {row['population']:,} hab.".replace(",", ".") in page
    for source in data["breakdowns"]["source"]:
        assert f"{source['label']} {source['amount_label']}" in page
    largest = data["initiatives"][0]
    assert largest["name"] in page and largest["attributed_label"] in page
    assert " más" in page  # 81 initiatives do not fit: the rest are counted


def test_an_unknown_or_wrong_territory_is_refused_in_spanish(ficha_url, tmp_path):
    out = tmp_path / "x.pdf"
    for name, said in (
        ("UV 99", "no existe la unidad vecinal 99"),
        ("Huasco", "ambiguo"),
        (
            "Salud: Hospital Provincial del Huasco Monseñor Fernando Ariztía Ruiz (Vallenar)",
            "no es una unidad vecinal",
        ),
    ):
        proc = run_sit("report", "ficha", "--territory", name, "--out", str(out), url=ficha_url, check=False)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert said in proc.stderr
    assert not out.exists()


def test_without_amounts_the_page_says_so_and_never_zero_pesos(ficha_engine):
    real = InvestmentFilters(MapFilters(include_demo=False))  # the plan gives no amounts
    with ficha_engine.connect() as conn:
        chosen = [t for t in territories(conn) if t.label.startswith("UV 05")]
        (page,) = pages_text(ficha_pdf(conn, chosen, real))
    assert f"Inversión atribuida {NO_AMOUNTS}" in page
    assert "$ 0" not in page and "Incluye datos de demostración" not in page


HOSTILE_PLACE = '#panic("x") $x$ *b* <script>alert(1)</script>'
HOSTILE_INITIATIVE = "**negrita** _cursiva_ [enlace](http://x) #set text(red) \\ `code` @ref <b>"


def test_names_print_as_written_whatever_markup_they_hold(ficha_engine):
    with ficha_engine.connect() as conn, conn.begin() as trans:
        uv = next(t for t in territories(conn) if t.label.startswith("UV 05"))
        largest = territory_investment(conn, uv.id, DEMO).initiatives[0]
        conn.execute(text("UPDATE territory SET name = :n WHERE id = :id"), {"n": HOSTILE_PLACE, "id": uv.id})
        conn.execute(
            text("UPDATE initiative SET name = :n WHERE id = :id"),
            {"n": HOSTILE_INITIATIVE, "id": largest.id},
        )
        (chosen,) = [t for t in territories(conn) if t.id == uv.id]
        (page,) = pages_text(ficha_pdf(conn, [chosen], DEMO))
        trans.rollback()
    assert f"UV 05 · {HOSTILE_PLACE}" in page
    assert HOSTILE_INITIATIVE in page


def test_the_pages_render_as_images(ficha_engine, tmp_path):
    """What a person looks at before a council session: the pages render, A4 portrait."""
    from geo.reports.ficha import ficha_pages

    with ficha_engine.connect() as conn:
        chosen = [t for t in territories(conn) if t.label.startswith(("UV 05", "UV 12", "Cachiyuyo"))]
        pngs = render_png("ficha.typ", ficha_pages(conn, chosen, DEMO, now=_now()), ppi=40)
    assert len(pngs) == 3
    for png in pngs:
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert abs(height / width - 297 / 210) < 0.01


def _now():
    from datetime import UTC, datetime

    return datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_the_footer_says_the_filters_in_spanish():
    from geo.reports.ficha import filters_text

    f = InvestmentFilters(
        MapFilters(strategies=("E1",), statuses=("en_ejecucion",), sectors=("rural",), include_demo=True),
        year_from=2020,
        sources=("FNDR", "sin_fuente"),
        stages=("sin_etapa",),
    )
    assert filters_text(f) == (
        "Filtros: estrategias E1; estados en ejecución; sectores rural; años 2020–…; "
        "fuentes FNDR, Sin fuente informada; etapas sin etapa informada; con datos de demostración."
    )
    assert filters_text(InvestmentFilters()) == "Filtros: sin datos de demostración."


def test_the_booklet_computes_once_the_same_figures_as_one_territory_at_a_time(ficha_engine):
    from geo.investment.attribution import territories_investment

    with ficha_engine.connect() as conn:
        chosen = [t for t in territories(conn) if t.label.startswith(("UV 05", "UV 12", "Domeyko"))]
        report, batch = territories_investment(conn, [t.id for t in chosen], DEMO)
        assert report.as_json() == investment_report(conn, DEMO).as_json()
        for t, inv in zip(chosen, batch, strict=True):
            assert inv.as_json() == territory_investment(conn, t.id, DEMO).as_json(), t.label


def test_the_ficha_says_what_residents_asked_for_and_what_the_plan_answers(ficha_engine):
    from geo.reports.ficha import find_territory
    from geo.store.actor import Actor
    from geo.store.workshops import NeedDraft, WorkshopValues, create_workshop, record_needs, set_need_links
    from tests.support.workshops import point_in, strategy_id, territory_id

    actor = Actor.system("pruebas automáticas")
    with ficha_engine.connect() as conn:
        uv05, e1, where = territory_id(conn, "05"), strategy_id(conn, "E1"), point_in(conn, "05")
        initiative = conn.execute(text("SELECT min(id) FROM initiative")).scalar_one()
        chosen = [find_territory(conn, "UV 05")]
        before = pages_text(ficha_pdf(conn, chosen, DEMO))[0]
    assert "Lo que piden los vecinos" not in before  # no workshop there yet: no section
    workshop = create_workshop(ficha_engine, actor, WorkshopValues("2026-12-05", "Sede social", [uv05]))
    answered, open_ = record_needs(
        ficha_engine,
        actor,
        workshop,
        [
            NeedDraft("problema", e1, "Luminarias en el pasaje", 3, where),
            NeedDraft("propuesta", None, "Una plaza con sombra", 7, where),
        ],
    )
    set_need_links(ficha_engine, actor, answered, [initiative])
    with ficha_engine.connect() as conn:
        page = pages_text(ficha_pdf(conn, chosen, DEMO))
    assert len(page) == 1  # still one page
    assert "Lo que piden los vecinos (talleres participativos)" in page[0]
    assert "2 necesidades registradas en talleres: 1 con respuesta del plan, 1 sin respuesta." in page[0]
    assert "«Una plaza con sombra» (propuesta, 7 votos)" in page[0]
    assert "Luminarias en el pasaje" not in page[0]  # answered needs are counted, not listed
