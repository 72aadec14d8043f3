"""Access to services: computed with the census weights of the population estimate, remembered."""

import pytest
from sqlalchemy import text

from geo.coverage.access import (
    access_and_unit_weights,
    access_to_services,
    forget_access,
    remembered_access_and_unit_weights,
)
from geo.coverage.allocation import compute_coverage
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
