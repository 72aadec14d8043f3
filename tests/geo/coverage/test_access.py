"""Access to services computed together with the census weights of the population estimate."""

from geo.coverage.access import access_and_unit_weights, access_to_services
from geo.territory.population import population_table, unit_weights


def test_one_query_gives_the_population_estimates_weights_and_the_same_access(conn):
    access, weights = access_and_unit_weights(conn)
    assert weights == unit_weights(conn)  # exactly: the same query on the same pieces
    assert weights and all(abs(sum(w.values()) - 1) < 1e-9 for w in weights.values())
    assert access.equals(access_to_services(conn))
    assert population_table(conn, weights).rows == population_table(conn).rows
