"""Writes to initiatives: create, change, archive, restore, and remove demo rows.

:func:`save_initiatives` is the one function that creates and changes initiatives, for the
form, the spreadsheet import, the catalogue loader, the demo generator and the evaluation's
entered progress alike. For each
change it checks the version the caller saw (when given), compares every given field with
the stored row and writes only what differs (the funding lines as a whole,
:mod:`geo.store.funding`), keeps the links (by hand, by place name,
from the geometry) consistent, records status history and writes one audit row per
initiative with each changed field's before and after values. All in the caller's
transaction, or in one of its own: all or nothing. Each function first checks the actor's
role (:mod:`geo.store.permissions`: ``initiatives``, or ``demo`` to remove demo rows).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import shapely
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import IntegrityError

from geo.db import transaction
from geo.errors import DataError, ValidationError, database_refusal
from geo.store.actor import Actor
from geo.store.audit import Entry, conflict_error, record
from geo.store.bulk import gc_paused, rows_table
from geo.store.funding import FundingLineValues, canonical, lines_change, replace_lines, stored_lines
from geo.store.links import (
    LinkSet,
    PlaceLinks,
    current_links,
    place_links_change,
    set_hand_links,
    set_place_links,
    territory_names,
)
from geo.store.permissions import require
from geo.territory.links import link_by_geometry
from geo.values import ValueProblem, parse_text

log = logging.getLogger(__name__)

#: The columns a change may set, in the form's order.
COLUMNS: tuple[str, ...] = (
    "code",
    "name",
    "kind",
    "strategy_id",
    "plan_id",
    "program_id",
    "status",
    "scope",
    "responsible_unit",
    "bip_code",
    "bip_stage",
    "technical_result",
    "start_year",
    "end_year",
    "description",
    "place_note",
)
#: What a change compares and writes: the columns above, and the physical progress that the
#: evaluation records for an initiative (:func:`geo.store.evaluation.set_progress`). A new
#: initiative has no progress.
_CHANGED_COLUMNS: tuple[str, ...] = (*COLUMNS, "progress_pct")
_CATALOGUE_COLUMNS = {"strategy_id": "strategy", "plan_id": "plan", "program_id": "program"}
#: PostgreSQL type of each column's values (for the batch statements of :mod:`geo.store.bulk`).
_TYPES = {
    "code": "text",
    "name": "text",
    "kind": "text",
    "strategy_id": "int",
    "plan_id": "int",
    "program_id": "int",
    "status": "text",
    "scope": "text",
    "responsible_unit": "text",
    "bip_code": "text",
    "bip_stage": "text",
    "technical_result": "text",
    "start_year": "smallint",
    "end_year": "smallint",
    "description": "text",
    "place_note": "text",
    "progress_pct": "smallint",
    "source": "text",
    "is_demo": "boolean",
    "wkb": "bytea",
}


@dataclass
class InitiativeChange:
    """What to write for one initiative (a new one when ``id`` is None).

    Attributes:
        values: column -> new value (database types: ids, codes, ints); only the columns
            given are compared and written.
        id: the initiative to change; None creates one.
        expected_version: the version the person saw; a different stored version refuses
            the change (:class:`~geo.errors.ConflictError`). None skips the check (loaders).
        geometry: new geometry as WKB in EPSG:4326, or None to remove it; only used when
            ``set_geometry`` is true.
        hand_links: the territories linked by hand or by place name that the initiative
            must have (the form's "Territorios"); None leaves them as they are.
        place_links: links from place names to set; None leaves them as they are.
        funding: the initiative's funding lines, all of them (its money: source, year,
            amount, stage); None leaves the stored lines as they are. Compared as a whole with
            the stored lines and, when different, written with the initiative's version and
            audited as the field ``funding``.
        status_comment: saved in the status history when the status changes.
        source, is_demo: for a new initiative only.
        where: how messages name this initiative ("esta iniciativa", "la iniciativa de la fila 12
            (código X)"); default: "la iniciativa <code>".
        note: extra details for the audit row (a file name, a row number).
    """

    values: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    expected_version: int | None = None
    geometry: bytes | None = None
    set_geometry: bool = False
    hand_links: Sequence[int] | None = None
    place_links: PlaceLinks | None = None
    funding: Sequence[FundingLineValues] | None = None
    status_comment: str | None = None
    source: str = "manual"
    is_demo: bool = False
    where: str | None = None
    note: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SaveResult:
    """The saved initiative: id, version now, and what changed (field -> [before, after])."""

    id: int
    version: int
    created: bool = False
    changes: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """True when anything was written."""
        return self.created or bool(self.changes)


# --- comparing -------------------------------------------------------------------------------


def same_value(a: Any, b: Any) -> bool:
    """Equal as a person reads them: blank text is no value, spaces around text don't count."""
    if isinstance(a, str):
        a = a.strip() or None
    if isinstance(b, str):
        b = b.strip() or None
    return bool(a == b)


def _same_geometry(a: bytes | None, b: bytes | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(shapely.from_wkb(bytes(a)).equals_exact(shapely.from_wkb(bytes(b)), 1e-9))


def _geometry_summary(wkb: bytes | None) -> str | None:
    """A geometry as the audit keeps it: GeoJSON with six decimals (about 10 cm)."""
    if wkb is None:
        return None
    return shapely.to_geojson(shapely.set_precision(shapely.from_wkb(bytes(wkb)), 1e-6))


def _catalogue_codes(conn: Connection, changes: list[dict[str, list[Any]]]) -> dict[tuple[str, int], str]:
    ids: dict[str, set[int]] = {c: set() for c in _CATALOGUE_COLUMNS}
    for ch in changes:
        for col in _CATALOGUE_COLUMNS:
            for v in ch.get(col, []):
                if v is not None:
                    ids[col].add(int(v))
    if not any(ids.values()):
        return {}
    rows = conn.execute(
        text(
            """
            SELECT 'strategy_id' AS col, id, code FROM strategy WHERE id = ANY(:s)
            UNION ALL SELECT 'plan_id', id, code FROM plan WHERE id = ANY(:p)
            UNION ALL SELECT 'program_id', id, code FROM program WHERE id = ANY(:g)
            """
        ),
        {"s": sorted(ids["strategy_id"]), "p": sorted(ids["plan_id"]), "g": sorted(ids["program_id"])},
    )
    return {(r.col, r.id): r.code for r in rows}


def _readable(changes: dict[str, list[Any]], codes: dict[tuple[str, int], str]) -> dict[str, list[Any]]:
    """Catalogue ids as codes (``E1.P2``), so the audit reads without joins."""
    out = {}
    for col, pair in changes.items():
        if col in _CATALOGUE_COLUMNS:
            out[_CATALOGUE_COLUMNS[col]] = [None if v is None else codes.get((col, int(v)), v) for v in pair]
        else:
            out[col] = pair
    return out


# --- saving ----------------------------------------------------------------------------------


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
        log.exception("write refused by the database")
        raise DataError(f"No se guardó: {database_refusal(exc)}") from exc


@gc_paused()
def save_initiatives(
    bind: Engine | Connection, actor: Actor, changes: Sequence[InitiativeChange]
) -> list[SaveResult]:
    """Create and change initiatives in one transaction; return one result per change, in order.

    Raises:
        ConflictError: an initiative changed after the version its change was made on.
        DataError: an initiative no longer exists, is archived, or the database refuses a value.
        ValidationError: a code or BIP code was saved by someone else at the same moment.
        NotAuthorised: the actor's role may not change initiatives (nothing is written).
    """
    require(actor, "initiatives")
    if not changes:
        return []
    with _unique_violations(), transaction(bind) as conn:
        results = _save(conn, actor, list(changes))
    log.info(
        "initiatives written by %s (%s): %d new, %d changed, %d unchanged",
        actor.name,
        actor.via,
        sum(r.created for r in results),
        sum(r.changed and not r.created for r in results),
        sum(not r.changed for r in results),
    )
    return results


def _save(conn: Connection, actor: Actor, changes: list[InitiativeChange]) -> list[SaveResult]:
    results: dict[int, SaveResult] = {}
    entries: list[Entry] = []
    history: list[dict[str, Any]] = []
    relink: set[int] = set()
    creates = [(n, c) for n, c in enumerate(changes) if c.id is None]
    updates = [(n, c) for n, c in enumerate(changes) if c.id is not None]

    # Updates: lock the rows, check versions, compare.
    planned: list[tuple[int, InitiativeChange, Any, dict[str, list[Any]]]] = []
    if updates:
        ids = [c.id for _, c in updates]
        rows = {
            r.id: r
            for r in conn.execute(
                text(
                    f"SELECT id, version, archived_at, {', '.join(_CHANGED_COLUMNS)}, "
                    "ST_AsBinary(geom) AS wkb FROM initiative WHERE id = ANY(:ids) ORDER BY id FOR UPDATE"
                ),
                {"ids": ids},
            )
        }
        links = current_links(conn, [i for i in ids if i is not None])
        money = stored_lines(conn, [c.id for _, c in updates if c.id is not None and c.funding is not None])
        for n, c in updates:
            assert c.id is not None
            row = rows.get(c.id)
            label = c.where or f"la iniciativa {c.values.get('code') or (row.code if row else c.id)}"
            if row is None:
                raise DataError(f"{_cap(label)} ya no existe: otra persona la eliminó.")
            if row.archived_at is not None:
                raise DataError(f"{_cap(label)} está archivada: restáurela antes de cambiarla.")
            if c.expected_version is not None and row.version != c.expected_version:
                raise conflict_error(conn, "initiative", c.id, c.expected_version, row.version, label)
            diff = {
                col: [getattr(row, col), c.values[col]]
                for col in _CHANGED_COLUMNS
                if col in c.values and not same_value(getattr(row, col), c.values[col])
            }
            if c.set_geometry and not _same_geometry(row.wkb, c.geometry):
                diff["geometry"] = [_geometry_summary(row.wkb), _geometry_summary(c.geometry)]
            have = links[c.id]
            if c.hand_links is not None and have.hand() != sorted(set(c.hand_links)):
                diff["territories"] = [have.hand(), sorted(set(c.hand_links))]
            if c.place_links is not None and (pc := place_links_change(have, c.place_links)):
                diff["places"] = list(pc)
            if c.funding is not None and (fc := lines_change(money[c.id], c.funding)):
                diff["funding"] = fc
            planned.append((n, c, row, diff))

    # Write the updates, grouped by the set of columns they change (one statement per group).
    groups: dict[tuple[tuple[str, ...], bool], list[dict[str, Any]]] = {}
    for n, c, row, diff in planned:
        if not diff:
            results[n] = SaveResult(row.id, row.version)
            continue
        cols = tuple(col for col in _CHANGED_COLUMNS if col in diff)
        groups.setdefault((cols, "geometry" in diff), []).append(
            {"id": row.id, "wkb": c.geometry, **{col: c.values[col] for col in cols}}
        )
    for (cols, geom), group in groups.items():
        sets = [f"{col} = v.{col}" for col in cols]
        types = {"id": "int", **{col: _TYPES[col] for col in cols}}
        if geom:
            sets.append("geom = ST_SetSRID(ST_GeomFromWKB(v.wkb), 4326)")
            types["wkb"] = "bytea"
        source, params = rows_table(types, group)
        conn.execute(
            text(
                f"UPDATE initiative i SET {', '.join([*sets, 'version = i.version + 1'])} "
                f"FROM {source} WHERE i.id = v.id"
            ),
            params,
        )
    replace_lines(
        conn,
        {row.id: c.funding for _, c, row, diff in planned if "funding" in diff and c.funding is not None},
    )
    for n, c, row, diff in planned:
        if not diff:
            continue
        if "territories" in diff:
            assert c.hand_links is not None
            set_hand_links(conn, row.id, sorted(set(c.hand_links)))
        if "status" in diff:
            history.append(
                {
                    "i": row.id,
                    "u": actor.user_id,
                    "n": actor.name,
                    "f": row.status,
                    "t": c.values["status"],
                    "c": c.status_comment,
                }
            )
        if diff.keys() & {"geometry", "territories", "places"}:
            relink.add(row.id)
        results[n] = SaveResult(row.id, row.version + 1, changes=diff)
    place_changes = [
        (row.id, c.place_links) for _, c, row, diff in planned if "places" in diff and c.place_links
    ]

    # Creates: one multi-row INSERT ... RETURNING, in the order given.
    if creates:
        new_rows: list[dict[str, Any]] = []
        for _, c in creates:
            values = {col: c.values.get(col) for col in COLUMNS}
            values["status"] = values["status"] or "sin_informacion"
            values["scope"] = values["scope"] or "comunal"
            new_rows.append(
                {
                    **values,
                    "source": c.source,
                    "is_demo": c.is_demo,
                    "wkb": c.geometry if c.set_geometry else None,
                }
            )
        new_ids = _insert(conn, new_rows)
        replace_lines(conn, {i: c.funding for (_, c), i in zip(creates, new_ids, strict=True) if c.funding})
        for (n, c), new_id, p in zip(creates, new_ids, new_rows, strict=True):
            diff = {col: [None, p[col]] for col in COLUMNS if p[col] is not None}
            if p["wkb"] is not None:
                diff["geometry"] = [None, _geometry_summary(p["wkb"])]
            if c.funding:
                diff["funding"] = [[], [ln.as_audit() for ln in canonical(c.funding)]]
            if c.hand_links:
                set_hand_links(conn, new_id, sorted(set(c.hand_links)))
                diff["territories"] = [[], sorted(set(c.hand_links))]
            if c.place_links is not None and (c.place_links.territories or c.place_links.facilities):
                place_changes.append((new_id, c.place_links))
                diff["places"] = list(place_links_change(LinkSet(), c.place_links) or ([], []))
            history.append(
                {
                    "i": new_id,
                    "u": actor.user_id,
                    "n": actor.name,
                    "f": None,
                    "t": p["status"],
                    "c": c.status_comment,
                }
            )
            relink.add(new_id)
            results[n] = SaveResult(new_id, 1, created=True, changes=diff)

    if place_changes:
        set_place_links(conn, place_changes)
    if relink:
        link_by_geometry(conn, initiative_ids=sorted(relink))
    if history:
        source, params = rows_table({"i": "int", "f": "text", "t": "text", "c": "text"}, history)
        conn.execute(
            text(
                f"""
                INSERT INTO status_history (initiative_id, changed_by_id, changed_by_name, from_status,
                                            to_status, comment)
                SELECT v.i, :u, :n, v.f, v.t, v.c FROM {source} ORDER BY v.ord
                """
            ),
            {**params, "u": actor.user_id, "n": actor.name},
        )
    written = [(n, r) for n, r in sorted(results.items()) if r.changed]
    names = territory_names(
        conn,
        {
            t
            for _, r in written
            for pair in [r.changes.get("territories")]
            if pair
            for t in (*pair[0], *pair[1])
        },
    )
    codes = _catalogue_codes(conn, [r.changes for _, r in written])
    for n, r in written:
        ch = dict(r.changes)
        if "territories" in ch:
            ch["territories"] = [[names.get(t, t) for t in side] for side in ch["territories"]]
        c = changes[n]
        details: dict[str, Any] = {"version": r.version, "changes": _readable(ch, codes), **c.note}
        if r.created:
            details["source"] = c.source
            if c.is_demo:
                details["demo"] = True
        entries.append(
            Entry("crear_iniciativa" if r.created else "editar_iniciativa", "initiative", r.id, details)
        )
    record(conn, actor, entries)
    return [results[n] for n in range(len(changes))]


def _insert(conn: Connection, params: list[dict[str, Any]]) -> list[int]:
    """Insert rows in one statement and return their ids in the same order."""
    cols = [*COLUMNS, "source", "is_demo"]
    source, binds = rows_table({c: _TYPES[c] for c in [*cols, "wkb"]}, params)
    rows = conn.execute(
        text(
            f"""
            INSERT INTO initiative ({", ".join(cols)}, geom)
            SELECT {", ".join(f"v.{c}" for c in cols)}, ST_SetSRID(ST_GeomFromWKB(v.wkb), 4326)
              FROM {source} ORDER BY v.ord
            RETURNING id, code
            """
        ),
        binds,
    ).all()
    by_code = {r.code: r.id for r in rows}
    return [by_code[p["code"]] for p in params]


def _cap(text_: str) -> str:
    return text_[:1].upper() + text_[1:]


# --- archive, restore, demo rows -------------------------------------------------------------


def set_archived(
    bind: Engine | Connection,
    actor: Actor,
    initiative_id: int,
    archived: bool,
    expected_version: int | None = None,
    reason: str | None = None,
) -> SaveResult:
    """Archive an initiative (it leaves maps, counts and exports) or restore it; nothing is deleted.

    Raises:
        ConflictError: it changed after ``expected_version``.
        DataError: it does not exist, or is already in that state.
        NotAuthorised: the actor's role may not change initiatives.
    """
    require(actor, "initiatives")
    try:
        reason = parse_text(reason)
    except ValueProblem as exc:
        raise ValidationError({"reason": str(exc)}) from None
    with transaction(bind) as conn:
        row = conn.execute(
            text("SELECT id, code, name, version, archived_at FROM initiative WHERE id = :i FOR UPDATE"),
            {"i": initiative_id},
        ).first()
        if row is None:
            raise DataError("La iniciativa ya no existe.")
        if expected_version is not None and row.version != expected_version:
            raise conflict_error(
                conn, "initiative", row.id, expected_version, row.version, f"la iniciativa «{row.name}»"
            )
        if (row.archived_at is not None) == archived:
            state = "archivada" if archived else "activa (no está archivada)"
            raise DataError(f"La iniciativa {row.code} ya está {state}.")
        version = conn.execute(
            text(
                "UPDATE initiative SET archived_at = CASE WHEN :a THEN now() END, version = version + 1 "
                "WHERE id = :i RETURNING version"
            ),
            {"a": archived, "i": row.id},
        ).scalar_one()
        changes = {"archived": [not archived, archived]}
        details: dict[str, Any] = {"version": version, "changes": changes, "code": row.code}
        if reason and reason.strip():
            details["motivo"] = reason.strip()
        record(
            conn,
            actor,
            [
                Entry(
                    "archivar_iniciativa" if archived else "restaurar_iniciativa",
                    "initiative",
                    row.id,
                    details,
                )
            ],
        )
    log.info("initiative %s %s by %s", row.code, "archived" if archived else "restored", actor.name)
    return SaveResult(row.id, version, changes=changes)


def delete_demo(bind: Engine | Connection, actor: Actor) -> int:
    """Delete every demo initiative (and demo workshops and needs); return how many initiatives."""
    require(actor, "demo")
    with transaction(bind) as conn:
        conn.execute(text("DELETE FROM need WHERE is_demo"))
        conn.execute(text("DELETE FROM workshop WHERE is_demo"))
        gone = conn.execute(text("DELETE FROM initiative WHERE is_demo RETURNING id, code, version")).all()
        record(
            conn,
            actor,
            [
                Entry(
                    "eliminar_iniciativa",
                    "initiative",
                    r.id,
                    {"version": r.version, "code": r.code, "demo": True},
                )
                for r in gone
            ],
        )
        return len(gone)
