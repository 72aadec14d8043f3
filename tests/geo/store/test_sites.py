"""Placing a named site "sin ubicar" on the real PostGIS: located, relinked, version-checked."""

import pytest
from sqlalchemy import text

from geo.errors import DataError
from geo.initiatives.queries import data_quality
from geo.store.initiatives import ConflictError
from geo.territory.sites import place_site, unlocated_sites
from tests.geo.store.test_initiatives import CENTRO_PONIENTE, QUINTA_VALLE, links, point


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
    result = place_site(conn, site["id"], point(QUINTA_VALLE), site["version"], "Ana")
    assert result.version == site["version"] + 1 and set(result.initiatives) == set(linked)
    assert "Chamonate" not in {s["name"] for s in unlocated_sites(conn)}
    assert "Chamonate" not in {s["name"] for s in data_quality(conn).unlocated_sites}
    for iid in linked:
        assert ("03", "geometria") in links(conn, iid)
        assert ("CHAMONATE", "nombre_lugar") in links(conn, iid)
    sector = conn.execute(text("SELECT sector FROM territory WHERE id = :t"), {"t": site["id"]}).scalar()
    assert sector == "urbano"
    with pytest.raises(ConflictError, match="Ana guardó el sitio «Chamonate»"):
        place_site(conn, site["id"], point(CENTRO_PONIENTE), site["version"], "Pedro")


def test_only_named_sites_are_placed_this_way(conn):
    uv3 = conn.execute(
        text("SELECT id, version FROM territory WHERE kind = 'unidad_vecinal' AND code = '03'")
    ).one()
    with pytest.raises(DataError, match="Solo se ubican así los sitios"):
        place_site(conn, uv3.id, point(QUINTA_VALLE), uv3.version, "Ana")
