"""Needs versus the plan: which initiatives might answer a need, and what the plan answers per territory.

:func:`suggest_initiatives` proposes initiatives for one need, each with the reasons it was
proposed; a person confirms a link (:func:`geo.store.workshops.set_need_links`), nothing is
linked by itself. :func:`territory_needs_summary` counts, per UV or locality, the accepted
needs by strategy and kind, how many the plan answers (a confirmed link), and lists the
needs with no answer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from geo.domain import NEED_KINDS, OTHER_STRATEGY, format_int
from geo.errors import DataError
from geo.workshops.queries import NEED_PLACE_JOIN, TERRITORY_LABEL_SQL

log = logging.getLogger(__name__)

#: How far from a need an initiative drawn on the map is still proposed (metres).
SUGGESTION_DISTANCE_M = 1500
#: Two territories closer than this (metres) are neighbours even when their limits do not
#: touch exactly (official layers leave slivers between UVs).
NEIGHBOUR_GAP_M = 30


@dataclass(frozen=True)
class Suggestion:
    """An initiative proposed for a need, and why."""

    initiative_id: int
    code: str
    name: str
    status: str
    strategy_code: str
    distance_m: float | None
    same_territory: bool
    neighbour_territory: bool
    linked: bool
    reasons: list[str]
    score: float


_HOME = """
WITH n AS (SELECT workshop_id, geom FROM need WHERE id = :need),
lies AS (
    SELECT t.id FROM territory t, n
     WHERE t.kind IN ('unidad_vecinal', 'localidad') AND t.geom IS NOT NULL
       AND ST_Intersects(t.geom, n.geom))
SELECT id FROM lies
UNION
SELECT wt.territory_id FROM workshop_territory wt, n
 WHERE wt.workshop_id = n.workshop_id AND NOT EXISTS (SELECT 1 FROM lies)
"""

# Two statements, not one: joined in one query, the planner measured every pair of territories.
_NEAR = """
SELECT DISTINCT t.id FROM territory h JOIN territory t ON ST_DWithin(t.geom, h.geom, :gap_deg)
 WHERE h.id = ANY(CAST(:home AS int[])) AND NOT t.id = ANY(CAST(:home AS int[]))
   AND t.kind IN ('unidad_vecinal', 'localidad')
   AND ST_DWithin(t.geom::geography, h.geom::geography, :gap)
"""

_SUGGEST = f"""
WITH n AS (SELECT strategy_id, geom FROM need WHERE id = :need),
links AS (
    SELECT it.initiative_id,
           array_agg({TERRITORY_LABEL_SQL.format(t="t")} ORDER BY t.code)
               FILTER (WHERE t.id = ANY(CAST(:home AS int[]))) AS same_labels,
           array_agg({TERRITORY_LABEL_SQL.format(t="t")} ORDER BY t.code)
               FILTER (WHERE t.id = ANY(CAST(:near AS int[]))) AS near_labels
      FROM initiative_territory it JOIN territory t ON t.id = it.territory_id
     WHERE it.territory_id = ANY(CAST(:home AS int[]) || CAST(:near AS int[]))
     GROUP BY it.initiative_id),
linked AS (SELECT initiative_id FROM need_initiative WHERE need_id = :need),
cand AS (
    SELECT i.id, i.code, i.name, i.status, s.code AS strategy_code,
           i.strategy_id = n.strategy_id AS same_strategy,
           CASE WHEN ST_DWithin(i.geom, n.geom, :dist_deg)
                THEN ST_Distance(i.geom::geography, n.geom::geography) END AS distance,
           coalesce(l.same_labels, '{{}}') AS same_labels, coalesce(l.near_labels, '{{}}') AS near_labels,
           i.id IN (SELECT initiative_id FROM linked) AS linked
      FROM initiative i JOIN strategy s ON s.id = i.strategy_id
      LEFT JOIN links l ON l.initiative_id = i.id
     CROSS JOIN n
     WHERE i.archived_at IS NULL AND NOT i.is_demo
       AND (n.strategy_id IS NULL OR i.strategy_id = n.strategy_id
            OR i.id IN (SELECT initiative_id FROM linked)))
SELECT * FROM cand
 WHERE linked OR cardinality(same_labels) > 0 OR distance <= :dist
    OR (cardinality(near_labels) > 0 AND same_strategy)
