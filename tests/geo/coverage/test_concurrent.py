"""Given an engine, compute_coverage runs the allocation on a second connection meanwhile."""

import threading

import pytest
from sqlalchemy import create_engine

from geo.coverage import allocation
from geo.coverage.access import forget_access
from geo.coverage.allocation import compute_coverage
from geo.coverage.export import coverage_json
from geo.initiatives.demo import generate_demo
from geo.initiatives.filters import MapFilters
from tests.conftest import set_up_database
from tests.support.actors import TESTER


@pytest.fixture(scope="module")
def committed_engine():
    """A sibling database with committed demo data (a second connection must see it)."""
    eng = create_engine(set_up_database("cov_concurrent"))
    generate_demo(eng, 300, seed=5, actor=TESTER)
    yield eng
    eng.dispose()


@pytest.mark.parametrize(
    "filters",
    [
        MapFilters(include_demo=True),
        MapFilters(strategies=("E2",), include_demo=True),
        MapFilters(sectors=("rural",), include_demo=True),
    ],
)
def test_concurrent_path_gives_what_the_sequential_one_gives(committed_engine, filters, monkeypatch):
    threads = []
    on = allocation._allocation_rows_on

    def spy(engine, f):
        threads.append(threading.current_thread())
        return on(engine, f)

    monkeypatch.setattr(allocation, "_allocation_rows_on", spy)
    forget_access()
    with committed_engine.connect() as conn:
        sequential = coverage_json(compute_coverage(conn, filters))
    assert threads == []  # a connection: everything on it, one statement after another
    forget_access()
    concurrent = coverage_json(compute_coverage(committed_engine, filters))
    assert threads and threads[0] is not threading.main_thread()
    assert concurrent == sequential
    assert concurrent["totals"]["initiatives"] > 0 and concurrent["matrix"]
    remembered = coverage_json(compute_coverage(committed_engine, filters))
    assert len(threads) == 2 and threads[1] is not threading.main_thread()  # access remembered
    assert remembered == sequential
