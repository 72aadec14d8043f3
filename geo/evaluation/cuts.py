"""Evaluation cuts read back: the list, and what changed between two closed cuts.

Comparing cut A (earlier) with cut B, each initiative is one of:

* ``agregada``: in B, not in A (or in A only as demo data left out);
* ``archivada``: archived in B (or gone from B) but not in A;
* ``avanzo``: its physical progress rose (from unknown to known counts as rising);
* ``retrocedio``: its physical progress fell;
* ``terminada``: finished (100 %) in both;
* ``estancada``: the same progress in both (or unknown in both);

and, besides, ``reformulada`` when its strategy or its territories changed. The investment
difference (programmed and executed, B - A) is given per strategy and per UV, with the UV
split of :mod:`geo.evaluation.territorial`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, text

from geo.evaluation.snapshot import InitiativeState, cut_states
from geo.evaluation.territorial import Territory, add_known, money_by_place

log = logging.getLogger(__name__)

OUTCOMES: dict[str, str] = {
    "avanzo": "Avanzó",
    "estancada": "Estancada",
    "retrocedio": "Retrocedió",
    "terminada": "Terminada en ambos",
    "agregada": "Agregada",
    "archivada": "Archivada o retirada",
}


def list_cuts(conn: Connection) -> list[dict[str, Any]]:
    """Every cut, newest date first, with how many initiatives it froze."""
    rows = conn.execute(
        text(
            """
            SELECT c.id, c.cut_date, c.state, c.closed_by, c.closed_at, c.note, c.with_demo, c.version,
                   (SELECT count(*) FROM cut_initiative ci WHERE ci.cut_id = c.id) AS initiatives
              FROM evaluation_cut c ORDER BY c.cut_date DESC, c.id DESC
            """
        )
    ).mappings()
    return [
        {
            **dict(r),
            "cut_date": r["cut_date"].isoformat(),
            "closed_at": None if r["closed_at"] is None else r["closed_at"].isoformat(),
        }
        for r in rows
    ]


def _outcome(a: InitiativeState | None, b: InitiativeState | None) -> str:
    if b is None or (b.archived and not (a is not None and a.archived)):
        return "archivada"
    if a is None:
        return "agregada"
    pa, pb = a.progress_pct, b.progress_pct
    if pa == pb:
        return "terminada" if pb == 100 else "estancada"
    if pb is not None and (pa is None or pb > pa):
        return "avanzo"
    return "retrocedio"


def _by_strategy(states: list[InitiativeState]) -> dict[str, list[int | None]]:
    out: dict[str, list[int | None]] = defaultdict(lambda: [None, None])
    for s in states:
        if not s.archived:
            out[s.strategy][0] = add_known(out[s.strategy][0], s.planned_clp)
            out[s.strategy][1] = add_known(out[s.strategy][1], s.executed_clp)
    return out


def _diff(after: int | None, before: int | None) -> int | None:
    """B - A; None when neither is known (never a difference of invented zeros)."""
    return None if after is None and before is None else (after or 0) - (before or 0)


def compare(conn: Connection, cut_a: int, cut_b: int, uvs: dict[int, Territory]) -> dict[str, Any]:
    """What changed from closed cut ``cut_a`` to closed cut ``cut_b`` (``uvs``: the UVs by id)."""
    a = {s.id: s for s in cut_states(conn, cut_a)}
    b = {s.id: s for s in cut_states(conn, cut_b)}
    initiatives = []
    counts = {k: 0 for k in OUTCOMES}
    rescoped = 0
    for iid in sorted(set(a) | set(b), key=lambda i: (b.get(i) or a[i]).code):
        old, new = a.get(iid), b.get(iid)
        if old is not None and old.archived and (new is None or new.archived):
            continue  # archived before A: nothing to say
        outcome = _outcome(old, new)
        counts[outcome] += 1
        changed = []
        if old is not None and new is not None:
            if old.strategy != new.strategy:
                changed.append("estrategia")
            if {t for t, _ in old.territories} != {t for t, _ in new.territories}:
                changed.append("territorios")
        rescoped += bool(changed)
        ref = new or old
        assert ref is not None
        initiatives.append(
            {
                "id": iid,
                "code": ref.code,
                "name": ref.name,
                "strategy": ref.strategy,
                "outcome": outcome,
                "rescoped": changed,
                "status_a": None if old is None else old.status,
                "status_b": None if new is None else new.status,
                "progress_a": None if old is None else old.progress_pct,
                "progress_b": None if new is None else new.progress_pct,
            }
        )
    sa, sb = _by_strategy(list(a.values())), _by_strategy(list(b.values()))
    pa, pb = money_by_place(a.values(), uvs), money_by_place(b.values(), uvs)
    strategies = [
        {
            "strategy": code,
            "planned_a": sa[code][0],
            "planned_b": sb[code][0],
            "planned_diff": _diff(sb[code][0], sa[code][0]),
            "executed_a": sa[code][1],
            "executed_b": sb[code][1],
            "executed_diff": _diff(sb[code][1], sa[code][1]),
        }
        for code in sorted(set(sa) | set(sb))
    ]
    places = []
    for key in sorted(
        set(pa) | set(pb), key=lambda k: (isinstance(k, str), uvs[k].code if isinstance(k, int) else k)
    ):
        name = f"UV {uvs[key].code} {uvs[key].name}" if isinstance(key, int) else key
        places.append(
            {
                "territory": name,
                "planned_diff": _diff(pb[key]["planned_clp"], pa[key]["planned_clp"]),
                "executed_diff": _diff(pb[key]["executed_clp"], pa[key]["executed_clp"]),
            }
        )
    return {
        "cut_a": cut_a,
        "cut_b": cut_b,
        "counts": counts,
        "rescoped": rescoped,
        "initiatives": initiatives,
        "by_strategy": strategies,
        "by_territory": places,
    }