"""

#: Metres per degree, on the low side (a degree of longitude at Vallenar's latitude is ~97.8 km):
#: metres / this, in degrees, is never shorter than the metric distance (the index's prefilter).
_METRES_PER_DEGREE = 90_000


def suggest_initiatives(
    conn: Connection, need_id: int, distance_m: float = SUGGESTION_DISTANCE_M, limit: int = 10
) -> list[Suggestion]:
    """Initiatives that might answer a need, best first, each with its reasons in Spanish.

    Proposed: initiatives of the need's strategy linked to the UV or locality the need lies in
    (or, for a need outside them all, the workshop's) or to a neighbouring one (limits that
    touch, or closer than :data:`NEIGHBOUR_GAP_M`), or drawn within ``distance_m`` of it. A
    need of strategy "otra" gets initiatives of any strategy in its own territory or within
    the distance. Initiatives already confirmed are always listed (``linked``). Archived and
    demo initiatives are never proposed.
    """
    need = conn.execute(
        text(
            "SELECT n.strategy_id, s.code, s.name FROM need n LEFT JOIN strategy s ON s.id = n.strategy_id "
            "WHERE n.id = :i"
        ),
        {"i": need_id},
    ).first()
    if need is None:
        raise DataError(f"La necesidad n.º {need_id} no existe.")
    home = list(conn.execute(text(_HOME), {"need": need_id}).scalars())
    near = list(
        conn.execute(
            text(_NEAR),
            {"home": home, "gap": NEIGHBOUR_GAP_M, "gap_deg": NEIGHBOUR_GAP_M / _METRES_PER_DEGREE},
        ).scalars()
    )
    rows = conn.execute(
        text(_SUGGEST),
        {
            "need": need_id,
            "home": home,
            "near": near,
            "dist": distance_m,
            "dist_deg": distance_m / _METRES_PER_DEGREE,
        },
    ).all()
    out = [_suggestion(r, need, distance_m) for r in rows]
    out.sort(
        key=lambda s: (not s.linked, -s.score, s.distance_m if s.distance_m is not None else 1e12, s.code)
    )
    return out[:limit] if limit else out


def _suggestion(r: Any, need: Any, distance_m: float) -> Suggestion:
    reasons: list[str] = []
    score = 0.0
    if r.same_strategy:
        reasons.append(f"misma estrategia ({need.code} · {need.name})")
        score += 1
    if r.same_labels:
        reasons.append("en el mismo territorio que la necesidad (" + ", ".join(r.same_labels) + ")")
        score += 3
    elif r.near_labels:
        reasons.append("en un territorio vecino (" + ", ".join(r.near_labels) + ")")
        score += 1.5
    if r.distance is not None and r.distance <= distance_m:
        metres = round(r.distance)
        reasons.append(
            "dibujada sobre la necesidad" if metres == 0 else f"a {format_int(metres)} m de la necesidad"
        )
        score += 2 * (1 - r.distance / distance_m)
    if r.linked:
        reasons.insert(0, "ya confirmada como respuesta")
    return Suggestion(
        initiative_id=r.id,
        code=r.code,
        name=r.name,
        status=r.status,
        strategy_code=r.strategy_code,
        distance_m=None if r.distance is None else float(r.distance),
        same_territory=bool(r.same_labels),
        neighbour_territory=bool(r.near_labels),
        linked=bool(r.linked),
        reasons=reasons,
        score=round(score, 3),
    )


@dataclass
class StrategyNeeds:
    """Needs of one strategy (or "otra") in a territory, by kind, and how many are answered."""

    strategy_code: str | None
    strategy_name: str
    by_kind: dict[str, int] = field(default_factory=dict)
    total: int = 0
    answered: int = 0


@dataclass
class TerritoryNeeds:
    """What residents asked for in one UV or locality, and what the plan answers."""

    territory_id: int
    label: str
    total: int = 0
    answered: int = 0
    strategies: list[StrategyNeeds] = field(default_factory=list)
    unanswered: list[dict[str, Any]] = field(default_factory=list)

    @property
    def unanswered_count(self) -> int:
        """Needs with no confirmed initiative."""
        return self.total - self.answered


_SUMMARY = f"""
SELECT place.id AS territory_id, place.label, n.id, n.kind, n.text, n.votes,
       s.code AS strategy_code, s.name AS strategy_name, s.position,
       EXISTS (SELECT 1 FROM need_initiative l WHERE l.need_id = n.id) AS answered
  FROM need n
  LEFT JOIN strategy s ON s.id = n.strategy_id
  {NEED_PLACE_JOIN}
 WHERE n.state = 'aceptada' AND n.merged_into_id IS NULL AND place.id IS NOT NULL
   AND (CAST(:ids AS int[]) IS NULL OR place.id = ANY(CAST(:ids AS int[])))
 ORDER BY place.label, s.position NULLS LAST, n.votes DESC, n.id
"""


def territory_needs_summary(
    conn: Connection, territory_ids: Sequence[int] | None = None
) -> list[TerritoryNeeds]:
    """Per UV or locality with accepted needs (all, or those of ``territory_ids``), UVs first.

    A need counts in the territory its representative point lies in; merged and rejected
    needs are not counted, nor are pending ones (not yet accepted by the facilitator).
    """
    rows = conn.execute(text(_SUMMARY), {"ids": None if territory_ids is None else list(territory_ids)}).all()
    out: dict[int, TerritoryNeeds] = {}
    for r in rows:
        t = out.setdefault(r.territory_id, TerritoryNeeds(r.territory_id, r.label))
        key = r.strategy_code
        group = next((g for g in t.strategies if g.strategy_code == key), None)
        if group is None:
            group = StrategyNeeds(key, f"{key} · {r.strategy_name}" if key else OTHER_STRATEGY)
            t.strategies.append(group)
        group.by_kind[r.kind] = group.by_kind.get(r.kind, 0) + 1
        group.total += 1
        t.total += 1
        if r.answered:
            group.answered += 1
            t.answered += 1
        else:
            t.unanswered.append(
                {
                    "id": r.id,
                    "kind": NEED_KINDS[r.kind],
                    "text": r.text,
                    "votes": r.votes,
                    "strategy": group.strategy_name,
                }
            )
    return sorted(out.values(), key=lambda t: (not t.label.startswith("UV "), t.label))


def summary_rows(summary: Sequence[TerritoryNeeds]) -> list[dict[str, Any]]:
    """One row per territory and strategy, with Spanish column names (the pages' table)."""
    return [
        {
            "Territorio": t.label,
            "Estrategia": g.strategy_name,
            **{NEED_KINDS[k]: g.by_kind.get(k, 0) for k in NEED_KINDS},
            "Total": g.total,
            "Respondidas por el plan": g.answered,
            "Sin respuesta": g.total - g.answered,
        }
        for t in summary
        for g in t.strategies
    ]
