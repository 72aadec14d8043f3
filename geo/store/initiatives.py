"""Create and edit initiatives: validation, optimistic locking, status history, audit, links.

Every write runs in one transaction: the initiative row, its status history, its links to
territories (hand-made links from a list; geometry links recomputed) and the audit log.
A save is refused when the row changed since the person opened it (the ``version`` they
saw no longer matches): :class:`ConflictError` says who saved, when and what changed, and
the caller keeps what the person typed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import shapely
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import IntegrityError

from geo.db import transaction
from geo.errors import DataError
from geo.initiatives.form import (
    FIELD_LABELS,
    InitiativeInput,
    ValidationError,
    blank,
    drawn_geometry,
    near_commune,
    parse_amount,
    validate,
)
from geo.territory.links import link_by_geometry

__all__ = [
    "FIELD_LABELS",
    "ConflictError",
    "InitiativeInput",
    "SaveResult",
    "ValidationError",
    "create_initiative",
    "drawn_geometry",
    "near_commune",
    "parse_amount",
    "update_initiative",
    "validate",
]

LOCAL_TZ = ZoneInfo("America/Santiago")

# Columns written from the validated input, in order.
_COLUMNS = (
    "code",
    "name",
    "kind",
    "strategy_id",
    "plan_id",
    "program_id",
    "status",
    "scope",
    "amount_clp",
    "funding_source",
    "responsible_unit",
    "bip_code",
    "start_year",
    "end_year",
    "description",
    "place_note",
)


@dataclass(frozen=True)
class SaveResult:
    """The saved row's id and its new version (what the next save must present)."""

    id: int
    version: int


class ConflictError(DataError):
    """Someone else saved the row after it was opened; nothing of theirs is overwritten."""

    def __init__(
        self, message: str, *, by: str | None, at: datetime | None, changed: list[str], current_version: int
    ) -> None:
        super().__init__(message)
        self.by, self.at, self.changed, self.current_version = by, at, changed, current_version


def format_datetime(value: datetime | None) -> str:
    """Local date and time as ``dd-mm-aaaa HH:MM`` (Vallenar's time zone)."""
    if value is None:
        return "fecha desconocida"
    return value.astimezone(LOCAL_TZ).strftime("%d-%m-%Y %H:%M")


def require_editor(editor: str | None) -> str:
    """Return the editor's name, or refuse the save when nobody said who they are."""
    name = (editor or "").strip()
    if not name:
        raise ValidationError(
            {
                "editor": "escriba su nombre en la barra lateral antes de guardar "
                "(queda en el historial de cambios)."
            }
        )
    return name


def ensure_user(conn: Connection, display_name: str) -> int:
    """Return the id of the app user with this name, creating a planner if needed."""
    username = re.sub(r"\s+", ".", display_name.strip().lower())[:60]
    return conn.execute(
        text(
            """
        INSERT INTO app_user (username, display_name, role) VALUES (:u, :d, 'planificador')
        ON CONFLICT (username) DO UPDATE SET display_name = EXCLUDED.display_name
        RETURNING id
        """
        ),
        {"u": username, "d": display_name.strip()},
    ).scalar_one()


def audit(
    conn: Connection,
    user_id: int,
    user_name: str,
    action: str,
    table: str,
    row_id: int,
    details: dict[str, Any],
) -> None:
    """Append one row to the audit log."""
    conn.execute(
        text(
            """
        INSERT INTO audit_log (user_id, user_name, action, table_name, row_id, details)
        VALUES (:u, :n, :a, :t, :r, CAST(:d AS jsonb))
        """
        ),
        {
            "u": user_id,
            "n": user_name,
            "a": action,
            "t": table,
            "r": str(row_id),
            "d": json.dumps(details, ensure_ascii=False, default=str),
        },
    )


def _record_status(
    conn: Connection,
    initiative_id: int,
    user_id: int,
    user_name: str,
    old: str | None,
    new: str,
    comment: str | None,
) -> None:
    conn.execute(
        text(
            """
        INSERT INTO status_history (initiative_id, changed_by_id, changed_by_name, from_status,
                                    to_status, comment)
        VALUES (:i, :u, :n, :f, :t, :c)
        """
        ),
        {"i": initiative_id, "u": user_id, "n": user_name, "f": old, "t": new, "c": blank(comment)},
    )


