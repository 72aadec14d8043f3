"""Residents' phone participation in a workshop: open it, send needs, accept or reject them.

The facilitator opens participation for an open workshop (:func:`open_participation`): the
workshop gets a short random code (:data:`CODE_ALPHABET`, no 0/O or 1/I/L to misread on a
projector) and ``participation_open``. Anyone holding that code may then send a need from a
phone (:func:`submit_need`) as a :func:`participant` actor (role
:data:`~geo.store.permissions.PARTICIPANT_ROLE`: no account, no name, only ``participate``):
it lands as state ``pendiente``, origin ``telefono``, in the facilitator's queue, and
:func:`accept_need` / :func:`reject_need` decide (audited, as the facilitator). Closing the
workshop closes participation (:func:`geo.store.workshops.close_workshop`), and so does
:func:`close_participation`.

Limits: at most :data:`RATE_LIMIT` needs per device in :data:`RATE_WINDOW_MINUTES` minutes
(the device key is a hash of what the page knows of the phone; only the hash is stored);
each submission locks the workshop's row, so the count cannot be raced and the participation
cannot close half-way through a submission. The need itself is validated, inserted and
audited by :func:`geo.store.workshops.record_needs`, the one write path of needs.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, text

from geo.db import transaction
from geo.errors import DataError
from geo.store.actor import Actor
from geo.store.audit import Entry, conflict_error, record
from geo.store.permissions import PARTICIPANT_ROLE, require
from geo.store.workshops import NeedDraft, locked_need, locked_workshop, record_needs

log = logging.getLogger(__name__)

#: Letters and digits of a participation code: none that reads as another (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
RATE_LIMIT = 5
RATE_WINDOW_MINUTES = 10


def participation_url(base: str, code: str) -> str:
    """The phone page's address for ``code`` on the app at ``base`` (``http://192.168.1.20:8501``)."""
    return f"{base.rstrip('/')}/participar?codigo={quote(code)}"


def participant(code: str) -> Actor:
    """The actor of a resident sending from a phone with ``code`` (no account, no name)."""
    return Actor(
        "Participante (teléfono)", f"participación por teléfono, código {code}", role=PARTICIPANT_ROLE
    )


