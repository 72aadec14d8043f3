"""Access to services: computed with the census weights of the population estimate, remembered."""

import numpy as np
import pytest
from sqlalchemy import Connection, text

from geo.coverage.access import (
    access_and_unit_weights,
    access_to_services,
    forget_access,
    remembered_access_and_unit_weights,
)
from geo.coverage.allocation import compute_coverage
from geo.coverage.nearest import nearest_distance_m
from geo.initiatives.filters import MapFilters
from geo.territory.population import population_table, unit_weights
from tests.support.coverage import add_facility, small_world


def test_one_query_gives_the_population_estimates_weights_and_the_same_access(conn):
    access, weights = access_and_unit_weights(conn)
    assert weights == unit_weights(conn)  # exactly: the same query on the same pieces
    assert weights and all(abs(sum(w.values()) - 1) < 1e-9 for w in weights.values())
    assert access.equals(access_to_services(conn))
    assert population_table(conn, weights).rows == population_table(conn).rows


def test_remembered_access_follows_every_change_of_facilities_and_census(conn):
    ids = small_world(conn)
    add_facility(conn, "salud", "H", -1000, 450)
    forget_access()
    first = compute_coverage(conn, MapFilters()).access.set_index("id")
    assert first.loc[ids["A"], "health_m"] == pytest.approx(1180, abs=5)  # block A and rural points
    again, weights = remembered_access_and_unit_weights(conn)
    assert again.equals(access_to_services(conn)) and weights == unit_weights(conn)
    again["health_m"] = -1.0  # a caller's copy: what is remembered stays as computed
    assert compute_coverage(conn, MapFilters()).access.set_index("id").equals(first)

    add_facility(conn, "salud", "H2", 500, 450)  # inside A, not yet committed: seen at once
    moved = compute_coverage(conn, MapFilters()).access.set_index("id")
    assert moved.loc[ids["A"], "health_m"] < 600 and moved.loc[ids["A"], "health_inside"] == 1
    conn.execute(text("DELETE FROM census_population WHERE geocode = '03301012004'"))
    cov = compute_coverage(conn, MapFilters())
    assert cov.territories.set_index("id").loc[ids["A"], "population"] == 100  # rural 10 gone
    assert cov.access.equals(access_to_services(conn))


# Punta Arenas (-53°): a degree of longitude is 0.6 of a degree of latitude here.
PUNTA_ARENAS = (-70.911, -53.163)


def _postgis_nearest(conn: Connection, points: np.ndarray, kind: str) -> list[float]:
    """min(ST_Distance(geography)) over every facility of ``kind`` in operation: no index, no KNN."""
    return (
        conn.execute(
            text(
                """
        SELECT (SELECT min(ST_Distance(f.geom::geography, u.p::geography))
                  FROM facility f WHERE f.kind = :k AND f.in_operation AND f.geom IS NOT NULL)
          FROM (SELECT ST_SetSRID(ST_MakePoint(x, y), 4326) AS p, n
                  FROM unnest(CAST(:xs AS float8[]), CAST(:ys AS float8[])) WITH ORDINALITY v(x, y, n)) u
         ORDER BY u.n
        """
            ),
            {"k": kind, "xs": points[:, 0].tolist(), "ys": points[:, 1].tolist()},
        )
        .scalars()
        .all()
    )


def _facilities(conn: Connection, kind: str, lonlat: list[tuple[float, float]]) -> np.ndarray:
    for n, (x, y) in enumerate(lonlat):
        conn.execute(
            text(
                "INSERT INTO facility (kind, code, name, in_operation, source, geom) VALUES (:k, :c, "
                "'Establecimiento de prueba', true, 'prueba', ST_SetSRID(ST_MakePoint(:x, :y), 4326))"
            ),
            {"k": kind, "c": f"T-{kind}-{n}", "x": x, "y": y},
        )
    return np.array(lonlat, dtype=float)


def test_the_nearest_facility_is_the_nearest_in_metres_not_in_degrees(conn):
    """At -53° the nearest in degrees is not the nearest on the ground: a wrong pick is ~300 m off."""
    conn.execute(text("DELETE FROM facility"))
    x0, y0 = PUNTA_ARENAS
    # Six posts 0.0080-0.0091° north and south (~890-1,010 m): nearer in degrees than the one
    # 0.0100° east (~670 m), which is the nearest in metres. Five nearest in degrees miss it.
    decoys = [(x0, y0 + dy) for dy in (0.0080, 0.0082, 0.0084, -0.0086, -0.0088, 0.0091)]
    fac = _facilities(conn, "salud", [*decoys, (x0 + 0.0100, y0)])
    rng = np.random.default_rng(3)
    points = np.array(
        [
            (x0, y0),
            (x0 + 0.003, y0 - 0.001),
            *(np.array([-75.0, -55.0]) + rng.random((40, 2)) * [10.0, 38.0]),  # Chile, far and near
        ]
    )
    ours = nearest_distance_m(points, fac)
    expected = _postgis_nearest(conn, points, "salud")
    assert ours.tolist() == pytest.approx(expected, abs=1e-6)  # GeographicLib on both sides
    assert ours[0] == pytest.approx(670, abs=5)  # the east post, not a ~890 m decoy
    assert nearest_distance_m(points, fac[:0]).tolist() == [pytest.approx(np.nan, nan_ok=True)] * len(points)

    # The same through access to services: a locality at Punta Arenas, no census around it.
    tid = conn.execute(
        text(
            "INSERT INTO territory (kind, code, name, source, geom) VALUES ('localidad', 'PA', "
            "'Punta Arenas', 'prueba', ST_SetSRID(ST_MakePoint(:x, :y), 4326)) RETURNING id"
        ),
        {"x": x0, "y": y0},
    ).scalar_one()
    _facilities(conn, "escuela", [(x0 - 0.0140, y0), (x0, y0 - 0.0110)])  # west ~935 m, south ~1,220 m
    row = access_to_services(conn).set_index("id").loc[tid]
    assert row["health_m"] == pytest.approx(expected[0], abs=1e-6)
    assert row["school_m"] == pytest.approx(_postgis_nearest(conn, points[:1], "escuela")[0], abs=1e-6)
    assert row["school_m"] == pytest.approx(935, abs=5)
    # Within 1 km of a point locality: the east post and five decoys; the west school.
    assert (row["health_inside"], row["schools_inside"], row["weighted"]) == (6, 1, False)
