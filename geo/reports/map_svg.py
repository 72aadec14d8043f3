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


def project_wkb(wkbs: list[bytes]) -> list[BaseGeometry]:
    """Geometries given as WKB in EPSG:4326, in EPSG:32719 (the maps' CRS)."""
    return _project(wkbs)


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
    width: float = WIDTH
    height: float = HEIGHT
    dx: float = 0.0  # where the map starts in the drawing (the kit leaves a band for grid labels)
    dy: float = 0.0

    def xy(self, x: float, y: float) -> str:
        return f"{self.dx + (x - self.minx) * self.scale:.1f} {self.dy + (self.maxy - y) * self.scale:.1f}"

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (
            self.minx,
            self.maxy - self.height / self.scale,
            self.minx + self.width / self.scale,
            self.maxy,
        )


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


def _clipped_path(g: BaseGeometry, fr: _Frame, view: BaseGeometry, tolerance: float) -> str:
    """The path data of ``g`` cut to the frame's box and simplified; "" when it is out of view."""
    if not g.intersects(view):
        return ""
    return _path(shapely.clip_by_rect(g, *fr.box).simplify(tolerance), fr)


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
        d = _clipped_path(g, fr, view, tolerance)
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


def _scale_bar(fr: _Frame, zoom: float = 1.0) -> str:
    """A scale bar in the bottom-right corner of the map (``zoom``: size of its line and text)."""
    metres = _nice_length(fr.width / fr.scale / 5)
    length = metres * fr.scale
    x0, y0 = fr.dx + fr.width - 16 * zoom - length, fr.dy + fr.height - 16 * zoom
    return (
        f'<rect x="{x0 - 6 * zoom:.1f}" y="{y0 - 17 * zoom:.1f}" width="{length + 12 * zoom:.1f}" '
        f'height="{25 * zoom:g}" fill="white" fill-opacity="0.85"/>'
        f'<path d="M{x0:.1f} {y0 - 4 * zoom:.1f} V{y0:.1f} H{x0 + length:.1f} V{y0 - 4 * zoom:.1f}" '
        f'fill="none" stroke="#222222" stroke-width="{1.4 * zoom:g}"/>'
        f'<text x="{x0 + length / 2:.1f}" y="{y0 - 6 * zoom:.1f}" font-size="{10 * zoom:g}" '
        f'text-anchor="middle" fill="#222222">{_distance(metres)}</text>'
    )


