"""The Talleres page with AppTest: who sees what, a workshop created on the page, needs shown inert,
a planner confirming which initiative answers a need.

The page reads a sibling database of its own (committed writes: the app commits).
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from geo.accounts.users import create_user
from geo.store.workshops import NeedDraft, WorkshopValues, create_workshop, record_needs
from tests import conftest
from tests.conftest import set_up_database
from tests.pages.conftest import app_as
from tests.support.activity import FAST, PASSWORD
from tests.support.actors import TESTER
from tests.support.workshops import point_in, query, strategy_id, territory_id

HOSTILE = "<img src=x onerror=alert(1)> {{ 7*7 }} [enlace](http://example.com)"


@pytest.fixture(scope="module")
def world():
    url = set_up_database("pages_talleres")
    engine = create_engine(url)
    with engine.begin() as conn:
        people = {
            role: create_user(conn, TESTER, user, name, role, PASSWORD, hasher=FAST)
            for role, user, name in (
                ("facilitador", "fede", "Federico Facilitador"),
                ("secplac", "arojas", "Ana Rojas"),
                ("concejo", "concejal", "Carmen Concejal"),
            )
        }
    engine.dispose()
    return url, people


def open_as(monkeypatch, world, role):
    url, people = world
    monkeypatch.setattr(conftest, "database_url_for_tests", lambda: url)
    return app_as(monkeypatch, people[role], "pages/talleres.py")


def test_a_facilitator_creates_a_workshop_on_the_page(monkeypatch, world):
    with open_as(monkeypatch, world, "facilitador") as at:
        assert not at.exception, at.exception
        assert [t.value for t in at.title] == ["Talleres participativos"]
        at.text_input(key="talleres_new_place").set_value("Sede social Carrera")
        uv05 = query(world[0], "SELECT id FROM territory WHERE kind = 'unidad_vecinal' AND code = '05'")[0][0]
        at.multiselect(key="talleres_new_territories").set_value([uv05])
        at.number_input(key="talleres_new_total").set_value(25)
        at.number_input(key="talleres_new_sex_mujeres").set_value(15)
        at.button[0].click()  # the form's «Crear taller»
        at.run()
        assert not at.exception, at.exception
        assert any("creado" in s.value for s in at.success)
        assert any("Sede social Carrera" in h.value for h in at.subheader)
        # Its acta is one click away, and so is the wall.
        assert [b.label for b in at.get("download_button") if b.label == "Acta del taller (PDF)"]
        assert any("Proyectar este taller" in str(p.proto) for p in at.get("page_link"))
    rows = query(
        world[0], "SELECT place, attendance_total, attendance, state FROM workshop ORDER BY id DESC LIMIT 1"
    )
    assert rows == [("Sede social Carrera", 25, {"mujeres": 15}, "abierto")]
    who = query(
        world[0], "SELECT user_name FROM audit_log WHERE action = 'crear_taller' ORDER BY id DESC LIMIT 1"
    )
    assert who == [("Federico Facilitador",)]


def test_needs_are_shown_as_typed_and_a_planner_confirms_the_answer(monkeypatch, world):
    url, people = world
    engine = create_engine(url)
    with engine.begin() as conn:
        uv05, e1 = territory_id(conn, "05"), strategy_id(conn, "E1")
        wid = create_workshop(conn, TESTER, WorkshopValues("06-12-2026", "Escuela Baquedano", [uv05]))
        (nid,) = record_needs(
            conn, TESTER, wid, [NeedDraft("problema", e1, HOSTILE, 3, point_in(conn, "05"))]
        )
        answer = conn.execute(
            text(
                "SELECT i.id FROM initiative i JOIN initiative_territory it ON it.initiative_id = i.id "
                "WHERE it.territory_id = :t AND i.strategy_id = :s AND i.archived_at IS NULL "
                "AND NOT i.is_demo "
                "ORDER BY i.code LIMIT 1"
            ),
            {"t": uv05, "s": e1},
        ).scalar()
    engine.dispose()
    assert answer is not None, "the catalogue links an E1 initiative to UV 05"

    with open_as(monkeypatch, world, "secplac") as at:
        assert not at.exception, at.exception
        at.selectbox(key="talleres_id").set_value(wid).run()
        # SECPLAC reads and confirms links, but records no workshops or needs.
        assert not [e for e in at.expander if e.label == "Nuevo taller"]
        table = at.dataframe[0].value
        assert list(table["Texto"]) == [HOSTILE]  # a table cell: shown as typed, never run
        assert not any("49" in m.value for m in at.markdown)
        links = at.multiselect(key=f"talleres_links_{nid}_1")
        code = query(url, "SELECT code FROM initiative WHERE id = :i", i=answer)[0][0]
        assert any(o.startswith(f"{code} · ") for o in links.options)  # suggested
        links.set_value([answer])
        next(b for b in at.button if b.label == "Confirmar vínculos").click()
        at.run()
        assert not at.exception, at.exception
    linked = query(url, "SELECT initiative_id, confirmed_by FROM need_initiative WHERE need_id = :n", n=nid)
    assert linked == [(answer, "Ana Rojas (página Talleres)")]


def test_the_council_does_not_get_the_page(monkeypatch, world):
    url, people = world
    monkeypatch.setattr(conftest, "database_url_for_tests", lambda: url)
    with app_as(monkeypatch, people["concejo"]) as at:
        with pytest.raises(ValueError, match="navigation page"):
            at.switch_page("pages/talleres.py")  # not registered for the council


def test_brechas_shows_the_needs_per_territory_once_there_are_some(monkeypatch, world):
    url, people = world
    engine = create_engine(url)
    with engine.begin() as conn:
        wid = create_workshop(
            conn, TESTER, WorkshopValues("07-12-2026", "Sede Baquedano", [territory_id(conn, "06")])
        )
        record_needs(
            conn, TESTER, wid, [NeedDraft("propuesta", None, "Un paradero techado", 5, point_in(conn, "06"))]
        )
    engine.dispose()
    monkeypatch.setattr(conftest, "database_url_for_tests", lambda: url)
    with app_as(monkeypatch, people["secplac"], "pages/brechas.py") as at:
        assert not at.exception, at.exception
        assert "Necesidades de los talleres participativos" in [h.value for h in at.subheader]
        summary = next(d.value for d in at.dataframe if "Sin respuesta" in d.value.columns)
        row = summary[summary["Territorio"] == "UV 06 · Baquedano"].iloc[0]
        assert (row["Propuesta"], row["Total"], row["Sin respuesta"]) == (1, 1, 1)
        assert row["Estrategia"] == "Otra (fuera de las líneas del plan)"


def test_two_needs_that_say_the_same_are_merged_on_the_page(monkeypatch, world):
    url, _ = world
    engine = create_engine(url)
    with engine.begin() as conn:
        wid = create_workshop(
            conn, TESTER, WorkshopValues("08-12-2026", "Sede Alemanes", [territory_id(conn, "04")])
        )
        here = point_in(conn, "04")
        keep, gone = record_needs(
            conn,
            TESTER,
            wid,
            [
                NeedDraft("problema", None, "Basural en la esquina", 4, here),
                NeedDraft("problema", None, "Microbasural", 2, here),
            ],
        )
    engine.dispose()
    with open_as(monkeypatch, world, "facilitador") as at:
        at.selectbox(key="talleres_id").set_value(wid).run()
        at.selectbox(key=f"talleres_need_choice_{wid}").set_value(keep).run()
        at.selectbox(key=f"talleres_merge_{keep}").set_value(gone).run()
        next(b for b in at.button if b.label == "Fusionar").click()
        at.run()
        assert not at.exception, at.exception
        assert any(f"fusionada en la n.º {keep}" in s.value for s in at.success)
        assert list(at.dataframe[0].value["Votos"]) == [6]  # one need left, with both votes
    assert query(url, "SELECT merged_into_id FROM need WHERE id = :i", i=gone) == [(keep,)]


def test_a_workshop_is_closed_with_its_report_and_then_takes_no_needs(monkeypatch, world):
    url, _ = world
    engine = create_engine(url)
    with engine.begin() as conn:
        wid = create_workshop(
            conn, TESTER, WorkshopValues("09-12-2026", "Escuela Quinta Valle", [territory_id(conn, "03")])
        )
    engine.dispose()
    with open_as(monkeypatch, world, "facilitador") as at:
        at.selectbox(key="talleres_id").set_value(wid).run()
        at.text_area(key=f"talleres_report_{wid}").set_value("Se priorizaron las veredas.")
        next(b for b in at.button if b.label == "Cerrar el taller").click()
        at.run()
        assert not at.exception, at.exception
        assert any("Taller cerrado." in s.value for s in at.success)
        assert any("El taller está cerrado" in i.value for i in at.info)
        assert [m.value for m in at.metric if m.label == "Estado"] == ["Cerrado"]
        assert not [b for b in at.button if b.label == "Cerrar el taller"]
    assert query(url, "SELECT state, closing_report FROM workshop WHERE id = :i", i=wid) == [
        ("cerrado", "Se priorizaron las veredas.")
    ]
