"""The activity log on the real PostGIS: who (the account), each filter, paging, before and after."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from geo.activity.log import ActivityFilter, activity_count, activity_rows, parse_object, people
from geo.activity.tables import SHEET_COLUMNS, activity_table, activity_xlsx
from geo.domain import LOCAL_TZ, REFERENCE_LAYERS
from geo.errors import DataError
from geo.initiatives.read import change_history, status_history
from geo.store.actor import Actor
from geo.store.initiatives import InitiativeChange, save_initiatives
from geo.territory.sites import site_history
from tests.support.activity import CODE, TYPED_AT, write_scenario

ANA = "Ana Rojas (arojas)"
PATRICIO = "Patricio Vega (nombre escrito, sin cuenta)"


@pytest.fixture
def story(conn):
    return write_scenario(conn)


def rows(conn, **kw):
    return activity_rows(conn, ActivityFilter(**kw))


def test_an_initiative_s_activity_names_the_account_and_marks_the_typed_name(conn, story):
    ini = rows(conn, kind="initiative", ref=CODE)
    assert [(r["who"], r["action_label"]) for r in ini[:2]] == [
        (ANA, "Editar iniciativa"),
        (PATRICIO, "Editar iniciativa"),
    ]
    ana, patricio = ini[0], ini[1]
    assert ana["account"] == "arojas" and patricio["account"] is None
    assert ana["object"] == f"{CODE} · {story.initiative_name}" and ana["via"] == "página Iniciativas"
    assert {(c["label"], c["before"], c["after"]) for c in ana["changes"]} == {
        ("Estado", "Idea", "Perfil"),
        ("Financiamiento", "(vacío)", "FNDR, 2016, $ 12.500.000, Aprobado"),
    }
    assert [(c["label"], c["before"], c["after"]) for c in patricio["changes"]] == [
        ("Estado", "Sin información", "Idea")
    ]
    assert patricio["when"] == "10-03-2025 12:00"
    # The creation by the catalogue load is there too, oldest last.
    assert ini[-1]["action"] == "crear_iniciativa"


def test_the_histories_of_the_pages_name_the_account(conn, story):
    changes = change_history(conn, story.initiative_id)
    assert [h["by"] for h in changes[:2]] == [ANA, PATRICIO]
    assert "Estado: Idea → Perfil" in changes[0]["lines"]
    statuses = status_history(conn, story.initiative_id)
    assert [s["by"] for s in statuses[:2]] == [ANA, PATRICIO]
    placed = site_history(conn, story.site_id)
    assert (placed[0]["action"], placed[0]["by"], placed[0]["account"]) == ("Ubicado", ANA, "arojas")


def test_for_the_public_no_person_is_named(conn, story):
    shown = json.dumps(
        [
            activity_rows(conn, ActivityFilter(), limit=20, show_names=False),
            change_history(conn, story.initiative_id, show_names=False),
            site_history(conn, story.site_id, show_names=False),
            status_history(conn, story.initiative_id, show_names=False),
        ],
        default=str,
        ensure_ascii=False,
    )
    for name in ("Ana Rojas", "arojas", "Patricio Vega", "Persona de prueba"):
        assert name not in shown
    assert change_history(conn, story.initiative_id, show_names=False)[0]["by"] == "persona con cuenta"
    assert change_history(conn, story.initiative_id, show_names=False)[1]["by"] == "persona sin cuenta"


def test_each_filter_narrows_to_what_it_names(conn, story):
    everything = rows(conn)
    assert activity_count(conn, ActivityFilter()) == len(everything)

    by_ana = rows(conn, person="ARojas")
    assert by_ana and {r["who"] for r in by_ana} == {ANA}
    assert {r["action"] for r in by_ana} == {"editar_iniciativa", "ubicar_sitio"}
    by_patricio = rows(conn, person=" patricio  vega ")  # a typed name, any case and spacing
    assert [r["id"] for r in by_patricio] == [story.typed_audit_id]

    march = rows(conn, since=date(2025, 3, 10), until=date(2025, 3, 10))
    assert [r["id"] for r in march] == [story.typed_audit_id]
    assert story.typed_audit_id not in {r["id"] for r in rows(conn, since=date(2025, 3, 11))}
    assert story.typed_audit_id not in {r["id"] for r in rows(conn, until=date(2025, 3, 9))}

    sites = rows(conn, kind="territory", ref="chamonate")
    assert {r["object"] for r in sites} == {"Chamonate (Sitio)"}
    assert sites[0]["action"] == "ubicar_sitio"
    assert [(c["label"], c["before"], c["after"]) for c in sites[0]["changes"]] == [
        ("Geometría", "(vacío)", "punto")
    ]
    assert rows(conn, kind="territory", ref=f"#{story.site_id}") == sites  # by its number too

    accounts = rows(conn, kind="app_user", ref="arojas")
    assert [(r["action"], r["object"], r["who"]) for r in accounts] == [
        ("crear_usuario", "arojas", "Persona de prueba (nombre escrito, sin cuenta)")
    ]
    assert ("Rol", "(vacío)", "SECPLAC") in {
        (c["label"], c["before"], c["after"]) for c in accounts[0]["changes"]
    }
    assert "Contraseña: cambiada" in accounts[0]["notes"]

    placed = rows(conn, action="ubicar_sitio")
    assert placed and {r["action"] for r in placed} == {"ubicar_sitio"}
    assert len(placed) < len(everything)

    both = rows(conn, person="arojas", kind="initiative")
    assert [r["action"] for r in both] == ["editar_iniciativa"]
    assert rows(conn, person="nadie") == []


def test_a_day_is_a_local_day(conn, story):
    just_after_midnight = datetime(2025, 3, 10, 0, 30, tzinfo=LOCAL_TZ)
    conn.execute(
        text("UPDATE audit_log SET at = :at WHERE id = :i"),
        {"at": just_after_midnight, "i": story.typed_audit_id},
    )
    assert [r["id"] for r in rows(conn, since=date(2025, 3, 10), until=date(2025, 3, 10))] == [
        story.typed_audit_id
    ]
    assert rows(conn, since=date(2025, 3, 9), until=date(2025, 3, 9)) == []
    assert TYPED_AT.date() == date(2025, 3, 10)


def test_pages_follow_each_other_newest_first(conn, story):
    f = ActivityFilter()
    whole = activity_rows(conn, f, limit=7)
    assert [r["id"] for r in activity_rows(conn, f, offset=0, limit=3)] + [
        r["id"] for r in activity_rows(conn, f, offset=3, limit=4)
    ] == [r["id"] for r in whole]
    ats = [r["at"] for r in activity_rows(conn, f)]
    assert ats == sorted(ats, reverse=True)
    assert activity_rows(conn, f, offset=activity_count(conn, f)) == []


def test_wrong_filters_are_refused_in_spanish(conn):
    with pytest.raises(DataError, match="no es un tipo de objeto"):
        rows(conn, kind="planeta")
    with pytest.raises(DataError, match="posterior"):
        rows(conn, since=date(2025, 3, 2), until=date(2025, 3, 1))
    assert parse_object("initiative:E1.P1") == ("initiative", "E1.P1")
    assert parse_object("app_user") == ("app_user", None)


def test_the_people_to_choose_are_the_accounts_and_the_typed_names(conn, story):
    who = people(conn)
    assert who["arojas"] == ANA
    assert who["Patricio Vega"] == PATRICIO


def test_the_download_has_one_line_per_changed_field_and_no_formula(conn, story):
    iid = story.initiative_id
    evil = Actor('=HYPERLINK("http://x.example","clic")', "página Iniciativas", role="secplac")
    save_initiatives(conn, evil, [InitiativeChange(values={"status": "diseno"}, id=iid)])
    got = activity_rows(conn, ActivityFilter(kind="initiative", ref=CODE))
    ws = load_workbook(io.BytesIO(activity_xlsx(got)))["Actividad"]
    header = [c.value for c in ws[1]]
    assert tuple(header) == SHEET_COLUMNS
    lines = [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)]
    first = lines[0]
    assert first["Quién"].startswith("=HYPERLINK") and (first["Campo"], first["Antes"], first["Después"]) == (
        "Estado",
        "Perfil",
        "Diseño",
    )
    cell = ws.cell(row=2, column=header.index("Quién") + 1)
    assert cell.data_type == "s" and cell.quotePrefix  # text, never a formula
    assert {
        ("Financiamiento", "(vacío)", "FNDR, 2016, $ 12.500.000, Aprobado"),
        ("Estado", "Idea", "Perfil"),
    } <= {(li["Campo"], li["Antes"], li["Después"]) for li in lines if li["Cuenta"] == "arojas"}
    table = activity_table(got)
    assert table.iloc[0]["Cambios (antes → después)"] == "Estado: Perfil → Diseño"


def test_reference_features_are_named_with_their_layer(conn):
    feature = conn.execute(
        text("SELECT id, key, name, layer FROM reference_feature ORDER BY id LIMIT 1")
    ).one()
    got = rows(conn, kind="reference_feature", ref=f"#{feature.id}")
    assert [r["action_label"] for r in got] == ["Crear elemento de referencia"]
    layer = REFERENCE_LAYERS[feature.layer]
    assert got[0]["object"] == f"{feature.name or feature.key} ({layer})"
    assert ("Capa", "(vacío)", layer) in {(c["label"], c["before"], c["after"]) for c in got[0]["changes"]}
    by_key = rows(conn, kind="reference_feature", ref=feature.key)  # a key can repeat across layers
    assert got[0]["id"] in {r["id"] for r in by_key}