def _north(x: float = WIDTH - 22, y: float = 14, zoom: int | float = 1) -> str:
    def at(v: float) -> str:
        return f"{round(v, 1)}"

    z = zoom
    return (
        f'<path d="M{at(x)} {at(y)} L{at(x + 7 * z)} {at(y + 20 * z)} L{at(x)} {at(y + 15 * z)} '
        f'L{at(x - 7 * z)} {at(y + 20 * z)} Z" fill="#222222"/>'
        f'<text x="{at(x)}" y="{at(y + 32 * z)}" font-size="{at(10 * z)}" text-anchor="middle" '
        'fill="#222222">N</text>'
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


# --- the workshop kit's map: a grid, reference layers, numbered initiatives ------------------

#: Width of the kit's map in SVG units (the template scales it to the A3 frame), and the band
#: around it where the grid's letters and numbers are written.
KIT_WIDTH = 1000.0
KIT_BAND = 26.0
REFERENCE_INK = "#5E3C99"
RAIL_DASHES = 'fill="none" stroke="white" stroke-width="1.6" stroke-dasharray="6 6"'

#: How each reference layer is drawn on paper: (geometry family, SVG style or symbol colour).
REFERENCE_STYLES: dict[str, tuple[str, str]] = {
    "zona_prc": ("area", f'fill="none" stroke="{REFERENCE_INK}" stroke-width="0.7" stroke-dasharray="2 2"'),
    "limite_urbano_prc": (
        "area",
        f'fill="none" stroke="{REFERENCE_INK}" stroke-width="1.8" stroke-dasharray="9 4"',
    ),
    "rio": ("line", 'fill="none" stroke="#4A90C8" stroke-width="4" stroke-linecap="round"'),
    "canal": ("line", 'fill="none" stroke="#4A90C8" stroke-width="1.4" stroke-dasharray="5 2"'),
    "ferrocarril": ("rail", 'fill="none" stroke="#444444" stroke-width="3.2"'),
    "punto_critico": ("point", "#D7301F"),
    "remocion_en_masa": ("point", "#8C510A"),
    "apr": ("point", "#2C7FB8"),
    "planta_aguas_servidas": ("point", "#35978F"),
    "vivero": ("point", "#1A9850"),
    "toponimo": ("name", "#555555"),
}


@dataclass(frozen=True)
class ReferenceFeature:
    """A feature of a reference layer (geo/territory/reference.py), in EPSG:32719."""

    layer: str
    name: str | None
    geom: BaseGeometry


def load_reference_features(
    conn: Connection, bounds_utm: tuple[float, float, float, float]
) -> list[ReferenceFeature]:
    """The reference features that touch a box given in EPSG:32719 (GiST on ``geom``)."""
    rows = conn.execute(
        text(
            """
        SELECT layer, name, ST_AsBinary(geom) AS g FROM reference_feature
         WHERE geom && ST_Transform(ST_MakeEnvelope(:x0, :y0, :x1, :y1, 32719), 4326)
         ORDER BY layer, key
        """
        ),
        dict(zip(("x0", "y0", "x1", "y1"), bounds_utm, strict=True)),
    ).all()
    return [
        ReferenceFeature(r.layer, r.name, g)
        for r, g in zip(rows, _project([bytes(r.g) for r in rows]), strict=True)
    ]


def _reference_symbol(colour: str, x: float, y: float, size: float = 5.5) -> str:
    """A small triangle: a place of a point reference layer."""
    s = size
    return (
        f'<path d="M{x:.1f} {y - s:.1f} L{x + s:.1f} {y + s * 0.8:.1f} L{x - s:.1f} {y + s * 0.8:.1f} Z" '
        f'fill="{colour}" stroke="white" stroke-width="0.8"/>'
    )


def _at(fr: _Frame, x: float, y: float) -> tuple[float, float]:
    """A point of EPSG:32719 in the drawing's units."""
    return fr.dx + (x - fr.minx) * fr.scale, fr.dy + (fr.maxy - y) * fr.scale


def _numbered(number: int, x: float, y: float) -> str:
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="white" stroke="{INITIATIVE_COLOUR}" '
        'stroke-width="1.8"/>'
        f'<text x="{x:.1f}" y="{y + 3.6:.1f}" font-size="10.5" font-weight="bold" text-anchor="middle" '
        f'fill="{INITIATIVE_COLOUR}">{number}</text>'
    )


