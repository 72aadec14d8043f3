"""Workshops and needs read back on PostGIS: the list, a workshop's needs as GeoJSON, territory names."""

from __future__ import annotations

import pytest
import shapely

from geo.errors import DataError
from geo.store.actor import Actor
from geo.store.workshops import NeedDraft, WorkshopValues, create_workshop, merge_needs, record_needs
from geo.workshops.queries import (
    find_workshop_territories,
    territory_needs,
    workshop_detail,
    workshop_list,
    workshop_needs,
    workshop_territories_geojson,
)
from tests.support.workshops import point_in, territory_id

FEDE = Actor("Federico Facilitador", "prueba", role="facilitador")


def test_the_list_names_territories_and_facilitator_and_counts_accepted_and_pending_needs(conn):
    older = create_workshop(
        conn,
        FEDE,
        WorkshopValues("01-12-2026", "Escuela", [territory_id(conn, "06")], facilitator_name="Rosa"),
    )
    wid = create_workshop(
        conn,
        FEDE,
        WorkshopValues(
            "05-12-2026",
            "Sede social",
            [territory_id(conn, "DOMEYKO", "localidad"), territory_id(conn, "05")],
        ),
    )
    here = point_in(conn, "05")
    keep, gone, _ = record_needs(
        conn,
        FEDE,
        wid,
        [
            NeedDraft("problema", None, "Luminaria", 2, here),
            NeedDraft("problema", None, "Luminaria pasaje", 1, here),
            NeedDraft("propuesta", None, "Sede nueva", 0, here, origin="telefono", state="pendiente"),
        ],
    )
    merge_needs(conn, FEDE, keep, gone, 1, 1)
    listed = [w for w in workshop_list(conn) if w["id"] in (wid, older)]
    assert [w["id"] for w in listed] == [wid, older]  # newest first
    assert listed[0]["territories"] == ["UV 05 · Carrera", "Domeyko"]
    assert (listed[0]["needs"], listed[0]["pending"], listed[0]["state"]) == (1, 1, "abierto")
    assert listed[1]["facilitator"] == "Rosa"
    assert workshop_detail(conn, wid)["territory_ids"] == [
        territory_id(conn, "05"),
        territory_id(conn, "DOMEYKO", "localidad"),
    ]
    assert workshop_detail(conn, 999_999) is None


def test_needs_come_with_geojson_their_territory_and_the_merged_one_only_on_request(conn):
    wid = create_workshop(conn, FEDE, WorkshopValues("05-12-2026", "Sede", [territory_id(conn, "05")]))
    line = shapely.LineString([(-70.7605, -28.5751), (-70.7590, -28.5745)])
    a, b = record_needs(
        conn,
        FEDE,
        wid,
        [
            NeedDraft("valor", None, "Plaza", 9, point_in(conn, "05")),
            NeedDraft("problema", None, "Calle", 3, shapely.to_wkb(line)),
        ],
    )
    needs = workshop_needs(conn, wid)
    assert [n["id"] for n in needs] == [a, b]  # most votes first
    assert needs[0]["geometry"]["type"] == "Point" and needs[0]["territory"] == "UV 05 · Carrera"
    assert needs[1]["geometry"]["type"] == "LineString" and needs[1]["geometry_type"] == "LINESTRING"
    merge_needs(conn, FEDE, a, b, 1, 1)
    assert [n["id"] for n in workshop_needs(conn, wid)] == [a]
    assert {n["id"] for n in workshop_needs(conn, wid, include_merged=True)} == {a, b}
    assert [n["id"] for n in territory_needs(conn, territory_id(conn, "05"))] == [a]
    framed = workshop_territories_geojson(conn, wid)
    assert [f["properties"]["label"] for f in framed["features"]] == ["UV 05 · Carrera"]
    assert framed["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_territories_are_found_as_people_write_them(conn):
    assert find_workshop_territories(conn, ["UV 05", "Domeyko", "uv 6"]) == [
        territory_id(conn, "05"),
        territory_id(conn, "DOMEYKO", "localidad"),
        territory_id(conn, "06"),
    ]
    with pytest.raises(DataError, match="Territorio «UV 99»: no existe la unidad vecinal 99"):
        find_workshop_territories(conn, ["UV 99"])