def set_hand_links(conn: Connection, initiative_id: int, territory_ids: list[int]) -> None:
    """Make the non-geometry links exactly ``territory_ids``.

    Links from a place name that stay in the list keep their origin; new ones are made by
    hand (also when the territory was linked from the geometry: the person chose it).
    """
    conn.execute(
        text(
            """
        DELETE FROM initiative_territory
         WHERE initiative_id = :i AND link_method IN ('manual', 'nombre_lugar')
           AND NOT (territory_id = ANY(:ids))
        """
        ),
        {"i": initiative_id, "ids": territory_ids},
    )
    for tid in territory_ids:
        conn.execute(
            text(
                """
            INSERT INTO initiative_territory (initiative_id, territory_id, link_method)
            VALUES (:i, :t, 'manual')
            ON CONFLICT (initiative_id, territory_id) DO UPDATE SET link_method = 'manual',
                weight = NULL
             WHERE initiative_territory.link_method = 'geometria'
            """
            ),
            {"i": initiative_id, "t": tid},
        )


def _hand_links(conn: Connection, initiative_id: int) -> list[int]:
    return list(
        conn.execute(
            text(
                """
        SELECT territory_id FROM initiative_territory
         WHERE initiative_id = :i AND link_method <> 'geometria' ORDER BY territory_id
        """
            ),
            {"i": initiative_id},
        ).scalars()
    )


def _geom_sql(action: str) -> str:
    return {"keep": "geom", "none": "NULL"}.get(action, "ST_SetSRID(ST_GeomFromWKB(:wkb), 4326)")


@contextmanager
def _unique_violations() -> Iterator[None]:
    """Turn a unique-key race (two people saving the same code at once) into a field message."""
    try:
        yield
    except IntegrityError as exc:
        detail = str(exc.orig)
        if "initiative_code_key" in detail:
            raise ValidationError(
                {"code": "otra persona acaba de guardar una iniciativa con ese código."}
            ) from None
        if "ux_initiative_bip" in detail:
            raise ValidationError({"bip_code": "otra persona acaba de guardar ese código BIP."}) from None
        raise DataError(f"La base de datos rechazó el guardado: {detail.splitlines()[0]}") from None


def create_initiative(bind: Engine | Connection, inp: InitiativeInput, editor: str | None) -> SaveResult:
    """Insert a new initiative (source ``manual``), its first status and its links."""
    name = require_editor(editor)
    with _unique_violations(), transaction(bind) as conn:
        row = validate(conn, inp)
        user_id = ensure_user(conn, name)
        geom = "NULL" if row["geometry_action"] in ("keep", "none") else _geom_sql("drawn")
        new = conn.execute(
            text(
                f"""
            INSERT INTO initiative ({", ".join(_COLUMNS)}, source, geom)
            VALUES ({", ".join(":" + c for c in _COLUMNS)}, 'manual', {geom})
            RETURNING id, version
            """
            ),
            row,
        ).one()
        _record_status(conn, new.id, user_id, name, None, row["status"], inp.status_comment)
        set_hand_links(conn, new.id, row["territories"])
        link_by_geometry(conn, initiative_ids=[new.id])
        audit(
            conn,
            user_id,
            name,
            "crear_iniciativa",
            "initiative",
            new.id,
            {"version": new.version, "code": row["code"]},
        )
    return SaveResult(new.id, new.version)


