"""The activity log: the audit log read back for people (who, when, what, before and after).

Read-only: the rows are written by :mod:`geo.store.audit` inside the one write path. The
Actividad page, its download and ``sit activity`` all list :func:`activity_rows` for one
:class:`ActivityFilter`, so the three give the same rows. Who made each change is the
account (:func:`geo.store.audit.author`); rows from before accounts keep the typed name,
marked as such. A password or its hash is never in the audit log (a change is recorded as
"cambiada"); a field whose name says it holds one is shown as "cambiada" all the same.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, text

from geo.accounts.users import normalise_username
from geo.activity.labels import ACTIONS, OBJECT_KINDS, label, notes, shown_value
from geo.domain import LOCAL_TZ, REFERENCE_LAYERS, TERRITORY_KINDS, format_datetime
from geo.errors import DataError
from geo.store.audit import AUTHOR_COLUMNS, AUTHOR_JOIN, author

log = logging.getLogger(__name__)

#: Each row's object kind (a key of :data:`OBJECT_KINDS`), in SQL over the audit row ``a``:
#: official population figures are territory rows with their own actions.
_KIND_SQL = """
    CASE WHEN a.table_name = 'territory'
              AND a.action IN ('cifra_poblacion', 'quitar_cifra_poblacion') THEN 'population'
         WHEN a.table_name IS NULL THEN 'file'
         ELSE a.table_name END
"""


@dataclass(frozen=True)
class ActivityFilter:
    """Which audit rows to list (every field optional; all given ones must hold).

    Attributes:
        person: an account's username, or a name typed before accounts (any case).
        since: first local day (Vallenar), inclusive.
        until: last local day, inclusive.
        kind: a key of :data:`OBJECT_KINDS`.
        ref: one object of ``kind``: an initiative's code, a territory's code or name, an
            account's username, a reference feature's key or name, a file's name, or
            ``#`` and the row number.
        action: a key of :data:`ACTIONS`.
    """

    person: str | None = None
    since: date | None = None
    until: date | None = None
    kind: str | None = None
    ref: str | None = None
    action: str | None = None

    def checked(self) -> ActivityFilter:
        """This filter, refused in Spanish when a value cannot be used."""
        if self.kind is not None and self.kind not in OBJECT_KINDS:
            raise DataError(f"«{self.kind}» no es un tipo de objeto; use {', '.join(OBJECT_KINDS)}.")
        if self.ref and self.kind is None:
            raise DataError("Indique el tipo de objeto antes de su código (por ejemplo initiative:1.2.3).")
        if self.since and self.until and self.since > self.until:
            raise DataError("La fecha «desde» es posterior a la fecha «hasta».")
        return self


def parse_object(value: str | None) -> tuple[str | None, str | None]:
    """``TABLA[:ID]`` as typed on the console -> (kind, ref)."""
    if not value:
        return None, None
    kind, _, ref = value.partition(":")
    return kind.strip() or None, ref.strip() or None


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL_TZ)


def _where(conn: Connection, f: ActivityFilter) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (over ``a``) and its parameters for ``f``."""
    f = f.checked()
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if f.person and f.person.strip():
        account = conn.execute(
            text("SELECT id FROM app_user WHERE username = :u"), {"u": normalise_username(f.person)}
        ).scalar()
        if account is not None:
            clauses.append("a.user_id = :person_id")
            params["person_id"] = account
        else:
            clauses.append("a.user_id IS NULL AND lower(a.user_name) = lower(:person)")
            params["person"] = " ".join(f.person.split())
    if f.since:
        clauses.append("a.at >= :since")
        params["since"] = _local_midnight(f.since)
    if f.until:
        clauses.append("a.at < :until")
        params["until"] = _local_midnight(f.until + timedelta(days=1))
    if f.kind:
        clauses.append(f"({_KIND_SQL}) = :kind")
        params["kind"] = f.kind
    if f.ref:
        ref = f.ref.strip()
        if ref.startswith("#") and f.kind != "file":  # the row number
            clauses.append("a.table_name = :ref_table AND a.row_id = :ref")
            params.update(ref_table="territory" if f.kind == "population" else f.kind, ref=ref[1:].strip())
        else:
            clauses.append(_REF_SQL[f.kind or ""])
            params["ref"] = ref
    if f.action:
        clauses.append("a.action = :action")
        params["action"] = f.action
    return (" AND ".join(clauses) or "TRUE"), params


