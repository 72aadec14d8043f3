"""What every ``sit`` sub-command shares: the engine, the actor, printing helpers."""

from __future__ import annotations

import argparse
import logging

from sqlalchemy import Engine

from geo.db import get_engine
from geo.settings import get_settings
from geo.store.actor import Actor

log = logging.getLogger(__name__)


def engine() -> Engine:
    """The engine of the configured database (one per process)."""
    return get_engine(get_settings().database_url)


def actor(args: argparse.Namespace) -> Actor:
    """Who runs the command: the operating-system user, recorded with the command's name."""
    return Actor.console(f"consola: sit {getattr(args, 'command', '') or ''}".rstrip())


def print_counts(title: str, counts: dict[str, int], notes: list[str]) -> None:
    """A title, one ``key: value`` line per count, then the notes."""
    print(title)
    for key, value in counts.items():
        print(f"  {key}: {value}")
    for note in notes:
        print(f"  {note}")


def print_section(title: str, lines: list[str], limit: int = 50, more_hint: str | None = "") -> None:
    """Print ``title`` and at most ``limit`` lines, then how many were left out.

    ``more_hint`` ends that last line; None leaves it out.
    """
    if not lines:
        return
    print(title)
    for line in lines[:limit]:
        print(f"  {line}")
    if more_hint is not None and len(lines) > limit:
        print(f"  … y {len(lines) - limit} más{more_hint}")
