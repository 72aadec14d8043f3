"""Writes to workshops and residents' needs (issue 12), the one write path of their tables.

``workshop``, ``workshop_territory``, ``need`` and ``need_initiative`` change only here.

Every function takes the database (an engine, or a connection whose transaction it joins
with a savepoint) and the :class:`~geo.store.actor.Actor`, checks the role first
(``workshops``: administrador and facilitador; confirming which initiatives answer a need,
``need_links``, also secplac), validates every value with :mod:`geo.values` (a Spanish
message naming the field, and for a batch the need: ``where``), locks the row, checks the
version the person saw, writes only what differs, bumps ``version`` and records one audit
row per changed row, all in one transaction.

A closed workshop is final: it records no new needs, and its needs are not edited, moved
or merged; links to the plan can still be confirmed (a planner does it later).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import shapely
from shapely.errors import GEOSException
from sqlalchemy import Connection, Engine, text

from geo.db import transaction
from geo.domain import (
    ATTENDANCE_GROUPS,
    NEED_FIELD_LABELS,
    NEED_KINDS,
    NEED_ORIGINS,
    NEED_STATES,
    WORKSHOP_FIELD_LABELS,
)
from geo.errors import DataError, ValidationError
from geo.store.actor import Actor
from geo.store.audit import Entry, conflict_error, json_text, record
from geo.store.bulk import rows_table
from geo.store.permissions import require
from geo.territory.queries import near_commune
from geo.uploads import check_photo
from geo.values import ValueProblem, parse_count, parse_date, parse_drawn_geometry, parse_text

log = logging.getLogger(__name__)

#: Longest text of a need (the database refuses more) and of a workshop's place.
NEED_TEXT_MAX = 1000
PLACE_MAX = 300
NAME_MAX = 200
#: Kinds of territory a workshop covers.
WORKSHOP_TERRITORY_KINDS = ("unidad_vecinal", "localidad")
#: Geometry types a need may be drawn as.
NEED_GEOMETRIES = ("Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon")


@dataclass(frozen=True)
class WorkshopValues:
    """What a person gives of a workshop (typed values are parsed here, not by the caller).

    ``attendance`` maps the keys of :data:`geo.domain.ATTENDANCE_GROUPS` (``mujeres``,
    ``18-29``...) to counts; a missing or blank key is unknown, never 0.
    """

    held_on: date | str | None
    place: str | None
    territory_ids: Sequence[int]
    facilitator_id: int | None = None
    facilitator_name: str | None = None
    attendance_total: int | str | None = None
    attendance: Mapping[str, int | str | None] = field(default_factory=dict)
    organisations: str | None = None


@dataclass(frozen=True)
class NeedDraft:
    """A need to record: kind, strategy (None: "otra"), text, votes and where it was drawn.

    ``where`` names the need in messages ("fila 7 de captura.xlsx"); ``geometry_wkb`` is the
    drawn point, line or area in EPSG:4326.
    """

    kind: str
    strategy_id: int | None
    text: str | None
    votes: int | str | None
    geometry_wkb: bytes
    origin: str = "taller"
    state: str = "aceptada"
    photo: bytes | None = None
    photo_type: str | None = None
    device_key: str | None = None
    where: str | None = None


@dataclass(frozen=True)
class NeedEdit:
    """New values of a need: kind, strategy, text, votes; ``state`` None keeps it.

    ``photo`` replaces the photo when given; ``remove_photo`` clears it; neither keeps it.
    """

    kind: str
    strategy_id: int | None
    text: str | None
    votes: int | str | None
    state: str | None = None
    photo: bytes | None = None
    remove_photo: bool = False


# --- validation ------------------------------------------------------------------------------


def _workshop_columns(conn: Connection, values: WorkshopValues) -> tuple[dict[str, Any], list[int]]:
    """The validated columns of a workshop and its territory ids, or a ValidationError."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}

    def read(key: str, parse: Any, value: object, *args: Any) -> Any:
        try:
            return parse(value, *args)
        except ValueProblem as exc:
            errors[key] = str(exc)
            return None

    out["held_on"] = read("held_on", parse_date, values.held_on)
    if out["held_on"] is None and "held_on" not in errors:
        errors["held_on"] = "falta la fecha del taller (dd-mm-aaaa)."
    out["place"] = read("place", parse_text, values.place, PLACE_MAX)
    if out["place"] is None and "place" not in errors:
        errors["place"] = "falta el lugar (sede, escuela...)."
    out["facilitator_name"] = read("facilitator_name", parse_text, values.facilitator_name, NAME_MAX)
    out["facilitator_id"] = values.facilitator_id
    if (
        values.facilitator_id is not None
        and not conn.execute(
            text("SELECT 1 FROM app_user WHERE id = :i"), {"i": values.facilitator_id}
        ).first()
    ):
        errors["facilitator_id"] = "la cuenta elegida ya no existe."
    out["organisations"] = read("organisations", parse_text, values.organisations)
    total = read("attendance_total", parse_count, values.attendance_total)
    out["attendance_total"] = total
    attendance: dict[str, int] = {}
    for key, raw in values.attendance.items():
        group = next((g for g, keys in ATTENDANCE_GROUPS.items() if key in keys), None)
        if group is None:
            errors["attendance"] = f"«{key}» no es un grupo de asistencia conocido."
            continue
        count = read("attendance", parse_count, raw)
        if count is not None:
            attendance[key] = count
    for group, keys in ATTENDANCE_GROUPS.items():
        counted = sum(attendance.get(k, 0) for k in keys)
        if total is not None and counted > total:
            errors["attendance"] = f"la suma por {group} ({counted}) supera la asistencia total ({total})."
    out["attendance"] = attendance
    territory_ids = sorted(set(values.territory_ids))
    if not territory_ids:
        errors["territories"] = "elija al menos una unidad vecinal o localidad."
    else:
        found = conn.execute(
            text("SELECT id FROM territory WHERE id = ANY(:ids) AND kind = ANY(:kinds)"),
            {"ids": territory_ids, "kinds": list(WORKSHOP_TERRITORY_KINDS)},
        ).scalars()
        if set(found) != set(territory_ids):
            errors["territories"] = "solo unidades vecinales o localidades existentes."
    if errors:
        raise ValidationError(errors, WORKSHOP_FIELD_LABELS)
    return out, territory_ids


