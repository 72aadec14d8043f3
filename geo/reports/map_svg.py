"""The map of a Ficha territorial, drawn by the app itself as SVG (no tiles, no network).

The layers are read once for a whole booklet (:func:`load_map_layers`: the UVs and
localities, the commune limit, the facilities and the filtered initiatives linked to each
territory), projected with pyproj to UTM 19S (EPSG:32719, metres: the commune lies in that
zone, so shapes and the scale bar are true), and each territory's map is cut from them
(:func:`territory_map_svg`): its outline, the neighbouring UVs lightly, its initiatives as
points, lines and areas, the schools and health establishments in view, a scale bar, a
north arrow and a small legend. Names are written as SVG text, escaped for XML.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, text

from geo.initiatives.filters import FILTERED_SQL, MapFilters, filter_params

log = logging.getLogger(__name__)

#: Size of the map (SVG user units; the template scales it to the frame's width), and of the
#: legend drawn under it.
WIDTH, HEIGHT = 560.0, 380.0
LEGEND_HEIGHT = 34.0
#: Smallest side of the area shown (m): a village or a point locality gets some context.
MIN_EXTENT_M = 1800.0
_TO_UTM = Transformer.from_crs(4326, 32719, always_xy=True)

TERRITORY_STROKE = "#B2182B"
INITIATIVE_COLOUR = "#2166AC"
SCHOOL_COLOUR = "#E08214"
HEALTH_COLOUR = "#1B7837"
NEIGHBOUR_FILL = "#F2F0EA"


@dataclass
class MapLayers:
    """Everything a booklet's maps draw, in EPSG:32719."""

    territories: dict[int, tuple[str, str, BaseGeometry]] = field(default_factory=dict)  # kind, label, geom
    commune: BaseGeometry | None = None
    facilities: list[tuple[str, bool, BaseGeometry]] = field(default_factory=list)  # kind, in operation
    initiatives: dict[int, list[BaseGeometry]] = field(default_factory=dict)  # by territory id


def _project(wkbs: list[bytes]) -> list[BaseGeometry]:
    if not wkbs:
        return []
    geoms = shapely.from_wkb(np.array(wkbs, dtype=object))

    def utm(coords: np.ndarray) -> np.ndarray:
        x, y = _TO_UTM.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return list(shapely.transform(geoms, utm))


def load_map_layers(conn: Connection, f: MapFilters) -> MapLayers:
    """Read and project every layer the maps of the fichas draw (four statements)."""
    terr = conn.execute(
        text(
            """
        SELECT id, kind, code, name, ST_AsBinary(geom) AS g FROM territory
         WHERE kind IN ('unidad_vecinal', 'localidad') AND geom IS NOT NULL
        """
        )
    ).all()
    commune = conn.execute(
        text("SELECT ST_AsBinary(ST_Union(geom)) FROM boundary WHERE kind = 'limite_comunal'")
    ).scalar()
    fac = conn.execute(
        text("SELECT kind, in_operation, ST_AsBinary(geom) FROM facility WHERE geom IS NOT NULL")
    ).all()
    ini = conn.execute(
        text(
            f"""
        WITH sel AS ({FILTERED_SQL})
        SELECT it.territory_id, ST_AsBinary(i.geom)
          FROM initiative_territory it JOIN sel ON sel.id = it.initiative_id
          JOIN initiative i ON i.id = it.initiative_id
         WHERE i.geom IS NOT NULL
        """
        ),
        filter_params(f),
    ).all()
    layers = MapLayers()
    for r, g in zip(terr, _project([bytes(r.g) for r in terr]), strict=True):
        label = f"UV {r.code}" if r.kind == "unidad_vecinal" else r.name
        layers.territories[r.id] = (r.kind, label, g)
    if commune is not None:
        layers.commune = _project([bytes(commune)])[0]
    for r, g in zip(fac, _project([bytes(r[2]) for r in fac]), strict=True):
        layers.facilities.append((r[0], bool(r[1]), g))
    for r, g in zip(ini, _project([bytes(r[1]) for r in ini]), strict=True):
        layers.initiatives.setdefault(r[0], []).append(g)
    return layers


def drawn_initiatives(layers: MapLayers, territory_id: int) -> int:
    """How many of the territory's initiatives the map draws (those with a geometry)."""
    return len(layers.initiatives.get(territory_id, []))


def containing_uv(layers: MapLayers, territory_id: int) -> int | None:
    """The UV a locality lies in (the one holding a point of it), or None."""
    here = layers.territories.get(territory_id)
    if here is None:
        return None
    point = here[2].representative_point()
    return next(
        (t for t, (k, _, g) in layers.territories.items() if k == "unidad_vecinal" and g.contains(point)),
        None,
    )


@dataclass(frozen=True)
class _Frame:
    """From UTM metres to SVG units: the extent fitted to the drawing, north up."""

    minx: float
    maxy: float
    scale: float  # SVG units per metre

    def xy(self, x: float, y: float) -> str:
        return f"{(x - self.minx) * self.scale:.1f} {(self.maxy - y) * self.scale:.1f}"

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.minx, self.maxy - HEIGHT / self.scale, self.minx + WIDTH / self.scale, self.maxy)


