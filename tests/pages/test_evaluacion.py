"""«Evaluación del PLADECO» with AppTest: the Concejo reads the figures of the library and sees no
cut controls; SECPLAC creates and closes a cut on the page; the page answers for a chosen cut.

The page reads a sibling database of its own (cuts are committed, and a closed cut is forever).
"""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import create_engine
from streamlit import dataframe_util

from geo.accounts.users import create_user
from geo.evaluation.report import evaluation
from geo.evaluation.tables import PROGRESS_COLUMN, group_table, pct
from tests import conftest
from tests.conftest import set_up_database
from tests.pages.conftest import app_as
from tests.support.activity import FAST, PASSWORD
from tests.support.actors import TESTER
from tests.support.evaluation import hand_portfolio
from tests.support.workshops import query

PAGE = "pages/evaluacion.py"


@pytest.fixture(scope="module")
def world():
    url = set_up_database("pages_evaluation")
    engine = create_engine(url)
    with engine.begin() as conn:
        people = {
            role: create_user(conn, TESTER, user, name, role, PASSWORD, hasher=FAST)
            for role, user, name in (
                ("secplac", "arojas", "Ana Rojas"),
                ("concejo", "concejal", "Carmen Concejal"),
            )
        }
    engine.dispose()
    return url, people


def open_as(monkeypatch, world, role):
    url, people = world
    monkeypatch.setattr(conftest, "database_url_for_tests", lambda: url)
    return app_as(monkeypatch, people[role], PAGE, timeout=120)


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def shown(element) -> pd.DataFrame:
    """The cells of a table as a person reads them (a styled table's display values)."""
    return dataframe_util.convert_arrow_bytes_to_pandas_df(element.proto.arrow_data.styler.display_values)


def initiatives_element(at):
    return next(d for d in at.dataframe if "Origen del avance" in d.value.columns)


def initiatives_shown(at) -> pd.DataFrame:
    return shown(initiatives_element(at))


def test_the_real_catalogue_says_sin_informacion_and_the_concejo_cannot_make_cuts(monkeypatch, world):
    with open_as(monkeypatch, world, "concejo") as at:
        assert not at.exception, at.exception
        assert [t.value for t in at.title] == ["Evaluación del PLADECO"]
        assert metric(at, "Avance físico") == "sin datos"
        assert metric(at, "Avance financiero") == "sin montos informados"
        assert any("Ninguna iniciativa tiene un estado informado" in i.value for i in at.info)
        assert "$ 0" not in str([d.value.to_dict() for d in at.dataframe])
        # No initiative has a progress: each says so in Spanish, not «None» or an empty cell.
        # The grid writes a missing cell with the table's placeholder, not the styled text.
        table = initiatives_element(at)
        assert len(table.value) > 0 and table.value[PROGRESS_COLUMN].isna().all()
        assert table.proto.placeholder == "sin datos"
        assert not [b for b in at.button if b.label in ("Crear corte", "Cerrar corte")]
        rules = " ".join(m.value for m in at.markdown)
        assert "promedio de promedios" in rules and "Perfil: 10 %" in rules


def test_secplac_closes_a_cut_and_the_page_answers_for_it(monkeypatch, world):
    url, _ = world
    engine = create_engine(url)
    with engine.begin() as conn:
        a, b, c = hand_portfolio(conn)
    with open_as(monkeypatch, world, "secplac") as at:
        assert not at.exception, at.exception
        at.text_input(key="eval_cut_date").set_value("31-12-2015")
        next(b for b in at.button if b.label == "Crear corte").click()
        at.run()
        assert any("creado" in s.value for s in at.success), [e.value for e in at.error]
        next(b for b in at.button if b.label == "Cerrar corte").click()
        at.run()
        assert not at.exception, at.exception
        assert any("cerrado" in s.value for s in at.success), [e.value for e in at.error]
        ((cut,),) = query(url, "SELECT id FROM evaluation_cut WHERE state = 'cerrada'")
        at.selectbox(key="eval_source").set_value(cut).run()
        assert not at.exception, at.exception
        with engine.connect() as conn:
            expected = evaluation(conn, cut).as_json()
        # By hand: (200 M x 60 + 200 M x 100 + 200 M x 10) / 600 M = 56,7 % in E1.
        e1 = next(s for s in expected["strategies"] if s["code"] == "E1")
        assert e1["physical_pct"] == 56.7
        assert metric(at, "Avance físico") == pct(expected["summary"]["physical_pct"])
        assert metric(at, "Avance financiero") == "75,0 %"
        buttons = [b.label for b in at.get("download_button")]
        assert "Informe de avance (PDF)" in buttons and "Anexo de iniciativas (.xlsx)" in buttons
        shown = next(d.value for d in at.dataframe if "Avance físico" in d.value.columns)
        assert shown.equals(group_table(expected["strategies"]))
        assert shown.loc[shown["Código"] == "E1", "Avance físico"].item() == "56,7 %"
        # Drill down: the initiatives of E1, their progress as the table of states gives it.
        at.selectbox(key="eval_strategy").set_value("E1").run()
        listed = next(d.value for d in at.dataframe if "Origen del avance" in d.value.columns)
        assert listed.loc[listed["Código"] == a["code"], "Avance físico (%)"].item() == 60
        read = initiatives_shown(at)
        assert read.loc[listed["Código"] == a["code"], PROGRESS_COLUMN].item() == "60,0 %"
        # A planner enters A's progress on the live data: the live figures move, the cut's do not.
        at.selectbox(key="eval_source").set_value(0).run()
        at.selectbox(key="eval_strategy").set_value("E1").run()
        at.selectbox(key="eval_prog_id").set_value(a["id"])
        at.text_input(key="eval_prog_pct").set_value("150")
        next(b for b in at.button if b.label == "Guardar avance").click()
        at.run()
        assert any("Avance físico (%)" in e.value and "150" in e.value for e in at.error)
        at.text_input(key="eval_prog_pct").set_value("90 %")
        next(b for b in at.button if b.label == "Guardar avance").click()
        at.run()
        assert any("guardado" in s.value for s in at.success), [e.value for e in at.error]
        listed = next(d.value for d in at.dataframe if "Origen del avance" in d.value.columns)
        row = listed.loc[listed["Código"] == a["code"]]
        assert (row["Avance físico (%)"].item(), row["Origen del avance"].item()) == (90, "Registrado")
        at.selectbox(key="eval_source").set_value(cut).run()
        assert metric(at, "Avance físico") == pct(expected["summary"]["physical_pct"])
    who = query(url, "SELECT user_name FROM audit_log WHERE action = 'cerrar_corte'")
    assert who == [("Ana Rojas",)]
    engine.dispose()
