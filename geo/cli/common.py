"""What every ``sit`` sub-command shares: the engine, the actor, printing helpers."""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy import Engine

from geo.db import get_engine
from geo.settings import get_settings
from geo.store.actor import Actor

log = logging.getLogger(__name__)


def engine() -> Engine:
    """The engine of the configured database (one per process)."""
    return get_engine(get_settings().database_url)


def admin_engine() -> Engine:
    """The same database as the owning role, without a statement timeout, for long loads.

    ``sit setup``, ``sit load`` and ``sit demo`` rewrite whole tables and recompute every
    link in a few statements (longer than the timeout on a large portfolio); the app and
    the other commands keep it. Migrations use their own engines (no timeout either).
    """
    return get_engine(get_settings().migrations_url, statement_timeout_ms=0)


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


def indented_json(data: Any) -> str:
    """Exactly ``json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)``, faster.

    With ``indent`` the standard library encodes in Python (1.3 s for the 60,000 cells of a
    national ``sit coverage --json``). A container whose values are all scalars (or empty
    containers) is encoded by the C encoder instead, its item separator carrying the line
    break and indentation; the others are assembled here.
    """
    return _indented(data, 0)


@cache
def _encoder(depth: int) -> Callable[[Any], str]:
    """Encode a flat container whose items sit at ``depth`` (C encoder, built once)."""
    separators = (",\n" + "  " * depth, ": ")
    make = json.encoder.c_make_encoder  # type: ignore[attr-defined]
    if make is None:  # an interpreter without the C accelerator
        return json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=separators).encode

    def refuse(o: Any) -> Any:
        raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")

    encode = make(
        None, refuse, json.encoder.encode_basestring, None, separators[1], separators[0], False, False, False
    )
    return lambda obj: "".join(encode(obj, 0))


def _flat(values: Any) -> bool:
    return all(not isinstance(v, dict | list | tuple) or not v for v in values)


def _indented(obj: Any, depth: int) -> str:
    inner, outer = "  " * (depth + 1), "  " * depth
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        if all(isinstance(k, str) for k in obj) and _flat(obj.values()):
            return f"{{\n{inner}{_encoder(depth + 1)(obj)[1:-1]}\n{outer}}}"
        items = [f"{inner}{_indented(_key(k), 0)}: {_indented(v, depth + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + f"\n{outer}}}"
    if isinstance(obj, list | tuple):
        if not obj:
            return "[]"
        if _flat(obj):
            return f"[\n{inner}{_encoder(depth + 1)(obj)[1:-1]}\n{outer}]"
        return "[\n" + ",\n".join(inner + _indented(v, depth + 1) for v in obj) + f"\n{outer}]"
    return _encoder(0)(obj)


def _key(k: Any) -> str:
    """A dict key as ``json`` writes it (a string; numbers, booleans and null as their text)."""
    if isinstance(k, str):
        return k
    return json.dumps(k, allow_nan=False) if not isinstance(k, int) or isinstance(k, bool) else str(k)