#: One object of a kind, by what a person knows of it: its code, name, username or key
#: (a UV's code "11" is not the row number 11, so a row number is written "#11").
_REF_SQL = {
    "initiative": """a.table_name = 'initiative' AND (a.details->>'code' = :ref
                      OR a.row_id IN (SELECT id::text FROM initiative WHERE lower(code) = lower(:ref)))""",
    "territory": """a.table_name = 'territory' AND (a.details->>'code' = :ref
                     OR a.row_id IN (SELECT id::text FROM territory
                                      WHERE code = :ref OR lower(name) = lower(:ref)))""",
    "app_user": """a.table_name = 'app_user'
                   AND a.row_id IN (SELECT id::text FROM app_user WHERE username = lower(:ref))""",
    "reference_feature": """a.table_name = 'reference_feature'
                            AND a.row_id IN (SELECT id::text FROM reference_feature
                                              WHERE key = :ref OR lower(name) = lower(:ref))""",
    "file": """(a.row_id = :ref OR a.details->>'archivo' = :ref OR a.details->>'file' = :ref
                OR a.details->>'file' LIKE '%/' || :ref)""",
}
_REF_SQL["population"] = _REF_SQL["territory"]


def activity_count(conn: Connection, f: ActivityFilter) -> int:
    """How many audit rows ``f`` lists."""
    where, params = _where(conn, f)
    return int(conn.execute(text(f"SELECT count(*) FROM audit_log a WHERE {where}"), params).scalar_one())


def activity_rows(
    conn: Connection,
    f: ActivityFilter,
    *,
    offset: int = 0,
    limit: int | None = None,
    show_names: bool = True,
) -> list[dict[str, Any]]:
    """The audit rows ``f`` lists, newest first, ``limit`` of them from ``offset``.

    Each row (plain JSON values): ``id``, ``at`` (ISO), ``when`` (local), ``who``,
    ``account`` (username or None), ``via``, ``action`` and ``action_label``, ``kind``,
    ``object``, ``changes`` (``field``, ``label``, ``before``, ``after``, as shown) and
    ``notes``.
    """
    where, params = _where(conn, f)
    rows = conn.execute(
        text(
            f"""
            WITH page AS (
                SELECT a.id FROM audit_log a WHERE {where}
                 ORDER BY a.at DESC, a.id DESC OFFSET :offset LIMIT :limit
            )
            SELECT a.id, a.at, {AUTHOR_COLUMNS}, a.action, a.table_name, a.row_id, a.details,
                   {_KIND_SQL} AS kind, i.code AS i_code, i.name AS i_name, t.name AS t_name,
                   t.kind AS t_kind, t.code AS t_code, o.username AS o_username,
                   COALESCE(f.name, f.key) AS f_name, f.layer AS f_layer
              FROM page JOIN audit_log a ON a.id = page.id {AUTHOR_JOIN}
              LEFT JOIN initiative i ON a.table_name = 'initiative' AND i.id::text = a.row_id
              LEFT JOIN territory t ON a.table_name = 'territory' AND t.id::text = a.row_id
              LEFT JOIN app_user o ON a.table_name = 'app_user' AND o.id::text = a.row_id
              LEFT JOIN reference_feature f ON a.table_name = 'reference_feature' AND f.id::text = a.row_id
             ORDER BY a.at DESC, a.id DESC
            """
        ),
        {**params, "offset": offset, "limit": limit},
    ).mappings()
    return [_row(r, show_names) for r in rows]


