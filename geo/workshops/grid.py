"""The lettered and numbered grid of a workshop's paper map: one rule for the kit and the import.

A resident marks a need on the printed map of a territory and writes its cell («C4») on the
capture sheet; the capture import turns «C4» back into the same square on the ground. Both
ends use :func:`kit_grid` (the grid of a territory) and :func:`grid_cell_polygon` /
:func:`cell_of_point` (a cell and its inverse), so a cell means one place everywhere.

The grid is recomputed, never stored: it is a pure function of the territory's geometry in
EPSG:32719 (UTM 19S, metres, the zone of the commune). The cell side is the smallest round
length of :data:`CELL_SIZES_M` that covers the territory (with a margin) in at most
:data:`MAX_COLUMNS` columns and :data:`MAX_ROWS` rows, and the origin (the top-left corner of
cell A1) is snapped to a multiple of the cell side. Columns are letters A, B, C... from west
to east, rows numbers 1, 2, 3... from north to south, as on a road map.

The capture template carries the grid it was made with (:meth:`KitGrid.describe`); if the
territory's limit was replaced after the kit was printed, the import sees the difference
and refuses rather than place the needs in other squares.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from geo.values import ValueProblem

log = logging.getLogger(__name__)

#: The CRS of the grid: UTM 19S, metres.
GRID_SRID = 32719
#: Round cell sides, in metres (printed on the map: «cuadros de 250 m»).
CELL_SIZES_M = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 25000, 50000)
MAX_COLUMNS = 12
MAX_ROWS = 9
#: Share of the territory's width and height added around it, so its edge is not on the frame.
MARGIN = 0.06

_TO_UTM = Transformer.from_crs(4326, GRID_SRID, always_xy=True)
_TO_LONLAT = Transformer.from_crs(GRID_SRID, 4326, always_xy=True)
_CELL = re.compile(r"^\s*([A-Za-z]{1,2})\s*-?\s*(\d{1,2})\s*$")


@dataclass(frozen=True)
class KitGrid:
    """A grid over a territory: origin (top-left corner of A1), cell side and size, in EPSG:32719."""

    origin_x: float
    origin_y: float
    cell_m: int
    columns: int
    rows: int
    srid: int = GRID_SRID

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(minx, miny, maxx, maxy) of the whole grid, in metres."""
        return (
            self.origin_x,
            self.origin_y - self.rows * self.cell_m,
            self.origin_x + self.columns * self.cell_m,
            self.origin_y,
        )

    def column_labels(self) -> list[str]:
        """A, B, C... (AA, AB... past Z, never reached with :data:`MAX_COLUMNS`)."""
        return [column_label(i) for i in range(self.columns)]

    def cells(self) -> list[str]:
        """Every cell label, row by row: A1, B1, ..., A2, ..."""
        return [f"{c}{r}" for r in range(1, self.rows + 1) for c in self.column_labels()]

    def describe(self) -> str:
        """The grid in one line, as the template stores it and the import compares it."""
        return (
            f"origen {self.origin_x:.0f} {self.origin_y:.0f}; celda {self.cell_m} m; "
            f"{self.columns} columnas x {self.rows} filas; EPSG:{self.srid}"
        )


def column_label(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(ord("A") + rest) + label
    return label


def _column_index(label: str) -> int:
    value = 0
    for ch in label.upper():
        value = value * 26 + (ord(ch) - ord("A") + 1)
    return value - 1


def _reproject(geom: BaseGeometry, transformer: Transformer) -> BaseGeometry:
    def xy(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, xy)


def to_utm(geom: BaseGeometry) -> BaseGeometry:
    """A geometry in EPSG:4326 in the grid's CRS."""
    return _reproject(geom, _TO_UTM)


def kit_grid(territory_4326: BaseGeometry) -> KitGrid:
    """The grid of a territory (its geometry in EPSG:4326): the same every time for the same limit."""
    if territory_4326.is_empty:
        raise ValueError("empty territory")
    minx, miny, maxx, maxy = to_utm(territory_4326).bounds
    pad = max(maxx - minx, maxy - miny) * MARGIN or 200.0  # a point locality gets 200 m around
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    for cell in CELL_SIZES_M:
        ox, oy = math.floor(minx / cell) * cell, math.ceil(maxy / cell) * cell
        columns = max(1, math.ceil((maxx - ox) / cell))
        rows = max(1, math.ceil((oy - miny) / cell))
        if columns <= MAX_COLUMNS and rows <= MAX_ROWS:
            return KitGrid(float(ox), float(oy), cell, columns, rows)
    raise ValueError("territory too large for a kit grid")


def parse_cell(value: object, grid: KitGrid) -> tuple[int, int]:
    """(column, row), from 0, of a cell written «C4», «c 4» or «C-4».

    Raises:
        ValueProblem: in Spanish, when it is not a cell of this grid.
    """
    raw = "" if value is None else str(value).strip()
    m = _CELL.match(raw)
    last = f"{column_label(grid.columns - 1)}{grid.rows}"
    if not m:
        raise ValueProblem(f"«{raw}» no es una celda de la cuadrícula: escriba letra y número, p. ej. C4.")
    col, row = _column_index(m.group(1)), int(m.group(2)) - 1
    if not (0 <= col < grid.columns and 0 <= row < grid.rows):
        raise ValueProblem(
            f"la celda «{raw.upper()}» no está en el mapa: las columnas van de A a "
            f"{column_label(grid.columns - 1)} y las filas de 1 a {grid.rows} (A1 a {last})."
        )
    return col, row


def grid_cell_polygon(grid: KitGrid, cell: str) -> Polygon:
    """The square of ``cell`` («C4») in the grid's CRS (EPSG:32719, metres)."""
    col, row = parse_cell(cell, grid)
    x0 = grid.origin_x + col * grid.cell_m
    y1 = grid.origin_y - row * grid.cell_m
    return shapely.box(x0, y1 - grid.cell_m, x0 + grid.cell_m, y1)


def cell_of_point(grid: KitGrid, x: float, y: float) -> str | None:
    """The label of the cell holding the point (x, y) in EPSG:32719; None outside the grid.

    The inverse of :func:`grid_cell_polygon`: a point on a shared edge belongs to the cell
    east or south of it, as the squares are half-open.
    """
    col = math.floor((x - grid.origin_x) / grid.cell_m)
    row = math.floor((grid.origin_y - y) / grid.cell_m)
    if 0 <= col < grid.columns and 0 <= row < grid.rows:
        return f"{column_label(col)}{row + 1}"
    return None


def cell_polygon_lonlat(grid: KitGrid, cell: str) -> Polygon:
    """The square of ``cell`` in EPSG:4326 (the need's geometry when imported from the sheet).

    Its edges are densified (10 points a side), so it follows the projected square closely.
    """
    square = shapely.segmentize(grid_cell_polygon(grid, cell), grid.cell_m / 10)
    out = _reproject(square, _TO_LONLAT)
    assert isinstance(out, Polygon)
    return out
