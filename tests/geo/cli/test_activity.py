"""``sit activity``: the rows of the Actividad page for the same filters, from the console."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import create_engine

from geo.accounts.users import create_user
from geo.activity.log import ActivityFilter, activity_rows
from tests.conftest import run_sit, set_up_database
from tests.support.activity import CODE, FAST, PASSWORD, write_scenario
from tests.support.actors import TESTER

MARCH_10 = date(2025, 3, 10)


@pytest.fixture(scope="module")
def url():
    url = set_up_database("cli_activity")
    engine = create_engine(url)
    with engine.begin() as conn:
        write_scenario(conn)
        create_user(conn, TESTER, "concejal", "Carmen Concejal", "concejo", PASSWORD, hasher=FAST)
    engine.dispose()
    return url


def library(url, f):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return activity_rows(conn, f)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("args", "f"),
    [
        (("--user", "arojas"), ActivityFilter(person="arojas")),
        (("--user", "Patricio Vega"), ActivityFilter(person="Patricio Vega")),
        (("--desde", "10-03-2025", "--hasta", "2025-03-10"), ActivityFilter(since=MARCH_10, until=MARCH_10)),
        (("--objeto", f"initiative:{CODE}"), ActivityFilter(kind="initiative", ref=CODE)),
        (
            ("--objeto", "territory:Chamonate", "--accion", "ubicar_sitio"),
            ActivityFilter(kind="territory", ref="Chamonate", action="ubicar_sitio"),
        ),
        (("--objeto", "app_user"), ActivityFilter(kind="app_user")),
    ],
)
def test_the_console_lists_the_same_rows_as_the_library_for_each_filter(url, args, f):
    got = json.loads(run_sit("activity", "--json", *args, url=url).stdout)
    assert got == library(url, f)
    assert got  # every filter here finds something


def test_the_text_shows_who_what_and_each_field_before_and_after(url):
    out = run_sit("activity", "--objeto", f"initiative:{CODE}", "--limit", "2", url=url).stdout
    lines = out.splitlines()
    assert "Ana Rojas (arojas)  Editar iniciativa  E1.P1.G1.01 · " in lines[0]
    assert "      Estado: Idea → Perfil" in lines
    assert "      Financiamiento: (vacío) → FNDR, 2016, $ 12.500.000, Aprobado" in lines
    assert any(
        line.startswith("10-03-2025 12:00  Patricio Vega (nombre escrito, sin cuenta)") for line in lines
    )


def test_wrong_filters_are_refused_in_spanish(url):
    bad = run_sit("activity", "--objeto", "planeta:x", url=url, check=False)
    assert bad.returncode == 2 and "«planeta» no es un tipo de objeto" in bad.stderr
    day = run_sit("activity", "--desde", "31-02-2025", url=url, check=False)
    assert day.returncode == 2 and "«31-02-2025» no es una fecha" in day.stderr
    none = run_sit("activity", "--user", "nadie", url=url).stdout
    assert none.strip() == "Sin actividad para esos filtros."


def test_an_account_may_read_it_only_with_a_role_that_sees_the_activity(url):
    login = ("--user", "concejal", "--password-stdin")
    refused = run_sit(*login, "activity", url=url, input=PASSWORD + "\n", check=False)
    assert refused.returncode == 2 and "No autorizado" in refused.stderr and not refused.stdout
    ana = run_sit(
        "--user", "arojas", "--password-stdin", "activity", "--json", url=url, input=PASSWORD + "\n"
    )
    assert json.loads(ana.stdout)[0]["who"] == "Ana Rojas (arojas)"
