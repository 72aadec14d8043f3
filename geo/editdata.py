"""Read side of the initiative editor: catalogue choices, one initiative, its history."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text

from geo.editing import InitiativeInput


def catalogue_choices(conn: Connection) -> dict[str, list[tuple]]:
    """Strategies (code, label), plans (code, label, strategy) and programs (code, label, plan)."""
    strategies = conn.execute(text(
        "SELECT code, code || ' · ' || name FROM strategy ORDER BY position")).all()
    plans = conn.execute(text(
        """
        SELECT p.code, p.code || ' · ' || p.name, s.code FROM plan p
          JOIN strategy s ON s.id = p.strategy_id ORDER BY s.position, p.position
        """)).all()
    programs = conn.execute(text(
        """
        SELECT g.code, g.code || ' · ' || coalesce(g.name, '(programa sin nombre en el plan)'), p.code
          FROM program g JOIN plan p ON p.id = g.plan_id ORDER BY p.code, g.position
        """)).all()
    return {"strategies": [tuple(r) for r in strategies], "plans": [tuple(r) for r in plans],
            "programs": [tuple(r) for r in programs]}


def territory_choices(conn: Connection) -> list[tuple[int, str, str, bool]]:
    """Every UV, locality and site as (id, label, kind, located), UVs first."""
    rows = conn.execute(text(
        """
        SELECT id, kind, code, name, geom IS NOT NULL AS located FROM territory
         ORDER BY CASE kind WHEN 'unidad_vecinal' THEN 0 WHEN 'localidad' THEN 1 ELSE 2 END,
                  code, name
        """)).all()
    out = []
    for r in rows:
        if r.kind == "unidad_vecinal":
            label = f"UV {r.code} · {r.name}"
        elif r.kind == "localidad":
            label = f"Localidad · {r.name}"
        else:
            label = f"Sitio · {r.name}" + ("" if r.located else " (sin ubicar)")
        out.append((r.id, label, r.kind, bool(r.located)))
    return out


def load_initiative(conn: Connection, initiative_id: int) -> dict[str, Any] | None:
    """The stored initiative as form input, with its version, geometry and geometry links."""
    r = conn.execute(text(
        """
        SELECT i.*, s.code AS strategy_code, p.code AS plan_code, g.code AS program_code,
               ST_AsGeoJSON(i.geom, 6) AS geojson
          FROM initiative i JOIN strategy s ON s.id = i.strategy_id
          LEFT JOIN plan p ON p.id = i.plan_id LEFT JOIN program g ON g.id = i.program_id
         WHERE i.id = :i
        """), {"i": initiative_id}).mappings().first()
    if r is None:
        return None
    links = conn.execute(text(
        """
        SELECT it.territory_id, it.link_method, t.name, t.kind, t.code FROM initiative_territory it
          JOIN territory t ON t.id = it.territory_id
         WHERE it.initiative_id = :i ORDER BY t.kind DESC, t.code
        """), {"i": initiative_id}).mappings().all()
    inp = InitiativeInput(
        code=r["code"], name=r["name"], kind=r["kind"], strategy=r["strategy_code"],
        plan=r["plan_code"], program=r["program_code"], status=r["status"], scope=r["scope"],
        amount_clp=r["amount_clp"], funding_source=r["funding_source"],
        responsible_unit=r["responsible_unit"], bip_code=r["bip_code"],
        start_year=r["start_year"], end_year=r["end_year"], description=r["description"],
        place_note=r["place_note"],
        territories=tuple(x["territory_id"] for x in links if x["link_method"] != "geometria"))
    return {
        "id": r["id"], "version": r["version"], "input": inp, "is_demo": r["is_demo"],
        "source": r["source"], "geometry": json.loads(r["geojson"]) if r["geojson"] else None,
        "geometry_links": [("UV " + x["code"] + " · " if x["kind"] == "unidad_vecinal" else "")
                           + x["name"] for x in links if x["link_method"] == "geometria"],
    }


def status_history(conn: Connection, initiative_id: int) -> list[dict[str, Any]]:
    """Status changes of an initiative, newest first."""
    return [dict(r) for r in conn.execute(text(
        """
        SELECT changed_at, changed_by_name, from_status, to_status, comment FROM status_history
         WHERE initiative_id = :i ORDER BY changed_at DESC, id DESC
        """), {"i": initiative_id}).mappings()]


def territory_geojson(conn: Connection, territory_ids: list[int], decimals: int = 6) -> dict[str, Any]:
    """GeoJSON of some located territories (to show the one whose geometry would be copied)."""
    rows = conn.execute(text(
        """
        SELECT id, name, ST_AsGeoJSON(geom, :d) AS g FROM territory
         WHERE id = ANY(:ids) AND geom IS NOT NULL
        """), {"ids": territory_ids, "d": decimals}).all()
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": json.loads(r.g), "properties": {"id": r.id, "nombre": r.name}}
        for r in rows]}
