"""What every ``sit`` sub-command shares: the engine and the printing of load reports."""

from __future__ import annotations

from sqlalchemy import Engine

from geo.db import get_engine
from geo.settings import get_settings


def engine() -> Engine:
    """The engine of the configured database (one per process)."""
    return get_engine(get_settings().database_url)


def print_counts(title: str, counts: dict[str, int], notes: list[str]) -> None:
    """A title, one ``key: value`` line per count, then the notes."""
    print(title)
    for key, value in counts.items():
        print(f"  {key}: {value}")
    for note in notes:
        print(f"  {note}")
