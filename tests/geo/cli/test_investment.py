"""``sit investment --json`` prints the library's figures (a separate process, its own database)."""

import json

import pytest
from sqlalchemy import create_engine, text

from geo.initiatives.filters import MapFilters
from geo.investment.attribution import investment_report, territory_investment
from geo.investment.lines import InvestmentFilters
from tests.conftest import run_sit, set_up_database


@pytest.fixture(scope="module")
def inv_url():
    url = set_up_database("inv")
    run_sit("demo", "generate", "--initiatives", "300", "--seed", "1", url=url)
    return url


def _library(url, filters, territory=None):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if territory is None:
                return investment_report(conn, filters).as_json()
            report = investment_report(conn, filters)
            return territory_investment(conn, report.find(territory).key, filters).as_json()
    finally:
        engine.dispose()


def test_json_is_the_library_report(inv_url):
    data = json.loads(run_sit("investment", "--json", "--demo", url=inv_url).stdout)
    assert data == _library(inv_url, InvestmentFilters(MapFilters(include_demo=True)))
    t = data["totals"]
    assert t["total_clp"] == sum(r["attributed_clp"] or 0 for r in data["rows"] if r["summed"])
    engine = create_engine(inv_url)
    with engine.connect() as conn:
        known = conn.execute(text("SELECT count(amount_clp), count(*) FROM funding_line")).one()
    engine.dispose()
    assert t["n_lines"] == known[0] and 300 < known[1]  # 1 to 3 lines each; only known amounts are summed


def test_filters_and_one_territory(inv_url):
    args = ["--demo", "--strategy", "E1", "--year-from", "2016", "--source", "FNDR", "--source", "municipal"]
    data = json.loads(run_sit("investment", "--json", *args, "--stage", "ejecutado", url=inv_url).stdout)
    filters = InvestmentFilters(
        MapFilters(strategies=("E1",), include_demo=True),
        year_from=2016,
        sources=("fndr", "municipal"),
        stages=("ejecutado",),
    )
    assert data == _library(inv_url, filters)
    assert {b["key"] for b in data["breakdowns"]["stage"]} == {"ejecutado"}
    assert {b["key"] for b in data["breakdowns"]["source"]} == {"fndr", "municipal"}
    one = json.loads(run_sit("investment", "--json", "--demo", "--territory", "UV 05", url=inv_url).stdout)
    assert one == _library(inv_url, InvestmentFilters(MapFilters(include_demo=True)), "UV 05")
    assert one["territory"]["label"] == "UV 05 · Carrera"


def test_real_data_says_sin_montos_informados(inv_url):
    out = run_sit("investment", url=inv_url).stdout
    assert "Total: sin montos informados" in out and "$ 0" not in out
    bad = run_sit("investment", "--territory", "UV 99", url=inv_url, check=False)
    assert bad.returncode == 2 and "No hay un territorio «UV 99»" in bad.stderr
