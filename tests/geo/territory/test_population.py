"""Population per territory: hand-computed small world, real census conservation, imports."""

import csv
from collections import defaultdict

import pytest
from sqlalchemy import text

from geo.errors import DataError
from geo.territory.population import AGE_GROUPS, population_table
from geo.territory.population_import import clear_official_population, import_official_population
from tests.conftest import DATA
from tests.support.actors import TESTER
from tests.support.coverage import small_world


def census_csv():
    rows = list(
        csv.DictReader((DATA / "censo2017_poblacion_zonas_localidades.csv").open(encoding="utf-8-sig"))
    )
    per_unit = defaultdict(int)
    for r in rows:
        per_unit[r["geocodigo"]] += int(r["poblacion"])
    return per_unit


def by_code(table):
    return {(r["kind"], r["code"]): r for r in table.rows}


def test_small_world_blocks_by_area_and_rural_remainder_by_district(conn):
    small_world(conn)
    table = population_table(conn)
    rows = by_code(table)
    a, b = rows[("unidad_vecinal", "A")], rows[("unidad_vecinal", "B")]
    # Zone: 400 persons over blocks of area 1 : 3; rural 20 over the symmetric remainder.
    assert (a["population"], b["population"]) == (110, 310)
    assert a["ages"] == {"0 a 5": 25, "6 a 14": 25, "15 a 64": 35, "65 y mas": 25}
    assert b["ages"] == {"0 a 5": 75, "6 a 14": 75, "15 a 64": 85, "65 y mas": 75}
    assert table.census_used == table.census_total == 420 == table.uv_total
    assert not a["official"] and a["source"].startswith("Estimación Censo 2017")


def test_real_census_is_conserved_over_the_uvs(conn):
    """The sum over the 15 UVs is the census total of the units with a polygon."""
    per_unit = census_csv()
    table = population_table(conn)
    assert table.census_total == sum(per_unit.values()) == 48759
    # The only unit without polygon: district 99 (persons the census could not place).
    assert table.unassigned_units == [{"unit": "03301991999", "persons": per_unit["03301991999"]}]
    uvs = [r for r in table.rows if r["kind"] == "unidad_vecinal"]
    assert len(uvs) == 15
    assert sum(r["population"] for r in uvs) == table.census_used == 48759 - 721
    for age in AGE_GROUPS:
        census_age = sum(
            int(r["poblacion"])
            for r in csv.DictReader(
                (DATA / "censo2017_poblacion_zonas_localidades.csv").open(encoding="utf-8-sig")
            )
            if r["edad"] == age and not r["geocodigo"].startswith("0330199")
        )
        assert sum(r["ages"][age] for r in uvs) == census_age
    for r in uvs:
        assert r["population"] == sum(r["ages"].values()) > 0


def test_urban_uvs_hold_the_urban_zones_people(conn):
    """A planner's check: the 11 urban UVs hold roughly the urban census zones (area 1)."""
    per_unit = census_csv()
    urban_census = sum(n for g, n in per_unit.items() if g[7] == "1" and not g.startswith("0330199"))
    uvs = [r for r in population_table(conn).rows if r["kind"] == "unidad_vecinal"]
    urban = sum(r["population"] for r in uvs if r["sector"] == "urbano")
    assert abs(urban - urban_census) / urban_census < 0.03


def test_locality_shows_its_districts_rural_population(conn):
    """Incahuasi lies in census district 13 (Incaguasi): its rural localities add up to 173."""
    per_unit = census_csv()
    expected = sum(n for g, n in per_unit.items() if g[5:7] == "13" and g[7] == "2")
    rows = by_code(population_table(conn))
    inca = rows[("localidad", "INCAHUASI")]
    assert inca["population"] == expected == 173
    assert "Incaguasi" in inca["source"] and inca["note"] is None
    # Domeyko and Cachiyuyo share district 08: both show it and say so.
    assert rows[("localidad", "DOMEYKO")]["population"] == rows[("localidad", "CACHIYUYO")]["population"]
    assert "2 localidades" in rows[("localidad", "DOMEYKO")]["note"]


def test_official_figures_override_and_are_labelled(conn, tmp_path):
    f = tmp_path / "oficial.csv"
    f.write_text(
        "tipo;codigo;poblacion;0 a 5;6 a 14;15 a 64;65 y mas;fuente\n"
        "uv;7;2150;;;;;Registro social 2024\n"
        ";Domeyko;1010;80;150;680;100;\n",
        encoding="utf-8",
    )
    assert import_official_population(conn, f, TESTER) == 2
    rows = by_code(population_table(conn))
    uv7 = rows[("unidad_vecinal", "07")]
    assert uv7["population"] == 2150 and uv7["official"]
    assert uv7["source"] == "Cifra oficial municipal: Registro social 2024"
    assert uv7["estimate"] != 2150  # the estimate is still there, not shown
    dom = rows[("localidad", "DOMEYKO")]
    assert dom["population"] == 1010 and dom["ages"]["65 y mas"] == 100
    assert dom["source"] == "Cifra oficial municipal: oficial.csv"
    assert clear_official_population(conn, TESTER) == 2
    assert not by_code(population_table(conn))[("unidad_vecinal", "07")]["official"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("codigo;poblacion\n01;999\n99;10\n", "fila 3, columna «codigo»: no existe"),
        ("codigo;poblacion\n01;999\n07;muchos\n", "fila 3, columna «poblacion»: se esperaba un número"),
        (
            "codigo;poblacion;0 a 5;6 a 14;15 a 64;65 y mas\n01;10;1;2;3;4\n07;100;1;2;3;4\n",
            "fila 3: los grupos de edad suman 10",
        ),
        ("codigo;poblacion\n07;10\n7;11\n", "fila 3, columna «codigo»: «7» ya aparece en la fila 2"),
        ("codigo;habitantes\n07;10\n", "faltan las columnas poblacion"),
        ("tipo;codigo;poblacion\nuv;01;5\nregion;07;10\n", "fila 3, columna «tipo»"),
        ("", "el archivo está vacío"),
        (
            "codigo;poblacion;fuente\n01;9;ok\n07;10;" + "F" * 301 + "\n",
            "fila 3, columna «fuente»: tiene 301",
        ),
        ("codigo;poblacion;fuente\n01;9;ok\n07;10;Reg\x1bistro\n", "fila 3, columna «fuente»: contiene un"),
    ],
)
def test_bad_official_file_says_where_and_writes_nothing(conn, tmp_path, content, message):
    f = tmp_path / "malo.csv"
    f.write_text(content, encoding="utf-8")  # the first data row is valid: it must not be kept
    with pytest.raises(DataError) as err:
        import_official_population(conn, f, TESTER)
    assert "malo.csv" in str(err.value) and message in str(err.value)
    assert conn.execute(text("SELECT count(*) FROM territory WHERE population IS NOT NULL")).scalar() == 0
