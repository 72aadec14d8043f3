"""Links of initiatives to territories and facilities, as the write path keeps them.

Three methods (``geo.domain.LINK_METHODS``): by hand (the editor's "Territorios"), from a
place name (the catalogue's ``pladeco:`` references, a spreadsheet's ``planilla:`` ones) and
from the geometry (recomputed by :func:`geo.territory.links.link_by_geometry`, never
written by hand). Only :mod:`geo.store.initiatives` calls the writers here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from geo.store.bulk import rows_table

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlaceLinks:
    """Links made from place names (``nombre_lugar``) that a change sets.

    Attributes:
        territories: territory id -> the place as written, with its origin
            (``"planilla:UV 3"``, ``"pladeco:uv:3"``).
        facilities: facility id -> the same.
        scope: only the place links whose reference starts with this are replaced (the
            catalogue replaces its own ``pladeco:`` links); None replaces every place link.
    """

    territories: Mapping[int, str]
    facilities: Mapping[int, str] = field(default_factory=dict)
    scope: str | None = None


@dataclass
class LinkSet:
    """The current links of one initiative (territories and facilities)."""

    territories: dict[int, tuple[str, str | None]] = field(default_factory=dict)  # id -> (method, ref)
    facilities: dict[int, tuple[str, str | None]] = field(default_factory=dict)

    def hand(self) -> list[int]:
        """Territories linked by hand or by place name (what the form shows), sorted."""
        return sorted(t for t, (m, _) in self.territories.items() if m != "geometria")

    def places(self, scope: str | None) -> tuple[set[int], set[int]]:
        """Territory and facility ids linked by place name within ``scope``."""

        def inside(method: str, ref: str | None) -> bool:
            return method == "nombre_lugar" and (scope is None or (ref or "").startswith(scope))

        return (
            {t for t, (m, r) in self.territories.items() if inside(m, r)},
            {f for f, (m, r) in self.facilities.items() if inside(m, r)},
        )

    def place_refs(self, scope: str | None) -> list[str]:
        """The places as written (origin prefix removed) within ``scope``, sorted, unique."""
        refs = [
            r
            for links in (self.territories, self.facilities)
            for m, r in links.values()
            if m == "nombre_lugar" and r and (scope is None or r.startswith(scope))
        ]
        return sorted({r.split(":", 1)[-1] for r in refs})


def current_links(conn: Connection, initiative_ids: Sequence[int]) -> dict[int, LinkSet]:
    """The links of these initiatives (one query per link table)."""
    out: dict[int, LinkSet] = {i: LinkSet() for i in initiative_ids}
    if not initiative_ids:
        return out
    ids = list(initiative_ids)
    for r in conn.execute(
        text(
            "SELECT initiative_id, territory_id, link_method, place_ref FROM initiative_territory "
            "WHERE initiative_id = ANY(:ids)"
        ),
        {"ids": ids},
    ):
        out[r.initiative_id].territories[r.territory_id] = (r.link_method, r.place_ref)
    for r in conn.execute(
        text(
            "SELECT initiative_id, facility_id, link_method, place_ref FROM initiative_facility "
            "WHERE initiative_id = ANY(:ids)"
        ),
        {"ids": ids},
    ):
        out[r.initiative_id].facilities[r.facility_id] = (r.link_method, r.place_ref)
    return out


def place_links_change(have: LinkSet, links: PlaceLinks) -> tuple[list[str], list[str]] | None:
    """The places as written before and after, or None when ``links`` change nothing.

    A territory or facility that is already linked another way (by hand, from the
    geometry) keeps that link: it counts as present.
    """
    terr, fac = have.places(links.scope)
    other_t = {t for t, (m, _) in have.territories.items() if m != "nombre_lugar"}
    other_f = {f for f, (m, _) in have.facilities.items() if m != "nombre_lugar"}
    want_t, want_f = set(links.territories), set(links.facilities)
    if want_t - other_t == terr and want_f - other_f == fac:
        return None
    after = sorted({r.split(":", 1)[-1] for r in (*links.territories.values(), *links.facilities.values())})
    return have.place_refs(links.scope), after


def set_hand_links(conn: Connection, initiative_id: int, territory_ids: Sequence[int]) -> None:
    """Make the non-geometry links exactly ``territory_ids``.

    Links from a place name that stay in the list keep their origin; new ones are made by
    hand (also when the territory was linked from the geometry: the person chose it).
    """
    ids = list(territory_ids)
    conn.execute(
        text(
            """
            DELETE FROM initiative_territory
             WHERE initiative_id = :i AND link_method IN ('manual', 'nombre_lugar')
               AND NOT (territory_id = ANY(:ids))
            """
        ),
        {"i": initiative_id, "ids": ids},
    )
    if ids:
        conn.execute(
            text(
                """
                INSERT INTO initiative_territory (initiative_id, territory_id, link_method)
                VALUES (:i, :t, 'manual')
                ON CONFLICT (initiative_id, territory_id) DO UPDATE SET link_method = 'manual',
                    weight = NULL
                 WHERE initiative_territory.link_method = 'geometria'
                """
            ),
            [{"i": initiative_id, "t": t} for t in ids],
        )


def set_place_links(conn: Connection, changes: list[tuple[int, PlaceLinks]]) -> None:
    """Replace the place links of several initiatives (equal weights between territories)."""
    for scope in {links.scope for _, links in changes}:
        ids = [i for i, links in changes if links.scope == scope]
        like = "%" if scope is None else scope.replace("%", r"\%") + "%"
        for table in ("initiative_territory", "initiative_facility"):
            conn.execute(
                text(
                    f"DELETE FROM {table} WHERE initiative_id = ANY(:ids) AND link_method = 'nombre_lugar' "
                    "AND coalesce(place_ref, '') LIKE :like"
                ),
                {"ids": ids, "like": like},
            )
    terr = [
        {"i": i, "t": t, "w": round(1 / len(links.territories), 6), "ref": ref}
        for i, links in changes
        for t, ref in sorted(links.territories.items())
    ]
    fac = [
        {"i": i, "f": f, "ref": ref} for i, links in changes for f, ref in sorted(links.facilities.items())
    ]
    if terr:
        source, params = rows_table({"i": "int", "t": "int", "w": "numeric", "ref": "text"}, terr)
        conn.execute(
            text(
                f"""
                INSERT INTO initiative_territory (initiative_id, territory_id, link_method, weight, place_ref)
                SELECT v.i, v.t, 'nombre_lugar', v.w, v.ref FROM {source} ON CONFLICT DO NOTHING
                """
            ),
            params,
        )
    if fac:
        source, params = rows_table({"i": "int", "f": "int", "ref": "text"}, fac)
        conn.execute(
            text(
                f"""
                INSERT INTO initiative_facility (initiative_id, facility_id, link_method, place_ref)
                SELECT v.i, v.f, 'nombre_lugar', v.ref FROM {source} ON CONFLICT DO NOTHING
                """
            ),
            params,
        )


def territory_names(conn: Connection, ids: set[int]) -> dict[int, str]:
    """Readable names of territories (``UV 03 · Quinta Valle``) for histories."""
    rows = conn.execute(
        text("SELECT id, kind, code, name FROM territory WHERE id = ANY(:ids)"), {"ids": sorted(ids)}
    )
    return {r.id: (f"UV {r.code} · {r.name}" if r.kind == "unidad_vecinal" else r.name) for r in rows}
