"""The property of issue 11: on random portfolios the rows add up to the peso.

Seeded numpy over many seeds (no extra dependency): random funding lines (0 to 4 per
initiative, amounts up to 10^12 CLP, some unknown; mixed sources, years and stages), scopes,
and links to Vallenar's real UVs, localities and sites
with random weights (unknown, tiny, uneven). For every portfolio and random filters, the UV
rows + Comunal + Fuera de la comuna + Sin territorio sum exactly to the filtered lines.
"""

from collections import Counter
from decimal import Decimal

import numpy as np
import pytest
from sqlalchemy import text

from geo.domain import FUNDING_LINE_SOURCES, FUNDING_STAGES
from geo.initiatives.filters import MapFilters
from geo.investment.attribution import apportion, investment_report
from geo.investment.lines import InvestmentFilters, funding_lines, known_amounts
from tests.support.coverage import add_line

SCOPES = ("localizada", "localizada", "localizada", "comunal", "fuera_comuna")
SOURCES = list(FUNDING_LINE_SOURCES)
STAGES = list(FUNDING_STAGES)


def test_apportion_adds_up_for_random_weights():
    for seed in range(1500):
        rng = np.random.default_rng(seed)
        n = int(rng.integers(1, 16))
        amount = int(rng.integers(0, 10**13))
        choices = [None, Decimal("0"), *(Decimal(str(round(float(x), 6))) for x in rng.random(4))]
        weights = {
            int(t): choices[int(rng.integers(len(choices)))] for t in rng.choice(10_000, n, replace=False)
        }
        parts = apportion(amount, weights)
        assert sum(parts.values()) == amount and min(parts.values()) >= 0, seed
        assert set(parts) == set(weights)


def _random_portfolio(conn, rng: np.random.Generator, n: int) -> None:
    terr = conn.execute(text("SELECT id, kind FROM territory ORDER BY id")).all()
    uvs = [t for t, k in terr if k == "unidad_vecinal"]
    others = [t for t, k in terr if k != "unidad_vecinal"]
    strategies = [r[0] for r in conn.execute(text("SELECT code FROM strategy ORDER BY code"))]
    for k in range(n):
        scope = SCOPES[int(rng.integers(len(SCOPES)))]
        iid = conn.execute(
            text(
                "INSERT INTO initiative (code, name, kind, strategy_id, status, scope, is_demo) SELECT :c, "
                ":name, 'proyecto', id, 'idea', :sc, :demo FROM strategy WHERE code = :s RETURNING id"
            ),
            {
                "c": f"P-{k}",
                "name": f"Cartera aleatoria {k}",
                "sc": scope,
                "demo": bool(rng.random() < 0.5),
                "s": strategies[int(rng.integers(len(strategies)))],
            },
        ).scalar_one()
        for _ in range(int(rng.integers(0, 5))):
            add_line(
                conn,
                iid,
                None if rng.random() < 0.15 else int(rng.integers(0, 10**12)),
                None if rng.random() < 0.2 else SOURCES[int(rng.integers(len(SOURCES)))],
                None if rng.random() < 0.1 else int(rng.integers(2015, 2031)),
                STAGES[int(rng.integers(len(STAGES)))],
            )
        linked = []
        if scope == "localizada" or rng.random() < 0.2:
            linked += list(rng.choice(uvs, int(rng.integers(0, 5)), replace=False))
            linked += list(rng.choice(others, int(rng.integers(0, 3)), replace=False))
        for tid in linked:
            r = rng.random()
            weight = None if r < 0.4 else (0.000001 if r < 0.5 else round(0.000001 + float(rng.random()), 6))
            conn.execute(
                text(
                    "INSERT INTO initiative_territory (initiative_id, territory_id, link_method, weight) "
                    "VALUES (:i, :t, 'manual', :w)"
                ),
                {"i": iid, "t": int(tid), "w": weight},
            )


def _random_filters(rng: np.random.Generator) -> InvestmentFilters:
    year_from = None if rng.random() < 0.5 else int(rng.integers(2015, 2031))
    sources = () if rng.random() < 0.6 else tuple(rng.choice([*SOURCES, "sin_fuente"], 3, replace=False))
    stages = () if rng.random() < 0.6 else tuple(rng.choice(STAGES, 2, replace=False))
    strategies = () if rng.random() < 0.6 else tuple(f"E{int(rng.integers(1, 10))}" for _ in range(2))
    return InvestmentFilters(
        MapFilters(strategies=strategies, include_demo=bool(rng.random() < 0.7)),
        year_from=year_from,
        year_to=None if year_from is None or rng.random() < 0.5 else year_from + int(rng.integers(0, 6)),
        sources=sources,
        stages=stages,
    )


@pytest.mark.parametrize("seed", range(8))
def test_rows_add_up_to_the_filtered_lines(conn, seed):
    rng = np.random.default_rng(seed)
    _random_portfolio(conn, rng, int(rng.integers(20, 120)))
    # The portfolio has what the property is about: several lines per initiative, some unknown.
    everything = funding_lines(conn, InvestmentFilters(MapFilters(include_demo=True)))
    per_initiative = Counter(ln.initiative_id for ln in everything)
    assert max(per_initiative.values()) > 1 and any(ln.amount_clp is None for ln in everything)
    for filters in [
        InvestmentFilters(MapFilters(include_demo=True)),
        *(_random_filters(rng) for _ in range(3)),
    ]:
        every = funding_lines(conn, filters)
        lines = known_amounts(every)
        report = investment_report(conn, filters)
        expected = sum(ln.amount_clp or 0 for ln in lines)
        assert sum(r.attributed_clp or 0 for r in report.summed_rows) == expected
        assert (report.total_clp or 0) == expected
        for dim, rows in report.breakdowns.items():
            assert sum(b.amount_clp for b in rows) == expected, dim
        # Localities are shown, never more than what touches them, and not summed.
        for r in report.rows:
            assert r.summed == (r.kind != "localidad")
            if r.attributed_clp is not None:
                assert r.touching_clp is not None and 0 <= r.attributed_clp <= r.touching_clp
