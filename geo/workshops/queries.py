"""Read side of workshops and needs: lists, one workshop, needs as GeoJSON-ready rows.

Read only (writes are :mod:`geo.store.workshops`). A need merged into another is left out
unless asked for; rejected needs are left out of maps and counts, pending ones (sent from a
phone, waiting for the facilitator) are kept with their state so the page can show them apart.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text

from geo.errors import DataError
from geo.territory.gazetteer import Gazetteer

log = logging.getLogger(__name__)

#: A territory as people name it: «UV 05 · Carrera», «Domeyko».
TERRITORY_LABEL_SQL = (
    "CASE WHEN {t}.kind = 'unidad_vecinal' THEN 'UV ' || {t}.code || ' · ' || {t}.name ELSE {t}.name END"
)

_WORKSHOPS = f"""
    SELECT w.id, w.held_on, w.place, w.state, w.version, w.attendance_total, w.attendance,
           w.organisations, w.closing_report, w.participation_open, w.participation_code,
           w.facilitator_id, w.facilitator_name, u.full_name AS facilitator_account,
           coalesce(ts.ids, '{{}}') AS territory_ids, coalesce(ts.labels, '{{}}') AS territories,
           coalesce(n.accepted, 0) AS needs, coalesce(n.pending, 0) AS pending
      FROM workshop w
      LEFT JOIN app_user u ON u.id = w.facilitator_id
      LEFT JOIN LATERAL (
            SELECT array_agg(t.id ORDER BY t.kind DESC, t.code) AS ids,
                   array_agg({TERRITORY_LABEL_SQL.format(t="t")} ORDER BY t.kind DESC, t.code) AS labels
              FROM workshop_territory wt JOIN territory t ON t.id = wt.territory_id
             WHERE wt.workshop_id = w.id) ts ON true
      LEFT JOIN LATERAL (
            SELECT count(*) FILTER (WHERE state = 'aceptada') AS accepted,
                   count(*) FILTER (WHERE state = 'pendiente') AS pending
              FROM need WHERE workshop_id = w.id AND merged_into_id IS NULL) n ON true
"""


def _workshop(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    out["facilitator"] = out.pop("facilitator_account") or out["facilitator_name"]
    out["territory_ids"] = list(out["territory_ids"])
    out["territories"] = list(out["territories"])
    return out


def workshop_list(conn: Connection) -> list[dict[str, Any]]:
    """Every workshop, newest first: date, place, state, facilitator, territories, needs counted."""
    rows = conn.execute(text(_WORKSHOPS + " ORDER BY w.held_on DESC, w.id DESC")).all()
    return [_workshop(r) for r in rows]


def workshop_detail(conn: Connection, workshop_id: int) -> dict[str, Any] | None:
    """One workshop as :func:`workshop_list` gives it, or None when it does not exist."""
    row = conn.execute(text(_WORKSHOPS + " WHERE w.id = :i"), {"i": workshop_id}).first()
    return None if row is None else _workshop(row)


#: The UV or locality a need ``n`` lies in (``place.id``, ``place.label``): the one holding its
#: representative point, so each need counts in one territory (a locality before the rural UV
#: that holds it: people name the locality).
NEED_PLACE_JOIN = f"""LEFT JOIN LATERAL (
            SELECT t.id, {TERRITORY_LABEL_SQL.format(t="t")} AS label FROM territory t
             WHERE t.kind IN ('unidad_vecinal', 'localidad') AND t.geom IS NOT NULL
               AND ST_Intersects(t.geom, ST_PointOnSurface(n.geom))
             ORDER BY t.kind = 'unidad_vecinal', ST_Area(t.geom) LIMIT 1) place ON true"""

_NEEDS = f"""
    SELECT n.id, n.workshop_id, n.kind, n.strategy_id, s.code AS strategy_code, s.name AS strategy_name,
           n.text, n.votes, n.state, n.origin, n.merged_into_id, n.version, n.photo IS NOT NULL AS has_photo,
           n.created_at, GeometryType(n.geom) AS geometry_type, ST_AsGeoJSON(n.geom, 6) AS g,
           place.id AS territory_id, place.label AS territory,
           coalesce(links.codes, '{{}}') AS initiatives
      FROM need n
      LEFT JOIN strategy s ON s.id = n.strategy_id
      {NEED_PLACE_JOIN}
      LEFT JOIN LATERAL (
            SELECT array_agg(i.code ORDER BY i.code) AS codes
              FROM need_initiative l JOIN initiative i ON i.id = l.initiative_id
             WHERE l.need_id = n.id) links ON true
"""


def _need(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    out["geometry"] = json.loads(out.pop("g"))
    out["initiatives"] = list(out["initiatives"])
    return out


def workshop_needs(
    conn: Connection, workshop_id: int, *, include_merged: bool = False, include_rejected: bool = False
) -> list[dict[str, Any]]:
    """The needs of a workshop (most votes first), each with its GeoJSON geometry in ``geometry``.

    ``territory`` is the UV or locality its representative point lies in (None: outside
    them all); ``initiatives`` the codes of the initiatives confirmed to answer it.
    """
    rows = conn.execute(
        text(
            _NEEDS
            + """
             WHERE n.workshop_id = :w AND (:merged OR n.merged_into_id IS NULL)
               AND (:rejected OR n.state <> 'rechazada')
             ORDER BY n.votes DESC, n.id
            """
        ),
        {"w": workshop_id, "merged": include_merged, "rejected": include_rejected},
    ).all()
    return [_need(r) for r in rows]


def territory_needs(conn: Connection, territory_id: int) -> list[dict[str, Any]]:
    """The accepted needs (of every workshop) whose point lies in a UV or locality."""
    rows = conn.execute(
        text(
            _NEEDS
            + """
             WHERE place.id = :t AND n.merged_into_id IS NULL AND n.state = 'aceptada'
             ORDER BY n.votes DESC, n.id
            """
        ),
        {"t": territory_id},
    ).all()
    return [_need(r) for r in rows]


def need_detail(conn: Connection, need_id: int) -> dict[str, Any] | None:
    """One need (also merged or rejected), or None."""
    row = conn.execute(text(_NEEDS + " WHERE n.id = :i"), {"i": need_id}).first()
    return None if row is None else _need(row)


def need_photo(conn: Connection, need_id: int) -> tuple[bytes, str] | None:
    """A need's photo and its content type, or None."""
    row = conn.execute(
        text("SELECT photo, photo_type FROM need WHERE id = :i AND photo IS NOT NULL"), {"i": need_id}
    ).first()
    return None if row is None else (bytes(row.photo), row.photo_type)


