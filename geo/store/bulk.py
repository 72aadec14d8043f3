"""Many rows in one statement: the batch as one JSON parameter, read as a typed table.

One ``INSERT ... SELECT FROM <rows>`` (or ``UPDATE ... FROM <rows>``) sends the whole batch as
one JSON document that PostgreSQL turns into typed columns (``json_to_recordset``): a
10,000-row import is a handful of statements instead of 10,000 round trips. JSON rather
than one array parameter per column: psycopg escapes every element of a text array with a
regular expression in Python, which was a third of a 10,000-row write (bench/bench_import.py).

:func:`gc_paused` keeps Python's cyclic garbage collector from walking such a batch again
and again while it is being built.
"""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

log = logging.getLogger(__name__)


def _json_value(value: Any) -> Any:
    """A value as JSON that PostgreSQL's input function of the column type reads back."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(value).hex()  # bytea's hex input format
    if isinstance(value, Decimal):
        return str(value)  # exact: numeric parses the text
    return value


def rows_table(
    columns: Mapping[str, str], rows: Sequence[Mapping[str, Any]], alias: str = "v"
) -> tuple[str, dict]:
    """SQL for ``rows`` as a table ``alias(columns..., ord)`` and its bind parameter.

    Args:
        columns: column name -> PostgreSQL type of its values (``text``, ``int``, ``bytea``...).
        rows: one mapping per row with every column.
        alias: the name of the derived table.

    Returns:
        ``ROWS FROM (json_to_recordset(CAST(:v AS json)) AS (code text, ...)) WITH ORDINALITY
        AS v(code, ..., ord)`` and its parameter; ``ord`` is the row's 1-based position.
    """
    typed = ", ".join(f'"{c}" {t}' for c, t in columns.items())
    names = ", ".join([*(f'"{c}"' for c in columns), "ord"])
    doc = json.dumps(
        [{c: _json_value(r[c]) for c in columns} for r in rows], ensure_ascii=False, allow_nan=False
    )
    return (
        f"ROWS FROM (json_to_recordset(CAST(:{alias}_rows AS json)) AS ({typed})) "
        f"WITH ORDINALITY AS {alias}({names})",
        {f"{alias}_rows": doc},
    )


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during a batch (a ``with`` block or a decorator).

    A 10,000-row import builds a few million small objects that all live until the batch
    ends, so each full collection walks every one of them again: 0.7 s of a 1.9 s write
    (bench/bench_import.py). Reference counting still frees whatever is not in a cycle;
    the collector resumes when the pause that turned it off ends. The switch is process-wide:
    two imports in two sessions overlap harmlessly, and whichever turned it off turns it on.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