def _frame(geom: BaseGeometry) -> _Frame:
    minx, miny, maxx, maxy = geom.bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    w = max((maxx - minx) * 1.12, MIN_EXTENT_M)
    h = max((maxy - miny) * 1.12, MIN_EXTENT_M * HEIGHT / WIDTH)
    scale = min(WIDTH / w, HEIGHT / h)
    return _Frame(cx - WIDTH / scale / 2, cy + HEIGHT / scale / 2, scale)


def _path(geom: BaseGeometry, fr: _Frame) -> str:
    """SVG path data of a polygon or line geometry (any multi-part)."""
    parts: list[str] = []
    for g in getattr(geom, "geoms", [geom]):
        if g.is_empty:
            continue
        if g.geom_type == "Polygon":
            for ring in (g.exterior, *g.interiors):
                pts = [fr.xy(x, y) for x, y in ring.coords]
                parts.append("M" + " L".join(pts) + "Z")
        elif g.geom_type in ("LineString", "LinearRing"):
            parts.append("M" + " L".join(fr.xy(x, y) for x, y in g.coords))
        elif g.geom_type == "GeometryCollection":
            parts.append(_path(g, fr))
    return " ".join(p for p in parts if p)


def _points(geom: BaseGeometry) -> list[tuple[float, float]]:
    return [(p.x, p.y) for p in getattr(geom, "geoms", [geom]) if p.geom_type == "Point" and not p.is_empty]


def _nice_length(metres: float) -> float:
    """The largest 1, 2 or 5 x 10^k not above ``metres``."""
    power = 10 ** math.floor(math.log10(metres))
    return max(m * power for m in (1, 2, 5) if m * power <= metres)


def _distance(metres: float) -> str:
    return f"{metres / 1000:g} km".replace(".", ",") if metres >= 1000 else f"{metres:g} m"


def _school(x: str, y: str, filled: bool) -> str:
    fill = SCHOOL_COLOUR if filled else "white"
    return (
        f'<rect x="{float(x) - 3.5:.1f}" y="{float(y) - 3.5:.1f}" width="7" height="7" '
        f'fill="{fill}" stroke="{SCHOOL_COLOUR}" stroke-width="1.2"/>'
    )


def _health(x: str, y: str, filled: bool) -> str:
    fill = HEALTH_COLOUR if filled else "white"
    cx, cy = float(x), float(y)
    d = f"M{cx - 1.5:.1f} {cy - 4.5:.1f} h3 v3 h3 v3 h-3 v3 h-3 v-3 h-3 v-3 h3 Z"  # a cross
    return f'<path d="{d}" fill="{fill}" stroke="{HEALTH_COLOUR}" stroke-width="1"/>'


