"""The audit writer (one row per changed row), the histories read from it, conflict messages.

An audit row: who (``user_name``, ``user_id``), when (``at``), ``action`` (a Spanish code
such as ``editar_iniciativa``), the table and row id, and ``details``: ``version`` (the row's
version after the change), ``changes`` (field -> [before, after]), ``via`` (how it arrived)
and whatever else explains the change (a reason, a file name).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from geo.domain import COLUMN_FIELDS, FIELD_LABELS, field_label, format_datetime
from geo.errors import ConflictError
from geo.store.actor import Actor
from geo.store.bulk import rows_table

log = logging.getLogger(__name__)

#: The name processes write under (:meth:`Actor.system <geo.store.actor.Actor.system>`).
SYSTEM_NAME = "sistema"


@dataclass(frozen=True)
class Entry:
    """One audit row to write."""

    action: str
    table: str | None
    row_id: int | str | None
    details: dict[str, Any]


def json_text(value: Any) -> str:
    """``value`` as the JSON text a ``jsonb`` parameter takes (UTF-8 kept, dates as text)."""
    return json.dumps(value, ensure_ascii=False, default=str)


def record(conn: Connection, actor: Actor, entries: Sequence[Entry]) -> None:
    """Append ``entries`` to the audit log (one statement, inside the caller's transaction)."""
    if not entries:
        return
    rows = [
        {
            "action": e.action,
            "table_name": e.table,
            "row_id": None if e.row_id is None else str(e.row_id),
            "details": json_text({"via": actor.via, **e.details}),
        }
        for e in entries
    ]
    source, params = rows_table(
        {"action": "text", "table_name": "text", "row_id": "text", "details": "text"}, rows
    )
    conn.execute(
        text(
            f"""
            INSERT INTO audit_log (user_id, user_name, action, table_name, row_id, details)
            SELECT :user_id, :user_name, v.action, v.table_name, v.row_id, CAST(v.details AS jsonb)
              FROM {source} ORDER BY v.ord
            """
        ),
        {**params, "user_id": actor.user_id, "user_name": actor.name},
    )


#: The author columns of an audit row ``a``: its account ``u`` (when a person logged in).
AUTHOR_JOIN = "LEFT JOIN app_user u ON u.id = a.user_id"
AUTHOR_COLUMNS = "a.user_id, a.user_name, u.username, u.full_name"


def author(
    user_id: int | None,
    full_name: str | None,
    username: str | None,
    typed_name: str | None,
    via: str | None,
    show_names: bool = True,
) -> str:
    """Who made a change, as histories and the activity log show it.

    An account shows its current full name and username ("Ana Rojas (arojas)"); rows from
    before accounts keep the name typed on the page, marked as such ("Ana Rojas (nombre
    escrito, sin cuenta)"); processes are "sistema" and the server's console (``sit``
    without ``--user``) the operating-system user, as recorded. With ``show_names`` False
    (the public) no person is named.
    """
    if user_id is not None:
        return f"{full_name} ({username})" if show_names else "persona con cuenta"
    if (via or "").startswith("consola"):
        return (typed_name or "—") if show_names else "consola del servidor"
    if typed_name == SYSTEM_NAME:
        return SYSTEM_NAME
    if not typed_name:
        return "—"
    return f"{typed_name} (nombre escrito, sin cuenta)" if show_names else "persona sin cuenta"


def history(conn: Connection, table: str, row_id: int, show_names: bool = True) -> list[dict[str, Any]]:
    """Every audit row of one row, newest first (who, when, action, version, changes, via).

    ``by`` is :func:`author`'s label (``show_names`` False for the public); ``account`` the
    username of the account, None for rows written without one.
    """
    rows = conn.execute(
        text(
            f"""
            SELECT a.at, {AUTHOR_COLUMNS}, a.action, a.details FROM audit_log a {AUTHOR_JOIN}
             WHERE a.table_name = :t AND a.row_id = :r ORDER BY a.at DESC, a.id DESC
            """
        ),
        {"t": table, "r": str(row_id)},
    ).mappings()
    out = []
    for r in rows:
        details = r["details"] or {}
        via = details.get("via")
        out.append(
            {
                "at": r["at"],
                "by": author(r["user_id"], r["full_name"], r["username"], r["user_name"], via, show_names),
                "account": r["username"] if show_names else None,
                "action": r["action"],
                "via": via,
                "version": details.get("version"),
                "changes": details.get("changes") or {},
                "details": details,
            }
        )
    return out


@dataclass(frozen=True)
class SavesSince:
    """Who changed a row after a given version, when (the last time), and which fields."""

    by: str | None
    at: datetime | None
    fields: list[str]  # column names, in the order they were first changed

    def labels(self, names: Mapping[str, str] | None = None) -> list[str]:
        """The changed fields' Spanish labels, in the form's order.

        ``names``: the labels of another kind of row (a workshop's, a need's), in its form's
        order; by default an initiative's (:data:`geo.domain.FIELD_LABELS`).
        """
        if names is not None:
            return [names[k] for k in names if k in self.fields] + [f for f in self.fields if f not in names]
        order = list(FIELD_LABELS)
        keys = sorted(
            {COLUMN_FIELDS.get(f, f) for f in self.fields}, key=lambda k: order.index(k) if k in order else 99
        )
        return [field_label(k) for k in keys]


def saves_since(conn: Connection, table: str, row_id: int, version: int) -> SavesSince:
    """What the audit log says happened to a row after ``version``."""
    saves = (
        conn.execute(
            text(
                """
                SELECT user_name, at, details FROM audit_log
                 WHERE table_name = :t AND row_id = :r AND (details->>'version')::int > :v
                 ORDER BY at, id
                """
            ),
            {"t": table, "r": str(row_id), "v": version},
        )
        .mappings()
        .all()
    )
    if not saves:
        at = conn.execute(text(f"SELECT updated_at FROM {table} WHERE id = :i"), {"i": row_id}).scalar()
        return SavesSince(None, at, [])
    by = ", ".join(dict.fromkeys(s["user_name"] or "otra persona" for s in saves))
    fields = list(dict.fromkeys(k for s in saves for k in (s["details"].get("changes") or {})))
    return SavesSince(by, saves[-1]["at"], fields)


def conflict_error(
    conn: Connection,
    table: str,
    row_id: int,
    expected: int,
    current: int,
    what: str,
    names: Mapping[str, str] | None = None,
) -> ConflictError:
    """The Spanish message of a refused save: who saved after ``expected``, when, which fields.

    ``names``: the field labels of the row's kind (see :meth:`SavesSince.labels`).
    """
    since = saves_since(conn, table, row_id, expected)
    who = since.by or "otra persona o un proceso de importación"
    labels = since.labels(names)
    what_changed = f" Cambió: {', '.join(labels)}." if labels else ""
    message = (
        f"No se guardó: {who} guardó {what} el {format_datetime(since.at)}, mientras usted "
        f"editaba (versión {expected} → {current}).{what_changed} Sus cambios siguen en el "
        "formulario y no se perdió nada de lo que la otra persona guardó: compare, cargue "
        "la versión actual y vuelva a aplicar sus cambios."
    )
    return ConflictError(message, by=since.by, at=since.at, changed=labels, current_version=current)
