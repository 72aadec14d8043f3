"""A small hand-made portfolio for the evaluation tests: three initiatives of E1 with known
statuses and funding lines, the rest of the real catalogue left as loaded (sin información)."""

from __future__ import annotations

from sqlalchemy import Connection, text

from geo.store.funding import FundingLineValues
from geo.store.initiatives import InitiativeChange, save_initiatives
from tests.support.actors import TESTER


def e1_initiatives(conn: Connection, n: int = 3) -> list[dict]:
    """The first ``n`` initiatives of strategy E1 linked to a UV (id, code, version)."""
    return [
        dict(r)
        for r in conn.execute(
            text(
                """
                SELECT i.id, i.code, i.version FROM initiative i JOIN strategy s ON s.id = i.strategy_id
                 WHERE s.code = 'E1' AND i.archived_at IS NULL AND EXISTS (
                       SELECT 1 FROM initiative_territory it JOIN territory t ON t.id = it.territory_id
                        WHERE it.initiative_id = i.id AND t.kind = 'unidad_vecinal')
                 ORDER BY i.code LIMIT :n
                """
            ),
            {"n": n},
        ).mappings()
    ]


def set_portfolio(conn: Connection, plan: list[tuple[dict, str, list[tuple[int | None, str]]]]) -> None:
    """Give each initiative its status and funding lines ((amount, stage), source FNDR, 2016)."""
    save_initiatives(
        conn,
        TESTER,
        [
            InitiativeChange(
                values={"status": status},
                id=row["id"],
                expected_version=None,
                funding=[FundingLineValues("fndr", None, 2016, amount, stage) for amount, stage in lines],
            )
            for row, status, lines in plan
        ],
    )


def hand_portfolio(conn: Connection) -> tuple[dict, dict, dict]:
    """The portfolio the tests compute by hand; return its three initiatives (A, B, C).

    A: en ejecución (60 %), 100 M aprobado + 100 M ejecutado; B: terminado (100 %), 200 M
    ejecutado; C: perfil (10 %), a line without amount. E1's physical progress is then
    (200 x 60 + 200 x 100 + 200 (C weighs the mean cost) x 10) / 600 = 56,7 %, its financial
    progress 300 / 400 = 75 %.
    """
    a, b, c = e1_initiatives(conn)
    set_portfolio(
        conn,
        [
            (a, "en_ejecucion", [(100_000_000, "aprobado"), (100_000_000, "ejecutado")]),
            (b, "terminado", [(200_000_000, "ejecutado")]),
            (c, "perfil", [(None, "postulado")]),
        ],
    )
    return a, b, c
