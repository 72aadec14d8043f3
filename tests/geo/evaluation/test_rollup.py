"""The roll-up on hand-computed cases: every expected figure below was worked out by hand."""

import pytest

from geo.evaluation.progress import effective_progress, progress_table
from geo.evaluation.rollup import rollup
from geo.evaluation.snapshot import InitiativeState, Line


def state(code, status, pct, *amounts, executed=(), archived=False, strategy="E1", plan="E1.1"):
    lines = tuple(Line("fndr", None, 2016, a, "aprobado") for a in amounts)
    lines += tuple(Line("municipal", None, 2016, a, "ejecutado") for a in executed)
    source = None if pct is None else "estado"
    return InitiativeState(
        id=hash(code) % 10_000,
        code=code,
        name=code,
        kind="proyecto",
        scope="localizada",
        strategy=strategy,
        plan=plan,
        program=None,
        status=status,
        progress_pct=pct,
        progress_source=source,
        archived=archived,
        is_demo=False,
        lines=lines,
    )


def test_the_status_table_and_an_entered_progress_wins():
    assert effective_progress("sin_informacion", None).pct is None
    assert [effective_progress(s, None).pct for s in ("idea", "perfil", "diseno", "licitacion")] == [
        0,
        10,
        25,
        40,
    ]
    assert effective_progress("en_ejecucion", None).pct == 60
    assert effective_progress("terminado", None).pct == 100
    entered = effective_progress("perfil", 35)
    assert (entered.pct, entered.source) == (35, "registrado")
    # Suspended: keeps the value of the status it had before, and is flagged.
    kept = effective_progress("suspendido", None, "diseno")
    assert (kept.pct, kept.source, kept.suspended) == (25, "estado", True)
    assert effective_progress("suspendido", None, None).pct is None
    assert effective_progress("suspendido", 70, "diseno").pct == 70
    assert len(progress_table()) == 8


def test_weighted_by_programmed_cost_when_every_initiative_has_one():
    # 100 at 60 % and 300 at 100 %: (100*60 + 300*100) / 400 = 36000 / 400 = 90 %
    r = rollup([state("A", "en_ejecucion", 60, 100), state("B", "terminado", 100, 200, executed=(100,))])
    assert r.physical_pct == pytest.approx(90.0)
    assert r.weighting == "costo"
    # programmed 100 + 300 = 400, executed 100: 25 %
    assert (r.planned_clp, r.executed_clp) == (400, 100)
    assert r.financial_pct == pytest.approx(25.0)


def test_without_a_cost_an_initiative_weighs_the_group_mean_cost():
    # costs 100 (at 0 %) and 300 (at 40 %), C has none (at 100 %): it weighs (100+300)/2 = 200.
    # (100*0 + 300*40 + 200*100) / (100 + 300 + 200) = 32000 / 600 = 53.33 %
    r = rollup([state("A", "idea", 0, 100), state("B", "licitacion", 40, 300), state("C", "terminado", 100)])
    assert r.physical_pct == pytest.approx(53.333, abs=0.001)
    assert r.weighting == "mixto"
    assert r.planned_clp == 400 and r.executed_clp == 0 and r.financial_pct == 0.0


def test_equal_weights_when_no_cost_is_known_and_no_amount_is_never_zero_percent():
    # (10 + 25 + 100) / 3 = 45 %
    r = rollup([state("A", "perfil", 10), state("B", "diseno", 25), state("C", "terminado", 100, None)])
    assert r.physical_pct == pytest.approx(45.0)
    assert r.weighting == "iguales"
    assert r.planned_clp is None and r.financial_pct is None  # "sin montos informados"


def test_without_information_suspended_and_archived_are_counted_beside_not_in():
    r = rollup(
        [
            state("A", "terminado", 100, 500),
            state("B", "sin_informacion", None, 1_000),
            state("C", "suspendido", 25, 1_000),
            state("D", "idea", 0, 1_000, archived=True),
        ]
    )
    assert r.physical_pct == 100.0 and r.planned_clp == 500
    assert r.included == 1 and r.excluded_total == 3
    assert r.excluded == {"sin_informacion": 1, "suspendido": 1, "archivada": 1}
    assert r.by_status == {"sin_informacion": 1, "terminado": 1, "suspendido": 1}  # archived not counted


def test_a_strategy_is_computed_from_its_leaves_not_from_its_plans():
    # Plan 1: one initiative of cost 900 at 100 %. Plan 2: three of cost 100 at 0 %.
    # Mean of the plans' figures would be (100 + 0) / 2 = 50 %; from the leaves it is
    # (900*100) / (900 + 300) = 75 %.
    leaves = [state("A", "terminado", 100, 900, plan="P1")] + [
        state(f"B{i}", "idea", 0, 100, plan="P2") for i in range(3)
    ]
    assert rollup(s for s in leaves if s.plan == "P2").physical_pct == 0.0
    assert rollup(leaves).physical_pct == pytest.approx(75.0)


def test_nothing_included_gives_no_percentage():
    r = rollup([state("A", "sin_informacion", None)])
    assert r.physical_pct is None and r.financial_pct is None and r.excluded_total == 1