def kit_map_svg(
    layers: MapLayers,
    territory_id: int,
    grid_bounds: tuple[float, float, float, float],
    cell_m: float,
    column_labels: list[str],
    references: list[ReferenceFeature],
    initiatives: list[tuple[int, BaseGeometry]],
    needs: list[tuple[str, BaseGeometry]] | None = None,
) -> str:
    """The kit's map of a territory: the grid's extent, its cells lettered and numbered around it.

    Drawn: the reference layers, the plan's initiatives as numbers, a scale bar and a north
    arrow; ``needs`` (kind, geometry), when given, too (the workshop's acta).

    Everything is in EPSG:32719; ``grid_bounds`` (minx, miny, maxx, maxy) is a whole number of
    cells of ``cell_m`` metres, so the grid lines fall on the frame.
    """
    minx, miny, maxx, maxy = grid_bounds
    scale = KIT_WIDTH / (maxx - minx)
    height = (maxy - miny) * scale
    fr = _Frame(minx, maxy, scale, KIT_WIDTH, height, KIT_BAND, KIT_BAND)
    box = fr.box
    view = shapely.box(*box)
    tolerance = 0.5 / scale
    total_w, total_h = KIT_WIDTH + 2 * KIT_BAND, height + 2 * KIT_BAND
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total_w:g} {total_h:.1f}" '
        f'width="{total_w:g}" height="{total_h:.1f}" font-family="Libertinus Serif">',
        f'<rect x="{KIT_BAND:g}" y="{KIT_BAND:g}" width="{KIT_WIDTH:g}" height="{height:.1f}" fill="white"/>',
    ]

    def shape(g: BaseGeometry, style: str) -> None:
        d = _clipped_path(g, fr, view, tolerance)
        if d:
            out.append(f'<path d="{d}" {style}/>')

    def inside(x: float, y: float) -> bool:
        return view.contains(shapely.Point(x, y))

    here = layers.territories.get(territory_id)
    for tid, (k, _label, g) in layers.territories.items():
        if tid == territory_id or k != "unidad_vecinal":
            continue
        shape(g, f'fill="{NEIGHBOUR_FILL}" stroke="#9A9A9A" stroke-width="1" fill-rule="evenodd"')
    if here is not None and here[2].geom_type in ("Polygon", "MultiPolygon"):
        shape(here[2], 'fill="#FFF7F3" stroke="none" fill-rule="evenodd"')
    for f in references:  # areas and lines under everything else
        family, style = REFERENCE_STYLES.get(f.layer, ("", ""))
        if family in ("area", "line", "rail"):
            shape(f.geom.boundary if family == "area" else f.geom, style)
        if family == "rail":  # a railway: dark line with white dashes inside
            shape(f.geom, RAIL_DASHES)
    if here is not None:
        if here[2].geom_type in ("Polygon", "MultiPolygon"):
            shape(here[2], f'fill="none" stroke="{TERRITORY_STROKE}" stroke-width="3" fill-rule="evenodd"')
        else:
            for x, y in _points(here[2]):
                px, py = _at(fr, x, y)
                out.append(
                    f'<circle cx="{px:.1f}" cy="{py:.1f}" r="14" fill="none" stroke="{TERRITORY_STROKE}" '
                    'stroke-width="3"/>'
                )
    if layers.commune is not None:
        shape(
            layers.commune.boundary, 'fill="none" stroke="#333333" stroke-width="1.4" stroke-dasharray="8 4"'
        )
    # UV names of the neighbours, where they have room
    for tid, (k, label, g) in layers.territories.items():
        if k != "unidad_vecinal" or tid == territory_id:
            continue
        pos = g.representative_point()
        if inside(pos.x, pos.y) and (here is None or not here[2].contains(pos)):
            px, py = _at(fr, pos.x, pos.y)
            out.append(
                f'<text x="{px:.1f}" y="{py:.1f}" font-size="13" fill="#888888" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    # the grid: thin lines on every cell edge
    n_cols = len(column_labels)
    n_rows = round((maxy - miny) / cell_m)
    step = cell_m * scale
    lines = [f"M{KIT_BAND + i * step:.1f} {KIT_BAND:g} V{KIT_BAND + height:.1f}" for i in range(1, n_cols)]
    lines += [f"M{KIT_BAND:g} {KIT_BAND + j * step:.1f} H{KIT_BAND + KIT_WIDTH:g}" for j in range(1, n_rows)]
    out.append(
        f'<path d="{" ".join(lines)}" stroke="#555555" stroke-width="0.7" stroke-opacity="0.7" fill="none"/>'
    )
    for f in references:  # point symbols and place names over the grid
        family, colour = REFERENCE_STYLES.get(f.layer, ("", ""))
        for x, y in _points(f.geom):
            if not inside(x, y):
                continue
            px, py = _at(fr, x, y)
            if family == "point":
                out.append(_reference_symbol(colour, px, py))
            elif family == "name" and f.name:
                out.append(
                    f'<text x="{px:.1f}" y="{py:.1f}" font-size="12" font-style="italic" fill="{colour}" '
                    f'text-anchor="middle">{escape(f.name)}</text>'
                )
    if needs:
        out.extend(_need_marks(needs, fr, shape, inside))
    for _number, g in initiatives:  # lines and areas lightly, then every initiative's number
        if g.geom_type in ("Polygon", "MultiPolygon"):
            shape(
                g,
                f'fill="{INITIATIVE_COLOUR}" fill-opacity="0.2" stroke="{INITIATIVE_COLOUR}" '
                'stroke-width="1"',
            )
        elif g.geom_type in ("LineString", "MultiLineString"):
            shape(g, f'fill="none" stroke="{INITIATIVE_COLOUR}" stroke-width="2.4"')
    for number, g in initiatives:
        pts = _points(g) or [(p.x, p.y) for p in [g.representative_point()]]
        for x, y in pts[:1] if len(pts) > 3 else pts:
            if inside(x, y):
                px, py = _at(fr, x, y)
                out.append(_numbered(number, px, py))
    # frame, labels of columns (top and bottom) and rows (left and right)
    out.append(
        f'<rect x="{KIT_BAND:g}" y="{KIT_BAND:g}" width="{KIT_WIDTH:g}" height="{height:.1f}" fill="none" '
        'stroke="#222222" stroke-width="1.4"/>'
    )
    big = 'font-size="17" font-weight="bold" text-anchor="middle"'
    for i, label in enumerate(column_labels):
        x = KIT_BAND + (i + 0.5) * step
        for y in (KIT_BAND - 7, KIT_BAND + height + 19):
            out.append(f'<text x="{x:.1f}" y="{y:.1f}" {big}>{label}</text>')
    for j in range(n_rows):
        y = KIT_BAND + (j + 0.5) * step + 6
        for x in (KIT_BAND / 2, KIT_BAND * 1.5 + KIT_WIDTH):
            out.append(f'<text x="{x:.1f}" y="{y:.1f}" {big}>{j + 1}</text>')
    out.append(_scale_bar(fr, zoom=1.6))
    out.append(_north(KIT_BAND + KIT_WIDTH - 30, KIT_BAND + 14, zoom=1.6))
    out.append("</svg>")
    return "".join(out)


#: Colours of the needs by kind (problema, propuesta, valor), on the acta's map.
NEED_COLOURS = {"problema": "#D7301F", "propuesta": "#2166AC", "valor": "#1A9850"}


def _need_marks(needs: list[tuple[str, BaseGeometry]], fr: _Frame, shape, inside) -> list[str]:  # type: ignore[no-untyped-def]
    marks: list[str] = []
    for kind, g in needs:
        colour = NEED_COLOURS.get(kind, "#444444")
        if g.geom_type in ("Polygon", "MultiPolygon"):
            shape(g, f'fill="{colour}" fill-opacity="0.25" stroke="{colour}" stroke-width="1.6"')
        elif g.geom_type in ("LineString", "MultiLineString"):
            shape(g, f'fill="none" stroke="{colour}" stroke-width="3"')
        for x, y in _points(g):
            if inside(x, y):
                px, py = _at(fr, x, y)
                marks.append(
                    f'<rect x="{px - 6:.1f}" y="{py - 6:.1f}" width="12" height="12" fill="{colour}" '
                    'stroke="white" stroke-width="1.2"/>'
                )
    return marks


def kit_legend_svg(layers_present: list[str], with_needs: bool = False) -> str:
    """The key of the kit's map, beside it: what it draws, in Spanish (reference layers present only)."""
    from geo.domain import NEED_KINDS, REFERENCE_LAYERS

    items: list[tuple[str, str]] = [
        (
            f'<rect x="0" y="-7" width="18" height="11" fill="#FFF7F3" stroke="{TERRITORY_STROKE}" '
            'stroke-width="2.4"/>',
            "Territorio del taller",
        ),
        (
            f'<rect x="0" y="-7" width="18" height="11" fill="{NEIGHBOUR_FILL}" stroke="#9A9A9A"/>',
            "Otras unidades vecinales",
        ),
        (
            '<path d="M0 -1.5 H18" stroke="#333333" stroke-width="1.4" stroke-dasharray="6 3"/>',
            "Límite comunal",
        ),
        (_numbered(7, 9, -1.5), "Iniciativa del PLADECO (número de la lista)"),
    ]
    for layer in REFERENCE_STYLES:
        if layer not in layers_present:
            continue
        family, style = REFERENCE_STYLES[layer]
        if family == "point":
            symbol = _reference_symbol(style, 9, -1.5)
        elif family == "name":
            symbol = (
                f'<text x="9" y="2" font-size="11" font-style="italic" fill="{style}" '
                'text-anchor="middle">Abc</text>'
            )
        elif family == "area":
            symbol = f'<rect x="1" y="-7" width="16" height="11" {style}/>'
        elif family == "rail":
            symbol = f'<path d="M0 -1.5 H18" {style}/><path d="M0 -1.5 H18" {RAIL_DASHES}/>'
        else:
            symbol = f'<path d="M0 -1.5 H18" {style}/>'
        items.append((symbol, REFERENCE_LAYERS.get(layer, layer)))
    if with_needs:
        for kind, colour in NEED_COLOURS.items():
            items.append(
                (
                    f'<rect x="3" y="-7.5" width="12" height="12" fill="{colour}"/>',
                    f"Necesidad: {NEED_KINDS.get(kind, kind).lower()}",
                )
            )
    rows = []
    for i, (symbol, label) in enumerate(items):
        y = 14 + i * 22
        rows.append(
            f'<g transform="translate(4 {y})">{symbol}</g>'
            f'<text x="30" y="{y + 3}" font-size="12" fill="#222222">{escape(label)}</text>'
        )
    h = 14 + len(items) * 22
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 {h}" width="300" height="{h}" '
        f'font-family="Libertinus Serif">{"".join(rows)}</svg>'
    )
