"""Evaluation cuts on the real catalogue: closing freezes, the database refuses changes to a
closed cut, the live data moves on without it, and two cuts compare."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from geo.errors import DataError, ValidationError
from geo.evaluation.cuts import compare, list_cuts
from geo.evaluation.report import evaluation, uv_territories
from geo.store.actor import Actor
from geo.store.evaluation import close_cut, create_cut, set_progress
from geo.store.initiatives import set_archived
from geo.store.permissions import NotAuthorised
from tests.support.actors import TESTER
from tests.support.evaluation import hand_portfolio, set_portfolio

CONCEJAL = Actor("Concejala", "prueba", role="concejo")


def strategy(ev, code):
    return next(s for s in ev.as_json()["strategies"] if s["code"] == code)


@pytest.fixture
def portfolio(conn):
    return hand_portfolio(conn)


def test_a_closed_cut_keeps_its_figures_whatever_happens_to_the_live_data(conn, portfolio):
    a, b, c = portfolio
    cut = create_cut(conn, TESTER, "31-12-2015", "Cuenta Pública 2016")
    frozen = close_cut(conn, TESTER, cut)
    total = conn.execute(text("SELECT count(*) FROM initiative WHERE NOT is_demo")).scalar_one()
    assert frozen == total
    # By hand: A weighs 200 M at 60 %, B 200 M at 100 %, C (no cost) the mean 200 M at 10 %:
    # (200*60 + 200*100 + 200*10) / 600 = 56.7 %; executed 300 M of 400 M programmed = 75 %.
    e1 = strategy(evaluation(conn, cut), "E1")
    assert (e1["physical_pct"], e1["financial_pct"], e1["weighting"]) == (56.7, 75.0, "mixto")
    assert (e1["planned_clp"], e1["executed_clp"], e1["included"]) == (400_000_000, 300_000_000, 3)
    assert e1["excluded"] == {"sin_informacion": e1["total"] - 3}

    # The live data moves on: A entered at 90 %, B's lines gone, C suspended.
    version = conn.execute(text("SELECT version FROM initiative WHERE id = :i"), {"i": a["id"]}).scalar_one()
    set_progress(conn, TESTER, a["id"], "90 %", version)
    set_portfolio(conn, [(b, "terminado", []), (c, "suspendido", [])])
    live = strategy(evaluation(conn), "E1")
    assert live["physical_pct"] == 95.0  # A 200 M at 90, B (no cost: mean 200 M) at 100
    assert live["excluded"]["suspendido"] == 1
    assert strategy(evaluation(conn, cut), "E1") == e1  # the cut did not move

    listed = {r["id"]: r for r in list_cuts(conn)}
    assert listed[cut]["state"] == "cerrada" and listed[cut]["initiatives"] == total
    assert listed[cut]["closed_by"] == TESTER.name


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE cut_initiative SET status = 'terminado' WHERE cut_id = :c",
        "DELETE FROM cut_funding_line WHERE cut_id = :c",
        "INSERT INTO cut_territory (cut_id, initiative_id, territory_id) VALUES (:c, 1, 1)",
        "UPDATE evaluation_cut SET note = 'otra' WHERE id = :c",
        "UPDATE evaluation_cut SET state = 'borrador' WHERE id = :c",
        "DELETE FROM evaluation_cut WHERE id = :c",
    ],
)
def test_the_database_itself_refuses_to_change_a_closed_cut(conn, portfolio, statement):
    cut = create_cut(conn, TESTER, "2015-12-31")
    close_cut(conn, TESTER, cut)
    before = conn.execute(
        text("SELECT count(*), max(status) FROM cut_initiative WHERE cut_id = :c"), {"c": cut}
    ).one()
    with pytest.raises(DBAPIError, match="está cerrado: no cambia"), conn.begin_nested():
        conn.execute(text(statement), {"c": cut})
    after = conn.execute(
        text("SELECT count(*), max(status) FROM cut_initiative WHERE cut_id = :c"), {"c": cut}
    ).one()
    assert before == after


def test_a_draft_cut_is_not_evaluated_closing_twice_is_refused_and_roles_are_checked(conn, portfolio):
    cut = create_cut(conn, TESTER, "2015-12-31")
    with pytest.raises(DataError, match="borrador"):
        evaluation(conn, cut)
    with pytest.raises(NotAuthorised, match="concejo|Concejo"):
        close_cut(conn, CONCEJAL, cut)
    with pytest.raises(NotAuthorised):
        create_cut(conn, CONCEJAL, "2015-12-31")
    close_cut(conn, TESTER, cut)
    with pytest.raises(DataError, match="ya está cerrado"):
        close_cut(conn, TESTER, cut)
    with pytest.raises(ValidationError, match="Fecha de corte"):
        create_cut(conn, TESTER, "31-02-2015")
    audit = conn.execute(
        text("SELECT action FROM audit_log WHERE table_name = 'evaluation_cut' AND row_id = :c ORDER BY id"),
        {"c": str(cut)},
    ).scalars()
    assert list(audit) == ["crear_corte", "cerrar_corte"]


def test_entered_progress_is_validated_versioned_and_audited(conn, portfolio):
    a = portfolio[0]
    version = conn.execute(text("SELECT version FROM initiative WHERE id = :i"), {"i": a["id"]}).scalar_one()
    with pytest.raises(ValidationError, match="Avance físico"):
        set_progress(conn, TESTER, a["id"], "120", version)
    new = set_progress(conn, TESTER, a["id"], 35, version)
    assert new == version + 1
    with pytest.raises(DataError, match="mientras usted") as stale:
        set_progress(conn, TESTER, a["id"], 40, version)
    assert a["code"] in str(stale.value)  # the person is told which initiative, by its code
    details = conn.execute(
        text(
            "SELECT details FROM audit_log WHERE table_name = 'initiative' AND row_id = :i "
            "ORDER BY id DESC LIMIT 1"
        ),
        {"i": str(a["id"])},
    ).scalar_one()
    assert details["changes"] == {"progress_pct": [None, 35]}


def test_progress_is_a_change_of_the_initiative_like_any_other(conn, portfolio):
    # The same write as the form and the spreadsheet: an archived initiative is not changed
    # (restore it first), and the same progress again writes nothing and keeps the version.
    a, b, _ = portfolio
    version = conn.execute(text("SELECT version FROM initiative WHERE id = :i"), {"i": a["id"]}).scalar_one()
    new = set_progress(conn, TESTER, a["id"], "45 %", version)
    assert set_progress(conn, TESTER, a["id"], 45, new) == new
    audited = conn.execute(
        text("SELECT count(*) FROM audit_log WHERE table_name = 'initiative' AND row_id = :i"),
        {"i": str(a["id"])},
    ).scalar_one()
    archived = set_archived(conn, TESTER, b["id"], True).version
    with pytest.raises(DataError, match="está archivada"):
        set_progress(conn, TESTER, b["id"], 50, archived)
    assert (
        conn.execute(text("SELECT progress_pct FROM initiative WHERE id = :i"), {"i": b["id"]}).scalar_one()
        is None
    )
    assert (
        conn.execute(
            text("SELECT count(*) FROM audit_log WHERE table_name = 'initiative' AND row_id = :i"),
            {"i": str(a["id"])},
        ).scalar_one()
        == audited
    )


def test_two_cuts_compare_per_initiative_strategy_and_territory(conn, portfolio):
    a, b, c = portfolio
    first = create_cut(conn, TESTER, "2015-12-31")
    close_cut(conn, TESTER, first)
    # A finishes and spends its approved line; C stays at perfil.
    set_portfolio(conn, [(a, "terminado", [(100_000_000, "ejecutado"), (100_000_000, "ejecutado")])])
    second = create_cut(conn, TESTER, "2016-12-31")
    close_cut(conn, TESTER, second)
    diff = compare(conn, first, second, uv_territories(conn))
    by_code = {r["code"]: r for r in diff["initiatives"]}
    assert by_code[a["code"]]["outcome"] == "avanzo"
    assert (by_code[a["code"]]["progress_a"], by_code[a["code"]]["progress_b"]) == (60, 100)
    assert by_code[b["code"]]["outcome"] == "terminada"
    assert by_code[c["code"]]["outcome"] == "estancada"
    e1 = next(r for r in diff["by_strategy"] if r["strategy"] == "E1")
    assert (e1["planned_diff"], e1["executed_diff"]) == (0, 100_000_000)
    assert sum(r["executed_diff"] or 0 for r in diff["by_territory"]) == 100_000_000


# The roles written out (not read from geo.store.permissions): a change of the table fails here.
MAY_EVALUATE = {"administrador", "secplac"}


@pytest.mark.parametrize("role", ["administrador", "secplac", "facilitador", "concejo", None])
def test_only_administrador_and_secplac_make_cuts_and_enter_progress(conn, role):
    actor = Actor("Alguien", "prueba", role=role)
    draft = create_cut(conn, TESTER, "2015-12-31")
    iid, version = conn.execute(text("SELECT id, version FROM initiative ORDER BY id LIMIT 1")).one()
    writes = [
        lambda: create_cut(conn, actor, "2016-12-31"),
        lambda: close_cut(conn, actor, draft),
        lambda: set_progress(conn, actor, iid, 50, version),
    ]
    for write in writes:
        before = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
        if role in MAY_EVALUATE:
            write()
            assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == before + 1
        else:
            with pytest.raises(NotAuthorised, match="No autorizado"):
                write()
            assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == before
