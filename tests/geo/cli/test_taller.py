"""``sit taller`` run as a person runs it (a separate process): create, list, needs, close."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine

from geo.accounts.users import create_user
from geo.store.workshops import NeedDraft, record_needs
from tests.conftest import run_sit, set_up_database
from tests.support.activity import FAST, PASSWORD
from tests.support.actors import TESTER
from tests.support.workshops import point_in, query


@pytest.fixture(scope="module")
def url():
    url = set_up_database("cli_taller")
    engine = create_engine(url)
    with engine.begin() as conn:
        create_user(conn, TESTER, "fede", "Federico Facilitador", "facilitador", PASSWORD, hasher=FAST)
        create_user(conn, TESTER, "concejal", "Carmen Concejal", "concejo", PASSWORD, hasher=FAST)
    engine.dispose()
    return url


def test_create_prints_only_the_id_and_the_workshop_is_listed_with_its_needs_and_closed(url):
    made = run_sit(
        "--user", "fede", "--password-stdin", "taller", "create", "--date", "2026-12-05",
        "--territory", "UV 05", "--territory", "Domeyko", "--place", "Sede social",
        "--facilitator", "fede", "--attendance", "31",
        url=url, input=PASSWORD + "\n",
    )  # fmt: skip
    assert made.stdout.strip().isdigit() and made.stdout.count("\n") == 1
    wid = int(made.stdout)
    ((held_on, place, facilitator, total, who),) = query(
        url,
        "SELECT w.held_on::text, w.place, u.username, w.attendance_total, a.user_name FROM workshop w "
        "JOIN app_user u ON u.id = w.facilitator_id "
        "JOIN audit_log a ON a.table_name = 'workshop' AND a.row_id = w.id::text WHERE w.id = :i",
        i=wid,
    )
    assert (held_on, place, facilitator, total, who) == (
        "2026-12-05",
        "Sede social",
        "fede",
        31,
        "Federico Facilitador",
    )

    engine = create_engine(url)
    with engine.begin() as conn:
        record_needs(
            conn,
            TESTER,
            wid,
            [NeedDraft("problema", None, "Falta luminaria <b>ya</b>", 4, point_in(conn, "05"))],
        )
    engine.dispose()

    listed = json.loads(run_sit("taller", "list", "--json", url=url).stdout)
    mine = next(w for w in listed if w["id"] == wid)
    assert mine["territorios"] == ["UV 05 · Carrera", "Domeyko"]
    assert (mine["estado"], mine["necesidades"], mine["facilitador"]) == (
        "abierto",
        1,
        "Federico Facilitador",
    )
    plain = run_sit("taller", "list", url=url).stdout
    assert "05-12-2026  abierto   Sede social  (UV 05 · Carrera, Domeyko)  1 necesidad(es)" in plain

    (need,) = json.loads(run_sit("taller", "needs", str(wid), "--json", url=url).stdout)
    assert (need["tipo"], need["texto"], need["votos"], need["territorio"]) == (
        "problema",
        "Falta luminaria <b>ya</b>",
        4,
        "UV 05 · Carrera",
    )
    assert need["geometria"]["type"] == "Point"

    closed = run_sit("taller", "close", str(wid), "--report", "Se priorizó la luminaria.", url=url)
    assert closed.stdout.strip() == f"Taller {wid} cerrado: ya no recibe necesidades nuevas."
    again = run_sit("taller", "close", str(wid), url=url, check=False)
    assert again.returncode == 2
    assert "Error: El taller del 05-12-2026 en «Sede social» ya está cerrado." in again.stderr
    assert query(url, "SELECT state, closing_report FROM workshop WHERE id = :i", i=wid) == [
        ("cerrado", "Se priorizó la luminaria.")
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--territory", "UV 99", "--date", "05-12-2026"),
            "Error: Territorio «UV 99»: no existe la unidad vecinal 99.",
        ),
        (("--territory", "UV 05", "--date", "31-02-2026"), "Fecha: la fecha «31-02-2026» no existe"),
    ],
)
def test_bad_input_is_refused_in_spanish_and_nothing_is_written(url, args, message):
    before = query(url, "SELECT count(*) FROM workshop")
    out = run_sit("taller", "create", "--place", "Sede", *args, url=url, check=False)
    assert out.returncode == 2 and out.stdout == ""
    assert message in out.stderr
    assert query(url, "SELECT count(*) FROM workshop") == before


def test_the_council_may_not_create_a_workshop(url):
    before = query(url, "SELECT count(*) FROM workshop")
    out = run_sit(
        "--user", "concejal", "--password-stdin", "taller", "create", "--date", "05-12-2026",
        "--territory", "UV 05", "--place", "Sede",
        url=url, input=PASSWORD + "\n", check=False,
    )  # fmt: skip
    assert out.returncode == 2
    assert "No autorizado: el rol Concejo Municipal no puede gestionar talleres y necesidades" in out.stderr
    assert query(url, "SELECT count(*) FROM workshop") == before
