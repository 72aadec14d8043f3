"""Placing named sites on the real PostGIS: located, moved, unplaced, relinked, version-checked."""

import pytest
import shapely
from sqlalchemy import text

from geo.errors import ConflictError, DataError, ValidationError
from geo.initiatives.queries import data_quality
from geo.store.actor import Actor
from geo.store.territories import place_site, unplace_site
from geo.territory.sites import named_sites, site_history, unlocated_sites
from tests.geo.initiatives.test_form import CENTRO_PONIENTE, QUINTA_VALLE, links

ANA, PEDRO = Actor("Ana", "prueba", role="secplac"), Actor("Pedro", "prueba", role="secplac")


def chamonate(conn):
    return next(s for s in named_sites(conn) if s["name"] == "Chamonate")


def test_placing_a_site_locates_it_and_links_its_initiatives_to_the_uv(conn):
    site = next(s for s in unlocated_sites(conn) if s["name"] == "Chamonate")
    linked = (
        conn.execute(
            text("SELECT initiative_id FROM initiative_territory WHERE territory_id = :t"), {"t": site["id"]}
        )
        .scalars()
        .all()
    )
    assert linked
    result = place_site(conn, ANA, site["id"], shapely.Point(QUINTA_VALLE), site["version"])
    assert result.version == site["version"] + 1 and set(result.initiatives) == set(linked)
    assert "Chamonate" not in {s["name"] for s in unlocated_sites(conn)}
    assert "Chamonate" not in {s["name"] for s in data_quality(conn).unlocated_sites}
    for iid in linked:
        assert ("03", "geometria") in links(conn, iid)
        assert ("CHAMONATE", "nombre_lugar") in links(conn, iid)
    sector = conn.execute(text("SELECT sector FROM territory WHERE id = :t"), {"t": site["id"]}).scalar()
    assert sector == "urbano"
    with pytest.raises(ConflictError, match="Ana guardó el sitio «Chamonate»"):
        place_site(conn, PEDRO, site["id"], shapely.Point(CENTRO_PONIENTE), site["version"])


def test_a_wrong_placement_is_moved_then_unplaced_and_the_history_shows_each(conn):
    site = chamonate(conn)
    first = place_site(conn, ANA, site["id"], shapely.Point(CENTRO_PONIENTE), site["version"])
    iid = first.initiatives[0]
    assert ("01", "geometria") in links(conn, iid)
    moved = place_site(conn, PEDRO, site["id"], shapely.Point(QUINTA_VALLE), first.version)
    assert ("03", "geometria") in links(conn, iid) and ("01", "geometria") not in links(conn, iid)
    back = unplace_site(conn, ANA, site["id"], moved.version)
    assert back.version == moved.version + 1
    assert {("01", "geometria"), ("03", "geometria")}.isdisjoint(links(conn, iid))
    assert ("CHAMONATE", "nombre_lugar") in links(conn, iid)  # the plan's link stays
    row = conn.execute(text("SELECT geom, sector FROM territory WHERE id = :t"), {"t": site["id"]}).one()
    assert tuple(row) == (None, None)
    assert "Chamonate" in {s["name"] for s in unlocated_sites(conn)}
    history = site_history(conn, site["id"])
    assert [(h["action"], h["by"]) for h in history[:3]] == [
        ("Devuelto a «sin ubicar»", "Ana (nombre escrito, sin cuenta)"),
        ("Reubicado", "Pedro (nombre escrito, sin cuenta)"),
        ("Ubicado", "Ana (nombre escrito, sin cuenta)"),
    ]
    assert history[1]["geometry"]["coordinates"] == [round(c, 6) for c in QUINTA_VALLE]
    assert history[2]["geometry"]["coordinates"] == [round(c, 6) for c in CENTRO_PONIENTE]
    with pytest.raises(DataError, match="ya está sin ubicar"):
        unplace_site(conn, ANA, site["id"], back.version)


def test_a_site_outside_the_commune_is_refused(conn):
    site = chamonate(conn)
    with pytest.raises(ValidationError, match="fuera de la comuna"):
        place_site(conn, ANA, site["id"], shapely.Point(-70.64, -33.44), site["version"])


def test_only_named_sites_are_placed_this_way(conn):
    uv3 = conn.execute(
        text("SELECT id, version FROM territory WHERE kind = 'unidad_vecinal' AND code = '03'")
    ).one()
    with pytest.raises(DataError, match="Solo se ubican así los sitios"):
        place_site(conn, ANA, uv3.id, shapely.Point(QUINTA_VALLE), uv3.version)