def workshop_territories_geojson(conn: Connection, workshop_id: int) -> dict[str, Any]:
    """GeoJSON of the territories a workshop covers (id, kind, code, label), to frame its map."""
    rows = conn.execute(
        text(
            f"""
            SELECT t.id, t.kind, t.code, {TERRITORY_LABEL_SQL.format(t="t")} AS label,
                   ST_AsGeoJSON(t.geom, 6) AS g
              FROM workshop_territory wt JOIN territory t ON t.id = wt.territory_id
             WHERE wt.workshop_id = :w AND t.geom IS NOT NULL
             ORDER BY t.kind DESC, t.code
            """
        ),
        {"w": workshop_id},
    ).all()
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": json.loads(r.g),
                "properties": {"id": r.id, "kind": r.kind, "code": r.code, "label": r.label},
            }
            for r in rows
        ],
    }


def workshop_territory_choices(conn: Connection) -> list[tuple[int, str]]:
    """The UVs and localities a workshop may cover, as (id, label), UVs first."""
    rows = conn.execute(
        text(
            f"""
            SELECT t.id, {TERRITORY_LABEL_SQL.format(t="t")} AS label FROM territory t
             WHERE t.kind IN ('unidad_vecinal', 'localidad')
             ORDER BY t.kind DESC, t.code
            """
        )
    ).all()
    return [(r.id, r.label) for r in rows]


def find_workshop_territories(conn: Connection, written: Sequence[str]) -> list[int]:
    """The ids of UVs or localities as people write them («UV 05», «Domeyko»), in order.

    Raises:
        DataError: in Spanish, naming the first name that is unknown, ambiguous, or neither
            a UV nor a locality.
    """
    gazetteer = Gazetteer.load(conn)
    kinds: dict[int, str] = dict(
        conn.execute(
            text("SELECT id, kind FROM territory WHERE kind IN ('unidad_vecinal', 'localidad')")
        ).all()
    )
    ids: list[int] = []
    for name in written:
        match = gazetteer.match(name)
        place = match.place
        if place is None:
            raise DataError(f"Territorio «{name.strip()}»: {match.problem}.")
        if place.target != "territory" or place.id not in kinds:
            raise DataError(
                f"«{name.strip()}» es {place.name}: un taller cubre unidades vecinales o localidades rurales."
            )
        ids.append(place.id)
    return ids


def workshop_initiatives(conn: Connection, workshop_id: int) -> list[dict[str, Any]]:
    """The plan's initiatives linked to a workshop's territories (not archived, not demo).

    ``geometry`` is the initiative's own (GeoJSON), None for those the plan does not draw.
    """
    rows = conn.execute(
        text(
            """
            SELECT DISTINCT i.id, i.code, i.name, i.status, s.code AS strategy_code,
                   ST_AsGeoJSON(i.geom, 6) AS g
              FROM workshop_territory wt
              JOIN initiative_territory it ON it.territory_id = wt.territory_id
              JOIN initiative i ON i.id = it.initiative_id
              JOIN strategy s ON s.id = i.strategy_id
             WHERE wt.workshop_id = :w AND i.archived_at IS NULL AND NOT i.is_demo
             ORDER BY i.code
            """
        ),
        {"w": workshop_id},
    ).all()
    return [
        {
            "id": r.id,
            "code": r.code,
            "name": r.name,
            "status": r.status,
            "strategy_code": r.strategy_code,
            "geometry": json.loads(r.g) if r.g else None,
        }
        for r in rows
    ]


def workshop_stamp(conn: Connection, workshop_id: int) -> str:
    """Changes whenever the workshop, its needs or their links change (keys its map)."""
    row = conn.execute(
        text(
            """
            SELECT w.version, w.updated_at,
                   (SELECT count(*) || ':' || coalesce(sum(n.version), 0) || ':'
                           || coalesce(max(n.updated_at)::text, '')
                      FROM need n WHERE n.workshop_id = w.id),
                   (SELECT count(*) FROM need_initiative l JOIN need n ON n.id = l.need_id
                     WHERE n.workshop_id = w.id)
              FROM workshop w WHERE w.id = :w
            """
        ),
        {"w": workshop_id},
    ).first()
    return "" if row is None else "|".join(str(v) for v in row)


def facilitator_choices(conn: Connection) -> list[tuple[int, str]]:
    """Active accounts that may run a workshop (facilitador, administrador), as (id, full name)."""
    rows = conn.execute(
        text(
            "SELECT id, full_name FROM app_user WHERE active AND role IN ('facilitador', 'administrador') "
            "ORDER BY full_name"
        )
    ).all()
    return [(r.id, r.full_name) for r in rows]