def update_initiative(
    bind: Engine | Connection,
    initiative_id: int,
    inp: InitiativeInput,
    expected_version: int,
    editor: str | None,
) -> SaveResult:
    """Save an edit made on ``expected_version``; refuse it if the row changed since.

    Raises:
        ValidationError: a field is wrong (nothing written).
        ConflictError: someone else saved after ``expected_version`` (nothing written).
    """
    name = require_editor(editor)
    with _unique_violations(), transaction(bind) as conn:
        current = (
            conn.execute(
                text(
                    f"""
            SELECT {", ".join(_COLUMNS)}, version, ST_AsBinary(geom) AS wkb
              FROM initiative WHERE id = :i FOR UPDATE
            """
                ),
                {"i": initiative_id},
            )
            .mappings()
            .first()
        )
        if current is None:
            raise DataError("La iniciativa ya no existe: otra persona la eliminó.")
        if current["version"] != expected_version:
            raise conflict_error(conn, initiative_id, expected_version, current["version"])
        row = validate(conn, inp, initiative_id)
        user_id = ensure_user(conn, name)
        updated = conn.execute(
            text(
                f"""
            UPDATE initiative SET {", ".join(f"{c} = :{c}" for c in _COLUMNS)},
                   geom = {_geom_sql(row["geometry_action"])}, version = version + 1
             WHERE id = :id AND version = :expected
            RETURNING version, ST_AsBinary(geom) AS wkb
            """
            ),
            {**row, "id": initiative_id, "expected": expected_version},
        ).first()
        if updated is None:  # cannot happen under FOR UPDATE; kept as the lock's last word
            raise conflict_error(conn, initiative_id, expected_version, expected_version + 1)
        changes = {c: [current[c], row[c]] for c in _COLUMNS if current[c] != row[c]}
        if _wkb(current["wkb"]) != _wkb(updated.wkb):
            changes["geometry"] = [_geom_type(current["wkb"]), _geom_type(updated.wkb)]
        before_links = _hand_links(conn, initiative_id)
        set_hand_links(conn, initiative_id, row["territories"])
        if before_links != row["territories"]:
            changes["territories"] = [before_links, row["territories"]]
        if current["status"] != row["status"]:
            _record_status(
                conn, initiative_id, user_id, name, current["status"], row["status"], inp.status_comment
            )
        link_by_geometry(conn, initiative_ids=[initiative_id])
        audit(
            conn,
            user_id,
            name,
            "editar_iniciativa",
            "initiative",
            initiative_id,
            {"version": updated.version, "changes": changes},
        )
    return SaveResult(initiative_id, updated.version)


def _wkb(value: Any) -> bytes | None:
    return bytes(value) if value is not None else None


def _geom_type(value: Any) -> str | None:
    return shapely.from_wkb(bytes(value)).geom_type if value is not None else None


def conflict_error(
    conn: Connection,
    row_id: int,
    expected: int,
    current: int,
    table: str = "initiative",
    what: str = "esta iniciativa",
) -> ConflictError:
    """The Spanish conflict message: who saved after ``expected``, when, and which fields."""
    saves = (
        conn.execute(
            text(
                """
        SELECT user_name, at, details FROM audit_log
         WHERE table_name = :t AND row_id = :r AND (details->>'version')::int > :v
         ORDER BY at
        """
            ),
            {"t": table, "r": str(row_id), "v": expected},
        )
        .mappings()
        .all()
    )
    if saves:
        by = ", ".join(dict.fromkeys(s["user_name"] or "otra persona" for s in saves))
        at = saves[-1]["at"]
        keys = {k.removesuffix("_id") for s in saves for k in (s["details"].get("changes") or {})}
        changed = [label for k, label in FIELD_LABELS.items() if k in keys]  # in the form's order
    else:  # written by an import or a command: no person recorded
        by = None
        at = conn.execute(text(f"SELECT updated_at FROM {table} WHERE id = :i"), {"i": row_id}).scalar()
        changed = []
    who = by or "otra persona o un proceso de importación"
    what_changed = f" Cambió: {', '.join(changed)}." if changed else ""
    message = (
        f"No se guardó: {who} guardó {what} el {format_datetime(at)}, mientras usted "
        f"editaba (versión {expected} → {current}).{what_changed} Sus cambios siguen en el "
        "formulario y no se perdió nada de lo que la otra persona guardó: compare, cargue "
        "la versión actual y vuelva a aplicar sus cambios."
    )
    return ConflictError(message, by=by, at=at, changed=changed, current_version=current)