def territory_map_svg(layers: MapLayers, territory_id: int) -> str | None:
    """The SVG map of one territory; None when it has no geometry."""
    here = layers.territories.get(territory_id)
    if here is None:
        return None
    kind, _label, geom = here
    fr = _frame(geom)
    box = fr.box
    view = shapely.box(*box)
    tolerance = 0.6 / fr.scale  # under a unit of the drawing
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:g} {HEIGHT + LEGEND_HEIGHT:g}" '
        f'width="{WIDTH:g}" height="{HEIGHT + LEGEND_HEIGHT:g}" font-family="Libertinus Serif">',
        f'<rect width="{WIDTH:g}" height="{HEIGHT:g}" fill="white"/>',
    ]

    def shape(g: BaseGeometry, style: str) -> None:
        if not g.intersects(view):
            return
        cut = shapely.clip_by_rect(g, *box).simplify(tolerance)
        d = _path(cut, fr)
        if d:
            out.append(f'<path d="{d}" {style}/>')

    labels: list[str] = []
    for tid, (k, label, g) in layers.territories.items():
        if tid == territory_id or k != "unidad_vecinal":
            continue
        shape(g, f'fill="{NEIGHBOUR_FILL}" stroke="#9A9A9A" stroke-width="0.8" fill-rule="evenodd"')
        pos = g.representative_point()
        bx = g.bounds
        big = min(bx[2] - bx[0], bx[3] - bx[1]) * fr.scale > 45  # room for its name
        if big and view.contains(pos) and not geom.contains(pos):
            lx, ly = fr.xy(pos.x, pos.y).split()
            labels.append(
                f'<text x="{lx}" y="{ly}" font-size="10" fill="#777777" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        shape(geom, f'fill="#FFF7F3" stroke="{TERRITORY_STROKE}" stroke-width="2.2" fill-rule="evenodd"')
    else:  # a locality known only by a point
        for x, y in _points(geom):
            px, py = fr.xy(x, y).split()
            out.append(
                f'<circle cx="{px}" cy="{py}" r="9" fill="none" stroke="{TERRITORY_STROKE}" '
                'stroke-width="2.2"/>'
            )
    if layers.commune is not None:
        shape(
            layers.commune.boundary,
            'fill="none" stroke="#333333" stroke-width="1.2" stroke-dasharray="6 3"',
        )
    out.extend(labels)
    for g in layers.initiatives.get(territory_id, []):
        if g.geom_type in ("Polygon", "MultiPolygon"):
            shape(
                g,
                f'fill="{INITIATIVE_COLOUR}" fill-opacity="0.35" stroke="{INITIATIVE_COLOUR}" '
                'stroke-width="0.8"',
            )
        elif g.geom_type in ("LineString", "MultiLineString"):
            shape(g, f'fill="none" stroke="{INITIATIVE_COLOUR}" stroke-width="2"')
    for g in layers.initiatives.get(territory_id, []):
        for x, y in _points(g):
            if view.contains(shapely.Point(x, y)):
                px, py = fr.xy(x, y).split()
                out.append(
                    f'<circle cx="{px}" cy="{py}" r="2.8" fill="{INITIATIVE_COLOUR}" '
                    'fill-opacity="0.8" stroke="white" stroke-width="0.6"/>'
                )
    for fkind, open_, g in layers.facilities:
        for x, y in _points(g):
            if view.contains(shapely.Point(x, y)):
                px, py = fr.xy(x, y).split()
                out.append(_school(px, py, open_) if fkind == "escuela" else _health(px, py, open_))
    out.append(
        f'<rect width="{WIDTH:g}" height="{HEIGHT:g}" fill="none" stroke="#888888" stroke-width="0.8"/>'
    )
    out.append(_scale_bar(fr))
    out.append(_north())
    out.append(_legend(kind))
    out.append("</svg>")
    return "".join(out)


def _scale_bar(fr: _Frame) -> str:
    metres = _nice_length(WIDTH / fr.scale / 5)
    length = metres * fr.scale
    x0, y0 = WIDTH - 16 - length, HEIGHT - 16
    return (
        f'<rect x="{x0 - 6:.1f}" y="{y0 - 17:.1f}" width="{length + 12:.1f}" height="25" fill="white" '
        'fill-opacity="0.85"/>'
        f'<path d="M{x0:.1f} {y0 - 4:.1f} V{y0:.1f} H{x0 + length:.1f} V{y0 - 4:.1f}" fill="none" '
        'stroke="#222222" stroke-width="1.4"/>'
        f'<text x="{x0 + length / 2:.1f}" y="{y0 - 6:.1f}" font-size="10" text-anchor="middle" '
        f'fill="#222222">{_distance(metres)}</text>'
    )


def _north() -> str:
    x, y = WIDTH - 22, 14
    return (
        f'<path d="M{x} {y} L{x + 7} {y + 20} L{x} {y + 15} L{x - 7} {y + 20} Z" fill="#222222"/>'
        f'<text x="{x}" y="{y + 32}" font-size="10" text-anchor="middle" fill="#222222">N</text>'
    )


def _legend(kind: str) -> str:
    """The key under the map: the shapes it draws, in Spanish, in two rows."""
    items: list[tuple[str, str]] = [
        (
            '<rect x="0" y="-6" width="14" height="9" fill="#FFF7F3" '
            f'stroke="{TERRITORY_STROKE}" stroke-width="2"/>',
            "Unidad vecinal" if kind == "unidad_vecinal" else "Localidad",
        ),
        (
            f'<rect x="0" y="-6" width="14" height="9" fill="{NEIGHBOUR_FILL}" stroke="#9A9A9A"/>',
            "Otras unidades vecinales",
        ),
        (
            '<path d="M0 -1.5 H16" stroke="#333333" stroke-width="1.2" stroke-dasharray="6 3"/>',
            "Límite comunal",
        ),
        (
            f'<circle cx="2" cy="-1.5" r="2.6" fill="{INITIATIVE_COLOUR}"/>'
            f'<path d="M5.5 2 L11 -5" stroke="{INITIATIVE_COLOUR}" stroke-width="2"/>'
            f'<rect x="12" y="-5" width="6" height="6" fill="{INITIATIVE_COLOUR}" fill-opacity="0.35" '
            f'stroke="{INITIATIVE_COLOUR}" stroke-width="0.8"/>',
            "Iniciativas",
        ),
        (_school("7", "-1.5", True), "Establecimiento educacional"),
        (_health("7", "-1.5", True), "Establecimiento de salud"),
        (_school("3", "-1.5", False) + _health("13", "-1.5", False), "Sin funcionamiento"),
    ]
    parts = []
    for i, (symbol, label) in enumerate(items):
        x, y = (4, 152, 300, 430)[i % 4], HEIGHT + 14 + (i // 4) * 15
        parts.append(
            f'<g transform="translate({x:.1f} {y:.1f})">{symbol}</g>'
            f'<text x="{x + 21:.1f}" y="{y + 2:.1f}" font-size="10" fill="#222222">{escape(label)}</text>'
        )
    return "".join(parts)
