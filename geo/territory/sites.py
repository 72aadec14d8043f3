"""Place a named site on the map (often one "sin ubicar") and relink its initiatives."""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, Engine, text

from geo.db import transaction
from geo.errors import DataError
from geo.store.initiatives import (
    ValidationError,
    audit,
    conflict_error,
    drawn_geometry,
    ensure_user,
    near_commune,
    require_editor,
)
from geo.territory.links import link_by_geometry
from geo.territory.sectors import compute_sectors


@dataclass
class PlaceResult:
    """A placed site: its new version and the initiatives whose links were recomputed."""

    version: int
    initiatives: list[int] = field(default_factory=list)


def place_site(
    bind: Engine | Connection,
    territory_id: int,
    geometry: BaseGeometry | dict | None,
    expected_version: int,
    editor: str | None,
) -> PlaceResult:
    """Give a named site (often "sin ubicar") its drawn geometry; relink its initiatives.

    Initiatives linked to the site that have no geometry of their own get geometry links to
    the UVs and localities the site touches (see :func:`geo.initiatives.demo.link_by_geometry`).
    """
    name = require_editor(editor)
    try:
        geom = drawn_geometry(geometry)
    except ValueError as exc:
        raise ValidationError({"geometry": str(exc)}) from None
    wkb = shapely.to_wkb(geom)
    with transaction(bind) as conn:
        site = conn.execute(
            text(
                "SELECT kind, name, version, geom IS NULL AS unlocated FROM territory "
                "WHERE id = :t FOR UPDATE"
            ),
            {"t": territory_id},
        ).first()
        if site is None or site.kind != "sitio":
            raise DataError("Solo se ubican así los sitios nombrados (no UV ni localidades).")
        if site.version != expected_version:
            raise conflict_error(
                conn, territory_id, expected_version, site.version, "territory", f"el sitio «{site.name}»"
            )
        if not near_commune(conn, wkb):
            raise ValidationError({"geometry": f"«{site.name}» quedaría fuera de la comuna de Vallenar."})
        user_id = ensure_user(conn, name)
        new_version = conn.execute(
            text(
                """
            UPDATE territory
               SET geom = ST_SetSRID(ST_GeomFromWKB(:wkb), 4326), version = version + 1,
                   source = source || CASE WHEN geom IS NULL THEN '; ubicado en el SIT por ' || :n
                                           ELSE '' END
             WHERE id = :t AND version = :v
            RETURNING version
            """
            ),
            {"wkb": wkb, "t": territory_id, "v": expected_version, "n": name},
        ).scalar_one()
        compute_sectors(conn)
        linked = list(
            conn.execute(
                text(
                    """
            SELECT initiative_id FROM initiative_territory
             WHERE territory_id = :t AND link_method <> 'geometria' ORDER BY initiative_id
            """
                ),
                {"t": territory_id},
            ).scalars()
        )
        link_by_geometry(conn, initiative_ids=linked)
        audit(
            conn,
            user_id,
            name,
            "ubicar_sitio",
            "territory",
            territory_id,
            {
                "version": new_version,
                "changes": {"geometry": [None, geom.geom_type]},
                "estaba_sin_ubicar": site.unlocated,
                "iniciativas": linked,
            },
        )
    return PlaceResult(version=new_version, initiatives=linked)


def unlocated_sites(conn: Connection) -> list[dict]:
    """Named sites without geometry (id, name, version, linked initiatives), by name."""
    return [
        dict(r)
        for r in conn.execute(
            text(
                """
        SELECT t.id, t.name, t.version, t.source,
               (SELECT count(*) FROM initiative_territory it WHERE it.territory_id = t.id) AS n
          FROM territory t WHERE t.kind = 'sitio' AND t.geom IS NULL ORDER BY t.name
        """
            )
        ).mappings()
    ]
