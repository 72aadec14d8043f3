"""The shared filter of every page and command: which initiatives are "in view".

Every figure a page shows (counts, drawn features, table, territory counts, coverage,
exports) selects initiatives with :data:`FILTERED_SQL`, so they agree by construction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MapFilters:
    """What the user picked; an empty tuple means "all".

    Demo data is left out unless asked for: real gaps must not be hidden by synthetic rows.
    Archived initiatives leave every map, count and export unless asked for.
    """

    strategies: tuple[str, ...] = ()
    plans: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    include_demo: bool = False
    include_archived: bool = False

    def key(self) -> tuple:
        """A hashable key for caches (``MapFilters(*key)`` gives the filters back)."""
        return (
            self.strategies,
            self.plans,
            self.kinds,
            self.statuses,
            self.sectors,
            self.include_demo,
            self.include_archived,
        )


#: Sector of an initiative: ``comunal`` when its scope is the whole commune; ``urbano``/``rural``
#: when it is linked to a territory of that sector (a link from geometry or from a name).
FILTERED_SQL = """
SELECT i.id
  FROM initiative i
  JOIN strategy s ON s.id = i.strategy_id
  LEFT JOIN plan p ON p.id = i.plan_id
 WHERE (cardinality(CAST(:strategies AS text[])) = 0 OR s.code = ANY(:strategies))
   AND (cardinality(CAST(:plans AS text[])) = 0 OR p.code = ANY(:plans))
   AND (cardinality(CAST(:kinds AS text[])) = 0 OR i.kind = ANY(:kinds))
   AND (cardinality(CAST(:statuses AS text[])) = 0 OR i.status = ANY(:statuses))
   AND (:include_demo OR NOT i.is_demo)
   AND (:include_archived OR i.archived_at IS NULL)
   AND (cardinality(CAST(:sectors AS text[])) = 0
        OR ('comunal' = ANY(:sectors) AND i.scope = 'comunal')
        OR EXISTS (SELECT 1 FROM initiative_territory it JOIN territory t ON t.id = it.territory_id
                    WHERE it.initiative_id = i.id AND t.sector = ANY(:sectors)))
"""


def filter_params(f: MapFilters) -> dict[str, Any]:
    """Bind parameters of :data:`FILTERED_SQL` for a selection."""
    return {
        "strategies": list(f.strategies),
        "plans": list(f.plans),
        "kinds": list(f.kinds),
        "statuses": list(f.statuses),
        "sectors": list(f.sectors),
        "include_demo": f.include_demo,
        "include_archived": f.include_archived,
    }
