"""The paper kit of a workshop: an A3 map of a territory with a grid, and an A4 capture sheet.

For halls without a projector and for small groups. Page 1 (A3 landscape) is the map of the
territory cut to its grid (:mod:`geo.workshops.grid`, the same cells the capture import
reads), with the reference layers residents recognise, the plan's initiatives there
numbered and listed beside it, scale bar and north arrow, the legend and a QR code naming
the workshop and the sheet, all outside the map's frame. Page 2 (A4) is the capture sheet
the group fills by hand: cell, kind, strategy, text, votes; its rows are later typed into the
spreadsheet template (:mod:`geo.workshops.capture`).

The map is drawn by :mod:`geo.reports.map_svg`, the PDF by :mod:`geo.reports.render`
(typst; the data reaches ``templates/kit.typ`` only as JSON).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import segno
import shapely
from sqlalchemy import Connection, text

from geo.domain import NEED_KINDS, format_datetime, status_label
from geo.errors import DataError
from geo.initiatives.filters import FILTERED_SQL, MapFilters, filter_params
from geo.reports.ficha import Located, find_territory, territories
from geo.reports.map_svg import (
    REFERENCE_STYLES,
    kit_legend_svg,
    kit_map_svg,
    load_map_layers,
    load_reference_features,
    project_wkb,
)
from geo.reports.render import render_pdf
from geo.workshops.grid import KitGrid, kit_grid

log = logging.getLogger(__name__)

#: Rows of the capture sheet (one need each).
CAPTURE_ROWS = 22
#: Longest initiative name printed in the list beside the map, and the most listed.
NAME_CHARS = 70
MAX_LISTED = 40
SOURCES = (
    "Unidades vecinales: Ministerio de Desarrollo Social y Familia. Límite comunal: IDE Chile. "
    "Capas de referencia: SENAPRED, SERNAGEOMIN, CNR, MINVU, DOH, SISS, SAG, IDE Chile "
    "(data/SOURCES.md). Iniciativas: catálogo del PLADECO Vallenar 2014-2017."
)


@dataclass(frozen=True)
class WorkshopHeader:
    """What a printed page says of its workshop."""

    id: int
    held_on: date
    place: str
    state: str

    @property
    def title(self) -> str:
        """``Taller 12 · 05-12-2026 · Sede social``."""
        return f"Taller {self.id} · {self.held_on:%d-%m-%Y} · {self.place}"


def workshop_header(conn: Connection, workshop_id: int) -> WorkshopHeader:
    """The workshop's id, date, place and state.

    Raises:
        DataError: in Spanish, when there is no such workshop.
    """
    row = conn.execute(
        text("SELECT id, held_on, place, state FROM workshop WHERE id = :id"), {"id": workshop_id}
    ).one_or_none()
    if row is None:
        raise DataError(f"No existe el taller {workshop_id} (vea «sit taller list»).")
    return WorkshopHeader(row.id, row.held_on, row.place, row.state)


def kit_territory(conn: Connection, territory: str | int) -> Located:
    """A located UV or locality by id, or as written («UV 05», «Domeyko»)."""
    if isinstance(territory, str):
        return find_territory(conn, territory)
    found = next((t for t in territories(conn) if t.id == territory), None)
    if found is None:
        raise DataError("El kit se hace de una unidad vecinal o una localidad rural ubicada.")
    return found


def territory_grid(conn: Connection, territory_id: int) -> KitGrid:
    """The kit grid of a territory, from its geometry as stored now."""
    wkb = conn.execute(
        text("SELECT ST_AsBinary(geom) FROM territory WHERE id = :id AND geom IS NOT NULL"),
        {"id": territory_id},
    ).scalar()
    if wkb is None:
        raise DataError("El territorio no tiene geometría: no se puede dibujar su mapa.")
    return kit_grid(shapely.from_wkb(bytes(wkb)))


def qr_payload(workshop_id: int, sheet: str) -> str:
    """What the kit's QR code says: the workshop and the sheet (the territory's label)."""
    return f"SIT-PLADECO taller {workshop_id} hoja {sheet}"


def qr_svg(payload: str, scale: int = 4, fluid: bool = False) -> str:
    """A QR code as a standalone SVG document (segno; error correction M, a quiet zone of 4 modules).

    ``fluid``: no width and height but a viewBox, so a page can size it (the projector's QR).
    """
    buf = io.BytesIO()
    segno.make_qr(payload, error="m").save(
        buf, kind="svg", scale=scale, border=4, xmldecl=False, omitsize=fluid
    )
    return buf.getvalue().decode("utf-8")


def sheet_label(t: Located) -> str:
    """``UV 05`` or the locality's name: the sheet's name on the kit and in the template."""
    return t.label.split(" · ")[0]


def _short(value: str, limit: int) -> str:
    value = " ".join(str(value).split())
    return value if len(value) <= limit else value[: limit - 1].rsplit(" ", 1)[0] + "…"


def kit_initiatives(conn: Connection, territory_id: int) -> list[dict[str, Any]]:
    """The plan's initiatives linked to the territory (not archived, no demo data), by code.

    Each is numbered from 1 (the number printed on the map) and carries its geometry in
    EPSG:4326 as WKB, or None when it has no drawn location.
    """
    rows = conn.execute(
        text(
            f"""
        WITH sel AS ({FILTERED_SQL})
        SELECT i.code, i.name, i.status, s.code AS strategy, ST_AsBinary(i.geom) AS g
          FROM initiative_territory it JOIN sel ON sel.id = it.initiative_id
          JOIN initiative i ON i.id = it.initiative_id JOIN strategy s ON s.id = i.strategy_id
         WHERE it.territory_id = :tid
         ORDER BY i.code
        """
        ),
        {**filter_params(MapFilters()), "tid": territory_id},
    ).all()
    return [
        {
            "number": n,
            "code": r.code,
            "name": r.name,
            "status": status_label(r.status),
            "strategy": r.strategy,
            "wkb": bytes(r.g) if r.g is not None else None,
        }
        for n, r in enumerate(rows, start=1)
    ]


def strategies(conn: Connection) -> list[dict[str, Any]]:
    """The plan's strategies (id, code and name), in their order, for the capture sheet and forms."""
    rows = conn.execute(text("SELECT id, code, name FROM strategy ORDER BY position")).all()
    return [{"id": r.id, "code": r.code, "name": r.name} for r in rows]


def map_parts(
    conn: Connection,
    t: Located,
    grid: KitGrid,
    initiatives: list[dict[str, Any]],
    needs: list[tuple[str, bytes]] | None = None,
) -> tuple[str, str]:
    """The kit's map and its legend, as SVG (the acta draws the same map with the needs)."""
    layers = load_map_layers(conn, MapFilters())
    refs = load_reference_features(conn, grid.bounds)
    located = [i for i in initiatives if i["wkb"] is not None]
    geoms = project_wkb([i["wkb"] for i in located])
    need_geoms = project_wkb([w for _, w in needs or []])
    svg = kit_map_svg(
        layers,
        t.id,
        grid.bounds,
        grid.cell_m,
        grid.column_labels(),
        refs,
        [(i["number"], g) for i, g in zip(located, geoms, strict=True)],
        needs=[(k, g) for (k, _), g in zip(needs or [], need_geoms, strict=True)] if needs else None,
    )
    present = sorted({f.layer for f in refs if f.layer in REFERENCE_STYLES})
    return svg, kit_legend_svg(present, with_needs=needs is not None)


def kit_data(conn: Connection, workshop_id: int, territory: str | int, now: datetime) -> dict[str, Any]:
    """Everything the kit's two pages print, as JSON-ready texts."""
    header = workshop_header(conn, workshop_id)
    t = kit_territory(conn, territory)
    grid = territory_grid(conn, t.id)
    initiatives = kit_initiatives(conn, t.id)
    svg, legend = map_parts(conn, t, grid, initiatives)
    sheet = sheet_label(t)
    cols = grid.column_labels()
    return {
        "workshop": header.title,
        "territory": t.label,
        "sheet": sheet,
        "map": svg,
        "legend": legend,
        "qr": qr_svg(qr_payload(workshop_id, sheet)),
        "qr_text": qr_payload(workshop_id, sheet),
        "grid_note": (
            f"Cuadrícula de {grid.cell_m:,} m de lado".replace(",", ".")
            + f": columnas {cols[0]} a {cols[-1]}, filas 1 a {grid.rows}. "
            "Anote la celda de cada necesidad (p. ej. C4) en la hoja de captura."
        ),
        "grid_definition": f"Cuadrícula: {grid.describe()}.",
        "initiatives": [
            {
                "number": str(i["number"]),
                "code": i["code"],
                "name": _short(i["name"], NAME_CHARS),
                "status": i["status"],
                "located": i["wkb"] is not None,
            }
            for i in initiatives[:MAX_LISTED]
        ],
        "more": f"y {len(initiatives) - MAX_LISTED} más" if len(initiatives) > MAX_LISTED else "",
        "n_unlocated": sum(1 for i in initiatives if i["wkb"] is None),
        "kinds": list(NEED_KINDS.values()),
        "strategies": strategies(conn),
        "rows": CAPTURE_ROWS,
        "generated": f"Generado el {format_datetime(now)}",
        "sources": SOURCES,
    }


def kit_pdf(conn: Connection, workshop_id: int, territory: str | int, now: datetime | None = None) -> bytes:
    """The kit of a workshop for one territory (id, or «UV 05», «Domeyko»): A3 map, then A4 capture sheet."""
    return render_pdf("kit.typ", kit_data(conn, workshop_id, territory, now or datetime.now(UTC)))