def device_key(*parts: str) -> str:
    """The stored key of a device: a hash of what identifies it (never the values themselves)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def normalise_code(code: str | None) -> str:
    """A code as typed or read from a QR: spaces dropped, capitals."""
    return "".join((code or "").split()).upper()


@dataclass(frozen=True)
class OpenWorkshop:
    """A workshop whose participation is open, as the phone page shows it."""

    id: int
    held_on: Any
    place: str
    code: str
    territories: list[str]


def open_workshop(conn: Connection, code: str | None) -> OpenWorkshop | None:
    """The workshop taking phone needs with ``code`` now, or None (unknown, closed or not open)."""
    clean = normalise_code(code)
    if not clean or len(clean) > 12:
        return None
    row = conn.execute(
        text(
            """
        SELECT w.id, w.held_on, w.place, w.participation_code,
               array(SELECT CASE WHEN t.kind = 'unidad_vecinal' THEN 'UV ' || t.code || ' · ' || t.name
                                 ELSE t.name END
                       FROM workshop_territory wt JOIN territory t ON t.id = wt.territory_id
                      WHERE wt.workshop_id = w.id ORDER BY t.kind DESC, t.code) AS territories
          FROM workshop w
         WHERE w.participation_code = :c AND w.participation_open AND w.state = 'abierto'
        """
        ),
        {"c": clean},
    ).first()
    if row is None:
        return None
    return OpenWorkshop(row.id, row.held_on, row.place, row.participation_code, list(row.territories))


def open_participation(
    bind: Engine | Connection, actor: Actor, workshop_id: int, expected_version: int | None = None
) -> str:
    """Open phone participation for an open workshop; return its code (the same if already open)."""
    require(actor, "workshops")
    with transaction(bind) as conn:
        row = locked_workshop(conn, workshop_id)
        if expected_version is not None and row["version"] != expected_version:
            raise conflict_error(
                conn,
                "workshop",
                workshop_id,
                expected_version,
                row["version"],
                f"el taller n.º {workshop_id}",
            )
        if row["state"] == "cerrado":
            raise DataError(f"El taller n.º {workshop_id} está cerrado: no se puede abrir la participación.")
        if row["participation_open"] and row["participation_code"]:
            return str(row["participation_code"])
        code = row["participation_code"] or _new_code(conn)
        version = conn.execute(
            text(
                "UPDATE workshop SET participation_open = true, participation_code = :c, "
                "version = version + 1 WHERE id = :i RETURNING version"
            ),
            {"c": code, "i": workshop_id},
        ).scalar_one()
        changes: dict[str, list[Any]] = {"participation_open": [False, True]}
        if code != row["participation_code"]:
            changes["participation_code"] = [row["participation_code"], code]
        record(
            conn,
            actor,
            [Entry("abrir_participacion", "workshop", workshop_id, {"version": version, "changes": changes})],
        )
    log.info("phone participation of workshop %s opened by %s", workshop_id, actor.describe())
    return str(code)


def _new_code(conn: Connection) -> str:
    for _ in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if (
            conn.execute(text("SELECT 1 FROM workshop WHERE participation_code = :c"), {"c": code}).first()
            is None
        ):
            return code
    raise DataError(
        "No se pudo generar un código de participación nuevo; intente de nuevo."
    )  # pragma: no cover


def close_participation(bind: Engine | Connection, actor: Actor, workshop_id: int) -> None:
    """Stop taking phone needs (the code is kept: opening again gives the same one)."""
    require(actor, "workshops")
    with transaction(bind) as conn:
        row = locked_workshop(conn, workshop_id)
        if not row["participation_open"]:
            return
        version = conn.execute(
            text(
                "UPDATE workshop SET participation_open = false, version = version + 1 "
                "WHERE id = :i RETURNING version"
            ),
            {"i": workshop_id},
        ).scalar_one()
        record(
            conn,
            actor,
            [
                Entry(
                    "cerrar_participacion",
                    "workshop",
                    workshop_id,
                    {"version": version, "changes": {"participation_open": [True, False]}},
                )
            ],
        )


def submit_need(
    bind: Engine | Connection,
    actor: Actor,
    code: str,
    device: str,
    kind: str,
    strategy_id: int | None,
    text_: str | None,
    geometry_wkb: bytes,
) -> int:
    """A resident's need from a phone: state «pendiente», origin «telefono»; return its id.

    Raises:
        NotAuthorised: the actor is not a participant (or a facilitator).
        DataError: in Spanish: the code is not of a workshop taking needs now, the device sent
            :data:`RATE_LIMIT` needs in the last :data:`RATE_WINDOW_MINUTES` minutes, or a
            value is not valid (from :func:`geo.store.workshops.record_needs`).
    """
    require(actor, "participate")
    clean = normalise_code(code)
    with transaction(bind) as conn:
        row = (
            conn.execute(
                text(
                    "SELECT id, state, participation_open FROM workshop "
                    "WHERE participation_code = :c FOR UPDATE"
                ),
                {"c": clean},
            )
            .mappings()
            .first()
        )
        if row is None or not row["participation_open"] or row["state"] != "abierto":
            raise DataError(
                f"El código «{clean}» no corresponde a un taller que esté recibiendo necesidades ahora: "
                "revise el código en la pantalla del taller (la participación se cierra con el taller)."
            )
        key = device_key(str(row["id"]), device)
        sent = conn.execute(
            text(
                "SELECT count(*), min(created_at) FROM need WHERE workshop_id = :w AND device_key = :k "
                "AND created_at > now() - make_interval(mins => :m)"
            ),
            {"w": row["id"], "k": key, "m": RATE_WINDOW_MINUTES},
        ).one()
        if sent[0] >= RATE_LIMIT:
            raise DataError(
                f"Ya envió {RATE_LIMIT} necesidades en los últimos {RATE_WINDOW_MINUTES} minutos desde este "
                "teléfono: espere unos minutos antes de enviar otra (así todos alcanzan a participar)."
            )
        # Validated, inserted and audited by the one write path of needs, as the resident: a phone's
        # pending need takes the ``participate`` capability there; the audit names the participant
        # (name and via), never an account.
        draft = NeedDraft(
            kind=kind,
            strategy_id=strategy_id,
            text=text_,
            votes=0,
            geometry_wkb=geometry_wkb,
            origin="telefono",
            state="pendiente",
            device_key=key,
            where="Su necesidad",
        )
        (need_id,) = record_needs(conn, actor, int(row["id"]), [draft])
    return need_id


def _decide(bind: Engine | Connection, actor: Actor, need_id: int, state: str, action: str) -> int:
    with transaction(bind) as conn:
        need, workshop = locked_need(conn, need_id, None)
        if workshop["state"] == "cerrado":
            raise DataError("El taller está cerrado: sus necesidades quedan como se cerraron.")
        if need["state"] != "pendiente":
            raise DataError(f"La necesidad n.º {need_id} ya no está pendiente (está {need['state']}).")
        version = conn.execute(
            text("UPDATE need SET state = :s, version = version + 1 WHERE id = :i RETURNING version"),
            {"s": state, "i": need_id},
        ).scalar_one()
        record(
            conn,
            actor,
            [
                Entry(
                    action, "need", need_id, {"version": version, "changes": {"state": ["pendiente", state]}}
                )
            ],
        )
    return int(version)


def accept_need(bind: Engine | Connection, actor: Actor, need_id: int) -> int:
    """The facilitator accepts a pending phone need (it now counts); return its version."""
    require(actor, "workshops")
    return _decide(bind, actor, need_id, "aceptada", "aceptar_necesidad")


def reject_need(bind: Engine | Connection, actor: Actor, need_id: int) -> int:
    """The facilitator rejects a pending phone need (kept, not counted); return its version."""
    require(actor, "workshops")
    return _decide(bind, actor, need_id, "rechazada", "rechazar_necesidad")


def pending_needs(conn: Connection, workshop_id: int) -> list[dict[str, Any]]:
    """The facilitator's queue: pending needs of the workshop, oldest first (texts as typed)."""
    rows = conn.execute(
        text(
            """
        SELECT n.id, n.kind, n.text, s.code AS strategy, n.created_at,
               ST_Y(ST_PointOnSurface(n.geom)) AS lat, ST_X(ST_PointOnSurface(n.geom)) AS lon
          FROM need n LEFT JOIN strategy s ON s.id = n.strategy_id
         WHERE n.workshop_id = :w AND n.state = 'pendiente' AND n.merged_into_id IS NULL
         ORDER BY n.created_at, n.id
        """
        ),
        {"w": workshop_id},
    ).mappings()
    return [dict(r) for r in rows]