def _strategy_codes(conn: Connection) -> dict[int, str]:
    return dict(conn.execute(text("SELECT id, code FROM strategy")).all())


def _need_fields(
    kind: str, strategy_id: int | None, text_: str | None, votes: object, strategies: Mapping[int, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Kind, strategy, text and votes of a need, validated: (values, errors by field)."""
    errors: dict[str, str] = {}
    if kind not in NEED_KINDS:
        errors["kind"] = f"«{kind}» no es un tipo de necesidad ({', '.join(NEED_KINDS)})."
    if strategy_id is not None and strategy_id not in strategies:
        errors["strategy_id"] = "la estrategia elegida no existe."
    try:
        body = parse_text(text_, NEED_TEXT_MAX)
    except ValueProblem as exc:
        errors["text"], body = str(exc), None
    if body is None and "text" not in errors:
        errors["text"] = "está vacío: escriba la necesidad."
    try:
        count = parse_count(votes)
    except ValueProblem as exc:
        errors["votes"], count = str(exc), None
    return {"kind": kind, "strategy_id": strategy_id, "text": body, "votes": count or 0}, errors


def _need_geometry(conn: Connection, wkb: bytes | None) -> tuple[bytes | None, str | None]:
    """The drawn geometry as WKB, or the reason it is refused."""
    try:
        geom = parse_drawn_geometry(shapely.from_wkb(wkb) if wkb is not None else None)
    except ValueProblem as exc:
        return None, str(exc)
    except (GEOSException, TypeError, ValueError):
        log.info("unreadable need geometry", exc_info=True)
        return None, "el dibujo recibido no es una geometría válida."
    if geom.geom_type not in NEED_GEOMETRIES:
        return None, "dibuje un punto, una línea o un área."
    clean = shapely.to_wkb(geom)
    if not near_commune(conn, clean):
        return None, "queda fuera de la comuna de Vallenar."
    return clean, None


def _summary(wkb: bytes | None) -> str | None:
    if wkb is None:
        return None
    geom = shapely.from_wkb(bytes(wkb))
    lon, lat = geom.representative_point().coords[0]
    return f"{geom.geom_type} ({lat:.5f}, {lon:.5f})"


def _refuse(problems: list[tuple[str | None, dict[str, str]]]) -> None:
    """Raise the refusal of a batch: every problem of every need, named by ``where``."""
    if not problems:
        return
    if len(problems) == 1 and problems[0][0] is None:
        raise ValidationError(problems[0][1], NEED_FIELD_LABELS)
    parts = [
        f"{where or 'Necesidad'}: "
        + "; ".join(f"{NEED_FIELD_LABELS.get(k, k)}: {v}" for k, v in errs.items())
        for where, errs in problems
    ]
    raise DataError("No se guardó ninguna necesidad. " + " ".join(parts))


# --- workshops -------------------------------------------------------------------------------


def _territory_codes(conn: Connection, ids: Sequence[int]) -> list[str]:
    return list(
        conn.execute(
            text("SELECT code FROM territory WHERE id = ANY(:ids) ORDER BY kind DESC, code"),
            {"ids": list(ids)},
        ).scalars()
    )


def locked_workshop(conn: Connection, workshop_id: int) -> Any:
    """The workshop's row, locked until the transaction ends (the workshop stores share it)."""
    row = (
        conn.execute(text("SELECT * FROM workshop WHERE id = :i FOR UPDATE"), {"i": workshop_id})
        .mappings()
        .first()
    )
    if row is None:
        raise DataError(f"El taller n.º {workshop_id} no existe.")
    return row


def _check_version(conn: Connection, row: Any, expected: int | None, table: str, what: str) -> None:
    if expected is not None and row["version"] != expected:
        names = (
            WORKSHOP_FIELD_LABELS if table == "workshop" else {**NEED_FIELD_LABELS, "strategy": "Estrategia"}
        )
        raise conflict_error(conn, table, row["id"], expected, row["version"], what, names)


def _cap(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _workshop_name(row: Any) -> str:
    return f"el taller del {row['held_on']:%d-%m-%Y} en «{row['place']}»"


def create_workshop(bind: Engine | Connection, actor: Actor, values: WorkshopValues) -> int:
    """Create a workshop (open) covering ``values.territory_ids``; return its id."""
    require(actor, "workshops")
    with transaction(bind) as conn:
        columns, territory_ids = _workshop_columns(conn, values)
        params = {**columns, "attendance": json_text(columns["attendance"])}
        new_id = conn.execute(
            text(
                """
                INSERT INTO workshop (held_on, place, facilitator_id, facilitator_name,
                                      attendance_total, attendance, organisations)
                VALUES (:held_on, :place, :facilitator_id, :facilitator_name, :attendance_total,
                        CAST(:attendance AS jsonb), :organisations)
                RETURNING id
                """
            ),
            params,
        ).scalar_one()
        conn.execute(
            text("INSERT INTO workshop_territory (workshop_id, territory_id) SELECT :w, unnest(:ids)"),
            {"w": new_id, "ids": territory_ids},
        )
        changes: dict[str, list[Any]] = {k: [None, v] for k, v in columns.items() if v not in (None, {})}
        changes["territories"] = [None, _territory_codes(conn, territory_ids)]
        record(conn, actor, [Entry("crear_taller", "workshop", new_id, {"version": 1, "changes": changes})])
    log.info("workshop %s created by %s", new_id, actor.describe())
    return int(new_id)


def update_workshop(
    bind: Engine | Connection, actor: Actor, workshop_id: int, expected_version: int, values: WorkshopValues
) -> int:
    """Save the workshop's new values (only what differs); return its version."""
    require(actor, "workshops")
    with transaction(bind) as conn:
        row = locked_workshop(conn, workshop_id)
        _check_version(conn, row, expected_version, "workshop", _workshop_name(row))
        columns, territory_ids = _workshop_columns(conn, values)
        changes = {k: [row[k], v] for k, v in columns.items() if row[k] != v}
        old_ids = sorted(
            conn.execute(
                text("SELECT territory_id FROM workshop_territory WHERE workshop_id = :w"), {"w": workshop_id}
            ).scalars()
        )
        if old_ids != territory_ids:
            changes["territories"] = [_territory_codes(conn, old_ids), _territory_codes(conn, territory_ids)]
            conn.execute(text("DELETE FROM workshop_territory WHERE workshop_id = :w"), {"w": workshop_id})
            conn.execute(
                text("INSERT INTO workshop_territory (workshop_id, territory_id) SELECT :w, unnest(:ids)"),
                {"w": workshop_id, "ids": territory_ids},
            )
        if not changes:
            return int(row["version"])
        sets = [f"{k} = :{k}" for k in changes if k not in ("territories", "attendance")]
        if "attendance" in changes:
            sets.append("attendance = CAST(:attendance AS jsonb)")
        params = {**columns, "attendance": json_text(columns["attendance"]), "i": workshop_id}
        version = conn.execute(
            text(
                f"UPDATE workshop SET {', '.join(sets)}, version = version + 1 "
                "WHERE id = :i RETURNING version"
            ),
            params,
        ).scalar_one()
        record(
            conn,
            actor,
            [Entry("editar_taller", "workshop", workshop_id, {"version": version, "changes": changes})],
        )
    return int(version)


def close_workshop(
    bind: Engine | Connection,
    actor: Actor,
    workshop_id: int,
    expected_version: int | None = None,
    closing_report: str | None = None,
) -> int:
    """Close a workshop with its closing report (phone participation closes too); return its version."""
    require(actor, "workshops")
    try:
        report = parse_text(closing_report, 20_000)
    except ValueProblem as exc:
        raise ValidationError({"closing_report": str(exc)}, WORKSHOP_FIELD_LABELS) from None
    with transaction(bind) as conn:
        row = locked_workshop(conn, workshop_id)
        _check_version(conn, row, expected_version, "workshop", _workshop_name(row))
        if row["state"] == "cerrado":
            raise DataError(f"{_cap(_workshop_name(row))} ya está cerrado.")
        version = conn.execute(
            text(
                "UPDATE workshop SET state = 'cerrado', closing_report = :r, participation_open = false, "
                "version = version + 1 WHERE id = :i RETURNING version"
            ),
            {"r": report, "i": workshop_id},
        ).scalar_one()
        changes: dict[str, list[Any]] = {"state": ["abierto", "cerrado"]}
        if report != row["closing_report"]:
            changes["closing_report"] = [row["closing_report"], report]
        if row["participation_open"]:
            changes["participation_open"] = [True, False]
        record(
            conn,
            actor,
            [Entry("cerrar_taller", "workshop", workshop_id, {"version": version, "changes": changes})],
        )
    log.info("workshop %s closed by %s", workshop_id, actor.describe())
    return int(version)


def _refuse_closed(row: Any, what: str) -> None:
    if row["state"] == "cerrado":
        raise DataError(
            f"{_cap(_workshop_name(row))} está cerrado: no se puede {what}. "
            "Sus necesidades quedan como se cerraron."
        )


# --- needs -----------------------------------------------------------------------------------


def _from_phones(drafts: Sequence[NeedDraft]) -> bool:
    """Whether every draft is a resident's need from a phone, waiting in the facilitator's queue."""
    return bool(drafts) and all(d.origin == "telefono" and d.state == "pendiente" for d in drafts)


def record_needs(
    bind: Engine | Connection, actor: Actor, workshop_id: int, drafts: Sequence[NeedDraft]
) -> list[int]:
    """Record needs in an open workshop, all or none; return their ids in the drafts' order.

    Recording needs takes the ``workshops`` capability; a resident's need from a phone (origin
    «telefono», waiting in the queue as «pendiente») takes ``participate``
    (:func:`geo.store.participation.submit_need` checks the code and the device's rate first),
    so the audit names the real sender and role.
    """
    require(actor, "participate" if _from_phones(drafts) else "workshops")
    with transaction(bind) as conn:
        workshop = locked_workshop(conn, workshop_id)
        _refuse_closed(workshop, "registrar necesidades nuevas")
        strategies = _strategy_codes(conn)
        rows: list[dict[str, Any]] = []
        problems: list[tuple[str | None, dict[str, str]]] = []
        for d in drafts:
            values, errors = _need_fields(d.kind, d.strategy_id, d.text, d.votes, strategies)
            wkb, why = _need_geometry(conn, d.geometry_wkb)
            if why:
                errors["geometry"] = why
            if d.origin not in NEED_ORIGINS:
                errors["origin"] = f"«{d.origin}» no es un origen conocido."
            if d.state not in NEED_STATES:
                errors["state"] = f"«{d.state}» no es un estado conocido."
            photo_type = None
            if d.photo is not None:
                try:
                    photo_type = check_photo(d.where or "foto", d.photo)
                except DataError as exc:
                    errors["photo"] = str(exc)
            if errors:
                problems.append((d.where, errors))
                continue
            rows.append(
                {
                    **values,
                    "wkb": wkb,
                    "photo": d.photo,
                    "photo_type": photo_type,
                    "state": d.state,
                    "origin": d.origin,
                    "device_key": d.device_key,
                    "where": d.where,
                }
            )
        _refuse(problems)
        if not rows:
            return []
        source, params = rows_table(
            {
                "kind": "text",
                "strategy_id": "int",
                "text": "text",
                "votes": "int",
                "wkb": "bytea",
                "photo": "bytea",
                "photo_type": "text",
                "state": "text",
                "origin": "text",
                "device_key": "text",
            },
            rows,
        )
        ids = conn.execute(
            text(
                f"""
                INSERT INTO need (workshop_id, kind, strategy_id, text, votes, geom, photo, photo_type,
                                  state, origin, device_key)
                SELECT :w, v.kind, v.strategy_id, v.text, v.votes, ST_SetSRID(ST_GeomFromWKB(v.wkb), 4326),
                       v.photo, v.photo_type, v.state, v.origin, v.device_key
                  FROM {source} ORDER BY v.ord
                RETURNING id
                """
            ),
            {**params, "w": workshop_id},
        ).scalars()
        new_ids = sorted(ids)
        entries = []
        for need_id, r in zip(new_ids, rows, strict=True):
            changes = {
                "kind": [None, r["kind"]],
                "strategy": [None, strategies.get(r["strategy_id"], "otra")],
                "text": [None, r["text"]],
                "votes": [None, r["votes"]],
                "geometry": [None, _summary(r["wkb"])],
                "state": [None, r["state"]],
                "origin": [None, r["origin"]],
            }
            if r["photo"] is not None:
                changes["photo"] = [None, f"{r['photo_type']}, {len(r['photo'])} bytes"]
            details: dict[str, Any] = {"version": 1, "changes": changes, "workshop_id": workshop_id}
            if r["where"]:
                details["donde"] = r["where"]
            entries.append(Entry("registrar_necesidad", "need", need_id, details))
        record(conn, actor, entries)
    log.info("%s needs recorded in workshop %s by %s", len(new_ids), workshop_id, actor.describe())
    return new_ids


def locked_need(conn: Connection, need_id: int, expected_version: int | None) -> tuple[Any, Any]:
    """The need and its workshop, both locked; refuse a merged need or an old version."""
    need = (
        conn.execute(
            text(
                "SELECT id, workshop_id, kind, strategy_id, text, votes, state, photo_type,"
                " length(photo) AS photo_size, merged_into_id, version, ST_AsBinary(geom) AS wkb"
                " FROM need WHERE id = :i FOR UPDATE"
            ),
            {"i": need_id},
        )
        .mappings()
        .first()
    )
    if need is None:
        raise DataError(f"La necesidad n.º {need_id} no existe.")
    workshop = locked_workshop(conn, need["workshop_id"])
    _check_version(conn, need, expected_version, "need", f"la necesidad n.º {need_id}")
    if need["merged_into_id"] is not None:
        raise DataError(
            f"La necesidad n.º {need_id} fue fusionada en la n.º {need['merged_into_id']}: edite esa."
        )
    return need, workshop


def _bump_need(
    conn: Connection,
    actor: Actor,
    action: str,
    need_id: int,
    sets: Mapping[str, str],
    params: Mapping[str, Any],
    changes: dict[str, list[Any]],
) -> int:
    assignments = ", ".join([*(f"{k} = {v}" for k, v in sets.items()), "version = version + 1"])
    version = conn.execute(
        text(f"UPDATE need SET {assignments} WHERE id = :i RETURNING version"), {**params, "i": need_id}
    ).scalar_one()
    record(conn, actor, [Entry(action, "need", need_id, {"version": version, "changes": changes})])
    return int(version)


def update_need(
    bind: Engine | Connection, actor: Actor, need_id: int, expected_version: int, edit: NeedEdit
) -> int:
    """Save a need's kind, strategy, text, votes, state and photo (only what differs); return its version."""
    require(actor, "workshops")
    with transaction(bind) as conn:
        need, workshop = locked_need(conn, need_id, expected_version)
        _refuse_closed(workshop, "editar sus necesidades")
        strategies = _strategy_codes(conn)
        values, errors = _need_fields(edit.kind, edit.strategy_id, edit.text, edit.votes, strategies)
        if edit.state is not None:
            if edit.state not in NEED_STATES:
                errors["state"] = f"«{edit.state}» no es un estado conocido."
            values["state"] = edit.state
        photo_type = None
        if edit.photo is not None:
            try:
                photo_type = check_photo("foto", edit.photo)
            except DataError as exc:
                errors["photo"] = str(exc)
        if errors:
            raise ValidationError(errors, NEED_FIELD_LABELS)
        changes: dict[str, list[Any]] = {}
        sets: dict[str, str] = {}
        for key, value in values.items():
            if need[key] != value:
                label = "strategy" if key == "strategy_id" else key
                before, after = need[key], value
                if key == "strategy_id":
                    before, after = strategies.get(before, "otra"), strategies.get(after, "otra")
                changes[label] = [before, after]
                sets[key] = f":{key}"
        params: dict[str, Any] = dict(values)
        had = f"{need['photo_type']}, {need['photo_size']} bytes" if need["photo_type"] else None
        if edit.photo is not None:
            sets |= {"photo": ":photo", "photo_type": ":photo_type"}
            params |= {"photo": edit.photo, "photo_type": photo_type}
            changes["photo"] = [had, f"{photo_type}, {len(edit.photo)} bytes"]
        elif edit.remove_photo and had:
            sets |= {"photo": "NULL", "photo_type": "NULL"}
            changes["photo"] = [had, None]
        if not changes:
            return int(need["version"])
        return _bump_need(conn, actor, "editar_necesidad", need_id, sets, params, changes)


def move_need(
    bind: Engine | Connection, actor: Actor, need_id: int, expected_version: int, geometry_wkb: bytes
) -> int:
    """Move a need to a newly drawn point, line or area; return its version."""
    require(actor, "workshops")
    with transaction(bind) as conn:
        need, workshop = locked_need(conn, need_id, expected_version)
        _refuse_closed(workshop, "mover sus necesidades")
        wkb, why = _need_geometry(conn, geometry_wkb)
        if why:
            raise ValidationError({"geometry": why}, NEED_FIELD_LABELS)
        changes = {"geometry": [_summary(need["wkb"]), _summary(wkb)]}
        return _bump_need(
            conn,
            actor,
            "mover_necesidad",
            need_id,
            {"geom": "ST_SetSRID(ST_GeomFromWKB(:wkb), 4326)"},
            {"wkb": wkb},
            changes,
        )


def merge_needs(
    bind: Engine | Connection,
    actor: Actor,
    keep_id: int,
    merged_id: int,
    keep_version: int,
    merged_version: int,
) -> int:
    """Merge two needs that say the same; return the kept need's version.

    ``keep_id`` gets the votes and links of ``merged_id``, which points to it and is no
    longer counted.
    """
    require(actor, "workshops")
    if keep_id == merged_id:
        raise DataError("Elija dos necesidades distintas para fusionar.")
    with transaction(bind) as conn:
        # Lock in id order: two people merging the same pair the other way round never deadlock.
        locked = {}
        for need_id in sorted((keep_id, merged_id)):
            expected = keep_version if need_id == keep_id else merged_version
            locked[need_id] = locked_need(conn, need_id, expected)
        (keep, workshop), (gone, _) = locked[keep_id], locked[merged_id]
        if keep["workshop_id"] != gone["workshop_id"]:
            raise DataError("Solo se fusionan necesidades del mismo taller.")
        _refuse_closed(workshop, "fusionar sus necesidades")
        conn.execute(
            text(
                "INSERT INTO need_initiative (need_id, initiative_id, confirmed_by, created_at) "
                "SELECT :k, initiative_id, confirmed_by, created_at FROM need_initiative WHERE need_id = :g "
                "ON CONFLICT DO NOTHING"
            ),
            {"k": keep_id, "g": merged_id},
        )
        _bump_need(
            conn,
            actor,
            "fusionar_necesidad",
            merged_id,
            {"merged_into_id": ":k"},
            {"k": keep_id},
            {"merged_into_id": [None, keep_id]},
        )
        votes = keep["votes"] + gone["votes"]
        return _bump_need(
            conn,
            actor,
            "recibir_fusion",
            keep_id,
            {"votes": ":votes"},
            {"votes": votes},
            {"votes": [keep["votes"], votes], "merged": [None, merged_id]},
        )


def set_need_links(
    bind: Engine | Connection,
    actor: Actor,
    need_id: int,
    initiative_ids: Sequence[int],
    expected_version: int | None = None,
) -> int:
    """Make the initiatives confirmed to answer a need exactly ``initiative_ids``; return its version.

    Allowed on a closed workshop's needs (a planner confirms links after the workshop).
    """
    require(actor, "need_links")
    wanted = sorted(set(initiative_ids))
    with transaction(bind) as conn:
        need = (
            conn.execute(
                text("SELECT id, version, merged_into_id FROM need WHERE id = :i FOR UPDATE"), {"i": need_id}
            )
            .mappings()
            .first()
        )
        if need is None:
            raise DataError(f"La necesidad n.º {need_id} no existe.")
        _check_version(conn, need, expected_version, "need", f"la necesidad n.º {need_id}")
        if need["merged_into_id"] is not None:
            raise DataError(
                f"La necesidad n.º {need_id} fue fusionada en la n.º {need['merged_into_id']}: vincule esa."
            )
        codes: dict[int, str] = dict(
            conn.execute(
                text("SELECT id, code FROM initiative WHERE id = ANY(:ids) AND archived_at IS NULL"),
                {"ids": wanted},
            ).all()
        )
        if len(codes) != len(wanted):
            raise DataError("Una de las iniciativas elegidas no existe o está archivada.")
        before: dict[int, str] = dict(
            conn.execute(
                text(
                    "SELECT i.id, i.code FROM need_initiative l JOIN initiative i ON i.id = l.initiative_id "
                    "WHERE l.need_id = :n"
                ),
                {"n": need_id},
            ).all()
        )
        if set(before) == set(wanted):
            return int(need["version"])
        conn.execute(
            text("DELETE FROM need_initiative WHERE need_id = :n AND NOT initiative_id = ANY(:ids)"),
            {"n": need_id, "ids": wanted},
        )
        conn.execute(
            text(
                "INSERT INTO need_initiative (need_id, initiative_id, confirmed_by) "
                "SELECT :n, unnest(:ids), :by ON CONFLICT DO NOTHING"
            ),
            {"n": need_id, "ids": wanted, "by": actor.describe()},
        )
        changes = {"initiatives": [sorted(before.values()), sorted(codes.values())]}
        return _bump_need(conn, actor, "vincular_necesidad", need_id, {}, {}, changes)
