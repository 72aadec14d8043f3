"""``sit population`` and ``sit coverage`` run as separate processes on their own database."""

import json

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import run_sit, set_up_database


@pytest.fixture(scope="module")
def cov_url():
    return set_up_database("cov")


def test_population_json_conserves_the_census(cov_url):
    data = json.loads(run_sit("population", "--json", url=cov_url).stdout)
    t = data["totals"]
    assert t["census_total"] == 48759 and t["census_not_assigned"] == 721
    assert t["uv_total"] == t["census_used"] == 48038
    kinds = [r["kind"] for r in data["territories"]]
    assert kinds.count("unidad_vecinal") == 15 and kinds.count("localidad") == 7
    out = run_sit("population", url=cov_url).stdout
    assert "Suma de las UV: 48.038" in out


def test_official_import_via_cli(cov_url, tmp_path):
    good = tmp_path / "oficial.csv"
    good.write_text("codigo,poblacion,fuente\n07,2200,Registro municipal\n", encoding="utf-8")
    assert "1 territorio" in run_sit("population", "import", str(good), url=cov_url).stdout
    rows = {
        r["code"]: r for r in json.loads(run_sit("population", "--json", url=cov_url).stdout)["territories"]
    }
    assert rows["07"]["population"] == 2200 and rows["07"]["official"]
    assert rows["07"]["source"] == "Cifra oficial municipal: Registro municipal"

    bad = tmp_path / "malo.csv"
    bad.write_text("codigo,poblacion\n08,100\n08,-3\n", encoding="latin-1")
    proc = run_sit("population", "import", str(bad), url=cov_url, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "«malo.csv», fila 3" in proc.stderr
    rows = {
        r["code"]: r for r in json.loads(run_sit("population", "--json", url=cov_url).stdout)["territories"]
    }
    assert not rows["08"]["official"]  # nothing of the bad file was written
    run_sit("population", "clear", url=cov_url)
    rows = {
        r["code"]: r for r in json.loads(run_sit("population", "--json", url=cov_url).stdout)["territories"]
    }
    assert not rows["07"]["official"]


def test_coverage_json_matches_the_page_numbers(cov_url):
    from geo.coverage.allocation import compute_coverage
    from geo.coverage.export import coverage_json
    from geo.initiatives.filters import MapFilters

    run_sit("demo", "generate", "--initiatives", "150", "--seed", "3", url=cov_url)
    data = json.loads(run_sit("coverage", "--json", "--demo", url=cov_url).stdout)
    engine = create_engine(cov_url)
    with engine.connect() as conn:
        known = conn.execute(text("SELECT sum(amount_clp) FROM funding_line")).scalar()
        page = coverage_json(compute_coverage(conn, MapFilters(include_demo=True)))
    engine.dispose()
    t = data["totals"]
    assert t["known_investment"] == known > 0
    assert t["allocated_investment"] + t["not_allocated_investment"] == known
    assert abs(sum(c["investment_clp"] for c in data["matrix"]) - t["allocated_investment"]) <= len(
        data["matrix"]
    )  # cells are rounded to the peso
    assert json.loads(json.dumps(page, ensure_ascii=False)) == data
    assert data["gaps"] and all(g["reason"].endswith(".") for g in data["gaps"])

    real = json.loads(run_sit("coverage", "--json", url=cov_url).stdout)
    assert real["totals"]["known_investment"] == 0  # the plan gives no amounts
    e4 = json.loads(run_sit("coverage", "--json", "--demo", "--strategy", "E4", url=cov_url).stdout)
    assert {g["strategy"] for g in e4["gaps"]} <= {"E4", None}
    run_sit("demo", "clear", url=cov_url)
