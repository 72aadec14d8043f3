"""Many rows in one statement: ``unnest`` of typed arrays, the fast way to write a batch.

One ``INSERT ... SELECT FROM unnest(...)`` (or ``UPDATE ... FROM unnest(...)``) sends each
column as one array parameter: a 10,000-row import is a handful of statements instead of
10,000 round trips or one enormous multi-row VALUES text.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

log = logging.getLogger(__name__)


def unnest(
    columns: Mapping[str, str], rows: Sequence[Mapping[str, Any]], alias: str = "v"
) -> tuple[str, dict]:
    """SQL for ``rows`` as a table ``alias(columns..., ord)`` and its bind parameters.

    Args:
        columns: column name -> PostgreSQL type of its values (``text``, ``int``, ``bytea``...).
        rows: one mapping per row with every column.
        alias: the name of the derived table.

    Returns:
        ``unnest(CAST(:v_code AS text[]), ...) WITH ORDINALITY AS v(code, ..., ord)`` and the
        parameters (one list per column); ``ord`` is the row's 1-based position.
    """
    arrays = ", ".join(f"CAST(:{alias}_{c} AS {t}[])" for c, t in columns.items())
    names = ", ".join([*columns, "ord"])
    params = {f"{alias}_{c}": [r[c] for r in rows] for c in columns}
    return f"unnest({arrays}) WITH ORDINALITY AS {alias}({names})", params
