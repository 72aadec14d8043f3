"""Read side of the named sites: which are "sin ubicar", every site with its placement, history.

Writes (placing, moving, returning to "sin ubicar") go through :mod:`geo.store.territories`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import Connection, text

from geo.store.audit import history

log = logging.getLogger(__name__)


def named_sites(conn: Connection, unlocated_only: bool = False) -> list[dict[str, Any]]:
    """Named sites by name: id, code, name, version, source, located, geometry, linked initiatives."""
    rows = conn.execute(
        text(
            """
            SELECT t.id, t.code, t.name, t.version, t.source, t.geom IS NOT NULL AS located,
                   ST_AsGeoJSON(t.geom, 6) AS g, t.attrs->>'ubicado_por' AS placed_by,
                   (SELECT count(*) FROM initiative_territory it WHERE it.territory_id = t.id) AS n
              FROM territory t
             WHERE t.kind = 'sitio' AND (NOT :only OR t.geom IS NULL)
             ORDER BY t.name
            """
        ),
        {"only": unlocated_only},
    ).mappings()
    return [{**r, "geometry": json.loads(r["g"]) if r["g"] else None} for r in rows]


def unlocated_sites(conn: Connection) -> list[dict[str, Any]]:
    """Named sites without geometry (id, name, version, linked initiatives), by name."""
    return named_sites(conn, unlocated_only=True)


#: Spanish names of the placement actions in a site's history.
PLACEMENT_ACTIONS = {
    "crear_territorio": "Nombrado en el plan (sin ubicar)",
    "ubicar_sitio": "Ubicado",
    "reubicar_sitio": "Reubicado",
    "quitar_ubicacion_sitio": "Devuelto a «sin ubicar»",
    "editar_territorio": "Cambiado por una capa importada",
}


def site_history(conn: Connection, territory_id: int, show_names: bool = True) -> list[dict[str, Any]]:
    """Each placement of a site, newest first: when, who (the account), what, and the geometry after it.

    ``show_names`` False (the public) names no person (:func:`geo.store.audit.author`).
    """
    out = []
    for h in history(conn, "territory", territory_id, show_names):
        geometry = (h["changes"].get("geometry") or [None, None])[1]
        out.append(
            {
                "at": h["at"],
                "by": h["by"],
                "account": h["account"],
                "via": h["via"],
                "action": PLACEMENT_ACTIONS.get(h["action"], h["action"]),
                "geometry": json.loads(geometry) if geometry else None,
                # A confirmed suggestion: the reference feature (layer, name, agency) it came from.
                "origin": (h.get("details") or {}).get("origen"),
            }
        )
    return out


def find_site(conn: Connection, name_or_code: str) -> dict[str, Any] | None:
    """A site by its code or its exact name (case and accents as written)."""
    for s in named_sites(conn):
        if name_or_code in (s["code"], s["name"]) or name_or_code.casefold() == s["name"].casefold():
            return s
    return None
