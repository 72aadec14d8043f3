"""The kit's grid: the same cells from the same limit, round sizes, and «C4» back and forth."""

import pytest
import shapely
from sqlalchemy import text

from geo.values import ValueProblem
from geo.workshops.grid import (
    CELL_SIZES_M,
    MAX_COLUMNS,
    MAX_ROWS,
    cell_of_point,
    grid_cell_polygon,
    kit_grid,
    parse_cell,
    to_utm,
)


def territories(conn):
    rows = conn.execute(
        text(
            "SELECT code, kind, ST_AsBinary(geom) AS g FROM territory "
            "WHERE kind IN ('unidad_vecinal', 'localidad') AND geom IS NOT NULL ORDER BY code"
        )
    ).all()
    return [(r.code, shapely.from_wkb(bytes(r.g))) for r in rows]


def test_every_territory_gets_a_grid_of_round_cells_that_covers_it_and_is_the_same_each_time(conn):
    found = territories(conn)
    assert len(found) == 22
    for code, geom in found:
        grid = kit_grid(geom)
        assert grid == kit_grid(shapely.from_wkb(shapely.to_wkb(geom))), code  # recomputed, not stored
        assert grid.cell_m in CELL_SIZES_M and grid.columns <= MAX_COLUMNS and grid.rows <= MAX_ROWS
        assert grid.origin_x % grid.cell_m == 0 and grid.origin_y % grid.cell_m == 0
        assert shapely.box(*grid.bounds).contains(to_utm(geom)), code


def test_a_cell_and_its_inverse_agree_on_every_cell(conn):
    code, geom = next(t for t in territories(conn) if t[0] == "05")
    grid = kit_grid(geom)
    assert grid.cells()[0] == "A1" and len(grid.cells()) == grid.columns * grid.rows
    for label in grid.cells():
        square = grid_cell_polygon(grid, label)
        assert square.area == pytest.approx(grid.cell_m**2)
        c = square.centroid
        assert cell_of_point(grid, c.x, c.y) == label
    x0, y0, x1, y1 = grid.bounds
    assert cell_of_point(grid, x0 - 1, y1) is None and cell_of_point(grid, x1 + 1, y0 + 1) is None
    # C4: third column from the west, fourth row from the north
    c4 = grid_cell_polygon(grid, "c4")
    assert c4.bounds == (
        x0 + 2 * grid.cell_m,
        y1 - 4 * grid.cell_m,
        x0 + 3 * grid.cell_m,
        y1 - 3 * grid.cell_m,
    )


def test_a_cell_that_is_not_on_the_map_is_refused_in_spanish(conn):
    _, geom = next(t for t in territories(conn) if t[0] == "05")
    grid = kit_grid(geom)
    with pytest.raises(ValueProblem, match=r"«Z9» no está en el mapa: las columnas van de A a [A-L]"):
        parse_cell("Z9", grid)
    with pytest.raises(ValueProblem, match="no es una celda de la cuadrícula: escriba letra y número"):
        parse_cell("cuatro", grid)
    assert parse_cell(" b-2 ", grid) == (1, 1)