def _row(r: Any, show_names: bool) -> dict[str, Any]:
    details = r["details"] or {}
    via = details.get("via")
    kind = r["kind"]
    changes = details.get("changes") or {}
    return {
        "id": r["id"],
        "at": r["at"].isoformat(),
        "when": format_datetime(r["at"]),
        "who": author(r["user_id"], r["full_name"], r["username"], r["user_name"], via, show_names),
        "account": r["username"] if show_names else None,
        "via": via,
        "action": r["action"],
        "action_label": ACTIONS.get(r["action"], r["action"]),
        "kind": kind,
        "object": _object(r, details, show_names),
        "changes": [
            {
                "field": field,
                "label": label(field, kind),
                "before": shown_value(field, pair[0], kind, show_names),
                "after": shown_value(field, pair[1], kind, show_names),
            }
            for field, pair in changes.items()
            if isinstance(pair, list) and len(pair) == 2
        ],
        "notes": notes(details),
    }


def _object(r: Any, details: dict[str, Any], show_names: bool) -> str:
    """What the row is about: an initiative's code and name, a site's name, a username, a file."""
    kind, row_id = r["kind"], r["row_id"]
    if kind == "initiative":
        if r["i_code"]:
            return f"{r['i_code']} · {r['i_name']}"
        return f"{details.get('code') or '#' + str(row_id)} (eliminada)"
    if kind in ("territory", "population"):
        if r["t_name"]:
            return f"{r['t_name']} ({TERRITORY_KINDS.get(r['t_kind'], r['t_kind'])})"
        gone = (details.get("changes") or {}).get("name") or [None, None]
        return f"{gone[0] or details.get('code') or '#' + str(row_id)} (eliminado)"
    if kind == "reference_feature":
        gone = (details.get("changes") or {}).get("name") or [None, None]
        name = r["f_name"] or gone[0] or f"#{row_id}"
        layer = REFERENCE_LAYERS.get(r["f_layer"] or details.get("layer") or "", "capa de referencia")
        return f"{name} ({layer})" + ("" if r["f_name"] else " (eliminado)")
    if kind == "app_user":
        if not show_names:
            return "cuenta"
        return r["o_username"] or f"cuenta #{row_id}"
    if kind != "file":  # a table this module does not know yet
        return f"{r['table_name']} #{row_id}"
    name = details.get("archivo") or details.get("file")
    if r["action"] == "importar_capa":
        return f"Capa {TERRITORY_KINDS.get(row_id, row_id)}" + (f": {name}" if name else "")
    return str(name).rsplit("/", 1)[-1] if name else "—"


def people(conn: Connection) -> dict[str, str]:
    """Everyone the activity filter can pick: username or typed name -> how the log names them.

    Accounts first (by full name), then the names written without an account (typed before
    accounts existed, or the server's console user), by name.
    """
    accounts = conn.execute(text("SELECT username, full_name FROM app_user ORDER BY full_name, username"))
    # Each name's latest row (a hash aggregate: 0.1 s over 200,000 rows, where sorting them took 0.8 s).
    typed = conn.execute(
        text(
            """
            SELECT a.user_name, a.details->>'via' AS via
              FROM audit_log a
              JOIN (SELECT max(id) AS id FROM audit_log
                     WHERE user_id IS NULL AND user_name IS NOT NULL GROUP BY user_name) latest
                ON latest.id = a.id
             ORDER BY lower(a.user_name), a.user_name
            """
        )
    )
    out = {r.username: author(1, r.full_name, r.username, None, None) for r in accounts}
    seen = {name.casefold() for name in out}
    for r in typed:
        if r.user_name.casefold() not in seen:  # the filter ignores case: one entry per name
            seen.add(r.user_name.casefold())
            out[r.user_name] = author(None, None, None, r.user_name, r.via)
    return out
