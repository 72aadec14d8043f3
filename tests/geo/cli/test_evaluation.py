"""``sit cut`` and ``sit evaluation`` run as a person runs them (a separate process)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine

from geo.accounts.users import create_user
from tests.conftest import run_sit, set_up_database
from tests.support.activity import FAST, PASSWORD
from tests.support.actors import TESTER
from tests.support.evaluation import e1_initiatives, hand_portfolio, set_portfolio


@pytest.fixture(scope="module")
def url():
    url = set_up_database("cli_evaluation")
    engine = create_engine(url)
    with engine.begin() as conn:
        create_user(conn, TESTER, "sofia", "Sofía Secplac", "secplac", PASSWORD, hasher=FAST)
        create_user(conn, TESTER, "concejal", "Carmen Concejal", "concejo", PASSWORD, hasher=FAST)
        a, b, c = hand_portfolio(conn)
    engine.dispose()
    return url


def sit_as(user, *args, url, check=True):
    return run_sit("--user", user, "--password-stdin", *args, url=url, input=PASSWORD + "\n", check=check)


def test_cuts_from_the_console_evaluated_and_compared(url):
    refused = sit_as("concejal", "cut", "create", "--date", "31-12-2015", url=url, check=False)
    assert refused.returncode == 2
    assert "No autorizado" in refused.stderr and "Concejo" in refused.stderr
    made = sit_as("sofia", "cut", "create", "--date", "31-12-2015", "--note", "Cuenta Pública", url=url)
    assert made.stdout.strip().isdigit() and made.stdout.count("\n") == 1
    first = int(made.stdout)
    closed = sit_as("sofia", "cut", "close", str(first), url=url)
    assert f"Corte n.º {first} cerrado" in closed.stdout

    listed = json.loads(run_sit("cut", "list", "--json", url=url).stdout)
    assert [(c["id"], c["state"], c["closed_by"]) for c in listed] == [(first, "cerrada", "Sofía Secplac")]
    report = json.loads(run_sit("evaluation", "--json", "--cut", str(first), url=url).stdout)
    e1 = next(s for s in report["strategies"] if s["code"] == "E1")
    # Hand-computed: (200 M x 60 + 200 M x 100 + 200 M (mean cost) x 10) / 600 M = 56.7 %; 300 / 400 = 75 %.
    assert (e1["physical_pct"], e1["financial_pct"], e1["included"]) == (56.7, 75.0, 3)
    assert report["source"]["label"].startswith(f"Corte n.º {first}: estado al 31-12-2015")
    text_out = run_sit("evaluation", "--cut", str(first), url=url).stdout
    assert "avance físico 56,7 %, financiero 75,0 %" in text_out

    # The live data moves on: A finishes; a second cut; the first answers as before.
    engine = create_engine(url)
    with engine.begin() as conn:
        a = e1_initiatives(conn)[0]
        set_portfolio(conn, [(a, "terminado", [(100_000_000, "ejecutado"), (100_000_000, "ejecutado")])])
    engine.dispose()
    second = int(sit_as("sofia", "cut", "create", "--date", "2016-12-31", url=url).stdout)
    sit_as("sofia", "cut", "close", str(second), url=url)
    again = json.loads(run_sit("evaluation", "--json", "--cut", str(first), url=url).stdout)
    assert again["strategies"] == report["strategies"]

    diff = json.loads(run_sit("cut", "compare", str(first), str(second), "--json", url=url).stdout)
    assert diff["counts"]["avanzo"] == 1 and diff["counts"]["terminada"] == 1
    e1_diff = next(r for r in diff["by_strategy"] if r["strategy"] == "E1")
    assert e1_diff["executed_diff"] == 100_000_000
    printed = run_sit("cut", "compare", str(first), str(second), url=url).stdout
    assert "Avanzó: 1" in printed and "En ejecución → Terminado" in printed


def test_a_draft_cut_is_refused_in_spanish(url):
    draft = int(run_sit("cut", "create", "--date", "2017-12-31", url=url).stdout)
    refused = run_sit("evaluation", "--json", "--cut", str(draft), url=url, check=False)
    assert refused.returncode == 2 and "es un borrador" in refused.stderr
    bad = run_sit("cut", "create", "--date", "31-02-2017", url=url, check=False)
    assert bad.returncode == 2 and "Fecha de corte" in bad.stderr
