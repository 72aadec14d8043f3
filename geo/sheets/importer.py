"""Import initiatives from a spreadsheet: validate, preview, then write through the one write path.

:func:`plan_import` reads and validates every row and compares it with the database,
writing nothing. Each row is:

- ``nueva``: its code is not in the database;
- ``cambios``: it differs from the database; the preview lists every changed field as
  old -> new;
- ``sin_cambios``;
- ``conflicto``: the initiative changed in the database after the file was exported (the
  file's "Versión" is not the database's) and the file differs from it: the preview shows
  the database value, the file value, and who changed it when. It is written only when
  the person chooses to overwrite that row;
- ``rechazada``: row, column and Spanish reason.

:func:`apply_import` writes the new and changed rows (and the conflicts the person chose to
overwrite) with :func:`geo.store.initiatives.save_initiatives`, in one transaction (all or
none): only changed fields are written, each change is audited with before and after values,
status changes enter the status history. If a row changes in the database between the
preview and the confirmation, nothing is written.

Funding lines (issue 11) come from the sheet «Financiamiento» (one row per line, keyed by
the Código): for every initiative of the «Iniciativas» sheet, its rows there are *all* its
lines, compared with the stored ones as one field, "Financiamiento", with the same
preview, conflicts and error workbook (an initiative listed with no row there keeps no
line). A row whose Código is not in the «Iniciativas» sheet is rejected. A workbook without
that sheet (a CSV, an export made before the lines existed) leaves every initiative's
lines as they are, and the preview says so.

The key is the Código, else the Código BIP. Places in "Ubicación" become ``nombre_lugar``
links (equal weights; a facility also links the UV that contains it); re-importing replaces
the place links and keeps the links made by hand or from the geometry.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

from geo.db import transaction
from geo.domain import field_label, format_datetime
from geo.errors import ConflictError, DataError, database_refusal
from geo.initiatives.funding import FundingLineInput, LineProblem, read_line
from geo.investment.labels import line_label
from geo.sheets.reader import RawRow, Table, read_funding_table, read_table
from geo.sheets.schema import BY_KEY, FUNDING_BY_KEY, FUNDING_SHEET, TEXT_FIELDS, Lists
from geo.store.actor import Actor
from geo.store.audit import Entry, record, saves_since
from geo.store.bulk import gc_paused
from geo.store.funding import FundingLineValues, lines_change, stored_lines
from geo.store.initiatives import InitiativeChange, same_value, save_initiatives
from geo.store.links import LinkSet, PlaceLinks, current_links, place_links_change
from geo.store.permissions import require
from geo.territory.gazetteer import Gazetteer, Place, split_places
from geo.territory.links import facility_uvs, place_sets
from geo.values import ValueProblem, parse_count, parse_text, parse_year, text_limit

log = logging.getLogger(__name__)

#: Spreadsheet column -> initiative column (places are compared separately).
FIELDS = {
    "code": "code",
    "name": "name",
    "kind": "kind",
    "strategy": "strategy_id",
    "plan": "plan_id",
    "program": "program_id",
    "status": "status",
    "scope": "scope",
    "unit": "responsible_unit",
    "bip": "bip_code",
    "bip_stage": "bip_stage",
    "technical_result": "technical_result",
    "start": "start_year",
    "end": "end_year",
    "description": "description",
    "place_note": "place_note",
}
LISTED = ("kind", "strategy", "plan", "program", "status", "scope", "bip_stage", "technical_result")
#: The column of the preview (and the audit's field) that holds an initiative's funding lines.
FUNDING_COLUMN = field_label("funding")
DEMO_PREFIX = "DEMO-"
EMPTY = "(vacío)"


@dataclass
class RowError:
    """One reason a row is rejected."""

    row: int
    column: str
    value: str
    reason: str
    sheet: str | None = None  # None: the initiatives sheet; else «Financiamiento»

    def __str__(self) -> str:
        where = f"hoja «{self.sheet}», " if self.sheet else ""
        return f"{where}fila {self.row}, columna «{self.column}»: {self.reason}"


@dataclass
class FieldChange:
    """One changed field as the preview shows it: column, database value, file value."""

    column: str
    old: str
    new: str
    changed_since_export: bool = False  # someone changed this field after the file's version

    def __str__(self) -> str:
        return f"{self.column}: {self.old} → {self.new}"


@dataclass
class Conflict:
    """Why a row is in conflict: the database moved on after the file was exported."""

    file_version: int
    db_version: int
    by: str | None
    at: datetime | None
    fields: list[str]  # Spanish labels of the fields changed since the file's version

    def describe(self) -> str:
        """Spanish: who changed it, when, which fields, and the versions."""
        who = self.by or "otra persona o un proceso"
        what = f" ({', '.join(self.fields)})" if self.fields else ""
        return (
            f"{who} la cambió el {format_datetime(self.at)}{what}, después de la exportación "
            f"(versión del archivo {self.file_version}, versión actual {self.db_version})"
        )


@dataclass
class RowPlan:
    """The outcome for one row."""

    row: int
    code: str | None
    status: str  # nueva | cambios | sin_cambios | conflicto | rechazada
    values: dict[str, Any] = field(default_factory=dict)  # initiative columns, database types
    changes: list[FieldChange] = field(default_factory=list)
    existing_id: int | None = None
    db_version: int | None = None
    file_version: int | None = None
    places: list[tuple[str, Place]] | None = None  # (written, place); None = column absent
    place_links: PlaceLinks | None = None
    conflict: Conflict | None = None
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    funding: list[FundingLineValues] | None = None  # None: the workbook has no funding sheet

    @property
    def changed(self) -> list[str]:
        """The Spanish headers of the changed columns."""
        return [c.column for c in self.changes]


@dataclass
class ImportPlan:
    """The whole preview of a file."""

    file: str
    sheet: str | None
    rows: list[RowPlan]
    ignored_columns: list[str]
    has_versions: bool = False
    has_funding: bool = False
    #: Rows of «Financiamiento» whose Código is not in «Iniciativas» (rejected, nothing else).
    funding_errors: list[RowError] = field(default_factory=list)

    def by_status(self, status: str) -> list[RowPlan]:
        """Rows with one outcome."""
        return [r for r in self.rows if r.status == status]

    @property
    def errors(self) -> list[RowError]:
        """Every rejection reason, in row order (the funding sheet's own rows last)."""
        return [e for r in self.rows for e in r.errors] + self.funding_errors

    @property
    def funding_note(self) -> str:
        """What the import does with the funding lines, in Spanish (for the preview)."""
        if self.has_funding:
            return (
                f"La hoja «{FUNDING_SHEET}» reemplaza todas las líneas de financiamiento de cada "
                "iniciativa de la hoja «Iniciativas» (una iniciativa sin filas allí queda sin líneas)."
            )
        return (
            f"La planilla no tiene la hoja «{FUNDING_SHEET}»: las líneas de financiamiento de las "
            "iniciativas quedan como están."
        )

    def counts(self) -> dict[str, int]:
        """Spanish counts for the preview."""
        return {
            "nuevas": len(self.by_status("nueva")),
            "con cambios": len(self.by_status("cambios")),
            "en conflicto": len(self.by_status("conflicto")),
            "sin cambios": len(self.by_status("sin_cambios")),
            "rechazadas": len(self.by_status("rechazada")),
        }


@dataclass
class ImportResult:
    """What was written."""

    inserted: int
    updated: int
    status_changes: int
    overwritten: list[str] = field(default_factory=list)
    conflicts_left: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One Spanish sentence for the page and the console."""
        text_ = (
            f"Importación terminada: {self.inserted} nuevas, {self.updated} actualizadas, "
            f"{self.status_changes} cambios de estado registrados."
        )
        if self.overwritten:
            text_ += f" Sobrescritas tras conflicto: {', '.join(self.overwritten)}."
        if self.conflicts_left:
            text_ += f" No se escribieron (en conflicto): {', '.join(self.conflicts_left)}."
        return text_


# --- reading a row ---------------------------------------------------------------------------


def _parse_row(
    raw: RawRow, present: set[str], lists: Lists, gaz: Gazetteer
) -> tuple[RowPlan, dict[str, Any]]:
    plan = RowPlan(raw.number, None, "rechazada")
    v: dict[str, Any] = {}

    def fail(key: str, reason: str) -> None:
        value = raw.cells.get(key)
        plan.errors.append(
            RowError(raw.number, BY_KEY[key].header, "" if value is None else str(value), reason)
        )

    for key in sorted(raw.formulas):
        fail(
            key,
            f"la celda contiene una fórmula ({str(raw.cells[key])[:40]}); las fórmulas no "
            "se evalúan: escriba el valor",
        )
    for key in present:
        if key in raw.formulas or key == "modified":
            continue
        cell = raw.cells.get(key)
        try:
            if key in ("start", "end"):
                v[key] = parse_year(cell)
            elif key == "version":
                v[key] = parse_count(cell)
            elif key in LISTED:
                s = parse_text(cell)
                v[key] = lists.find(key, s) if s else None
            else:
                v[key] = parse_text(cell, text_limit(TEXT_FIELDS.get(key, key)))
        except ValueProblem as exc:
            fail(key, str(exc).rstrip("."))
    plan.code = v.get("code") or None
    plan.file_version = v.get("version")
    if not plan.errors:
        for key in ("name", "kind", "strategy"):
            if v.get(key) is None:
                fail(key, "falta el valor (columna obligatoria)")
        if not v.get("code") and not v.get("bip"):
            fail("code" if "code" in present else "bip", "falta el Código (o el Código BIP)")
        s, p, g = v.get("strategy"), v.get("plan"), v.get("program")
        if s and p and p.parent != s.code:
            fail("plan", f"el plan «{p.code}» no pertenece a la estrategia «{s.code}»")
        if p and g and g.parent != p.code:
            fail("program", f"el programa «{g.code}» no pertenece al plan «{p.code}»")
        if g and not p and "plan" in present:
            fail("plan", "falta el plan del programa indicado")
        if v.get("start") and v.get("end") and v["end"] < v["start"]:
            fail("end", f"el término ({v['end']}) es anterior al inicio ({v['start']})")
    if "places" in present and "places" not in raw.formulas:
        plan.places = []
        for written in split_places(v.get("places")):
            m = gaz.match(written)
            if not m.ok or m.place is None:
                fail("places", f"«{written}»: {m.problem}")
            else:
                plan.places.append((written, m.place))
                if m.confidence < 100:
                    plan.notes.append(
                        f"«{written}» se interpretó como «{gaz.label(m.place)}» "
                        f"(confianza {m.confidence:.0f})"
                    )
    return plan, v


def _db_values(v: dict[str, Any], places_given: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, column in FIELDS.items():
        if key not in v:
            continue
        val = v[key]
        if key in ("strategy", "plan", "program"):
            val = val.id if val else None
        elif key in ("kind", "status", "scope", "bip_stage", "technical_result"):
            val = val.code if val else None
        out[column] = val
    if "status" in v and out.get("status") is None:
        out["status"] = "sin_informacion"
    if "scope" in v and out.get("scope") is None:
        out["scope"] = "localizada" if places_given else "comunal"
    return out


class _Shown:
    """Database and file values as a person reads them in the preview."""

    def __init__(self, lists: Lists):
        self.by_id = {
            (key, c.id): c.label for key in ("strategy", "plan", "program") for c in lists.lists[key] if c.id
        }
        self.lists = lists

    def __call__(self, column: str, value: Any) -> str:
        if value is None or value == "":
            return EMPTY
        key = next(k for k, c in FIELDS.items() if c == column)
        if key in ("strategy", "plan", "program"):
            return self.by_id.get((key, value), str(value))
        if key in ("kind", "status", "scope", "bip_stage", "technical_result"):
            return self.lists.label_of(key, value)
        return str(value)


def _place_links(places: list[tuple[str, Place]], fac_uvs: dict[int, list[int]]) -> PlaceLinks:
    terr, fac = place_sets(places, fac_uvs)
    t_ref = {p.id: w for w, p in places if p.target == "territory"}
    f_ref = {p.id: w for w, p in places if p.target == "facility"}
    return PlaceLinks(
        {t: "planilla:" + t_ref.get(t, "establecimiento") for t in sorted(terr)},
        {f: "planilla:" + f_ref[f] for f in sorted(fac)},
    )


def _place_labels(have: LinkSet, gaz: Gazetteer) -> str:
    by_key = {(p.target, p.id): p for p in gaz.places}
    terr, fac = have.places(None)
    labels = [gaz.label(by_key[("territory", t)]) for t in terr if ("territory", t) in by_key]
    labels += [gaz.label(by_key[("facility", f)]) for f in fac if ("facility", f) in by_key]
    return "; ".join(sorted(labels)) or EMPTY


# --- the preview -----------------------------------------------------------------------------


_EXISTING = text(
    """
    SELECT id, code, version, updated_at, archived_at, name, kind, strategy_id, plan_id, program_id,
           status, scope, responsible_unit, bip_code, bip_stage, technical_result, start_year,
           end_year, description, place_note
      FROM initiative
    """
)


@gc_paused()
def plan_import(conn: Connection, path: Path, label: str | None = None) -> ImportPlan:
    """Read and validate ``path`` and compare it with the database; write nothing."""
    table = read_table(path, label)
    if not table.rows:
        raise DataError(f"{table.file}: la planilla no tiene filas de iniciativas bajo los encabezados.")
    funding_table = read_funding_table(path, label)
    funding = _FundingRows(funding_table)
    lists, gaz = Lists.load(conn), Gazetteer.load(conn)
    shown = _Shown(lists)
    rows = conn.execute(_EXISTING).all()
    by_code = {r.code: r for r in rows}
    by_bip: dict[str, list[str]] = {}
    for r in rows:
        if r.bip_code:
            by_bip.setdefault(r.bip_code, []).append(r.code)
    links = current_links(conn, [r.id for r in rows])
    stored = stored_lines(conn, [r.id for r in rows]) if funding_table is not None else {}
    fac_uvs = facility_uvs(conn)
    seen: dict[str, dict[str, int]] = {"code": {}, "bip": {}}
    plans: list[RowPlan] = []
    for raw in table.rows:
        rp, v = _parse_row(raw, table.present, lists, gaz)
        plans.append(rp)
        for key in ("code", "bip"):
            val = v.get(key)
            if val and val in seen[key]:
                rp.errors.append(
                    RowError(
                        raw.number,
                        BY_KEY[key].header,
                        val,
                        f"«{val}» está repetido en el archivo (ya en la fila {seen[key][val]})",
                    )
                )
            elif val:
                seen[key][val] = raw.number
        if rp.errors:
            continue
        code = v.get("code")
        if not code:
            matches = by_bip.get(v["bip"], [])
            if len(matches) > 1:
                rp.errors.append(
                    RowError(
                        raw.number,
                        BY_KEY["bip"].header,
                        v["bip"],
                        "el Código BIP corresponde a varias iniciativas: escriba el Código",
                    )
                )
                continue
            code = matches[0] if matches else f"BIP-{v['bip']}"
        rp.code = code
        if funding_table is not None:
            rp.errors += funding.errors.get(code, [])
            if rp.errors:
                continue
            rp.funding = funding.lines.get(code, [])
        new = _db_values({**v, "code": code}, bool(rp.places))
        if rp.places is not None:
            rp.place_links = _place_links(rp.places, fac_uvs)
        old = by_code.get(code)
        rp.values = new
        if old is None:
            rp.status = "nueva"
            continue
        if old.archived_at is not None:
            rp.errors.append(
                RowError(
                    raw.number,
                    BY_KEY["code"].header,
                    code,
                    f"la iniciativa {code} está archivada: restáurela antes de importarla (página "
                    f"Iniciativas o «sit initiative restore {code}»)",
                )
            )
            continue
        rp.existing_id, rp.db_version = old.id, old.version
        for key, column in FIELDS.items():
            if column in new and not same_value(new[column], getattr(old, column)):
                rp.changes.append(
                    FieldChange(
                        BY_KEY[key].header, shown(column, getattr(old, column)), shown(column, new[column])
                    )
                )
        have = links.get(old.id, LinkSet())
        if rp.place_links is not None and place_links_change(have, rp.place_links):
            after = "; ".join(sorted(gaz.label(p) for _, p in rp.places or [])) or EMPTY
            rp.changes.append(FieldChange(BY_KEY["places"].header, _place_labels(have, gaz), after))
        if rp.funding is not None and (fc := lines_change(stored[old.id], rp.funding)):
            rp.changes.append(FieldChange(FUNDING_COLUMN, _lines_text(fc[0]), _lines_text(fc[1])))
        if not rp.changes:
            rp.status = "sin_cambios"
        elif rp.file_version is not None and rp.file_version != old.version:
            since = saves_since(conn, "initiative", old.id, min(rp.file_version, old.version))
            rp.conflict = Conflict(
                rp.file_version, old.version, since.by, since.at or old.updated_at, since.labels()
            )
            changed_since = set(since.labels())
            labels = {BY_KEY[k].header: _field_label(k) for k in BY_KEY} | {FUNDING_COLUMN: FUNDING_COLUMN}
            for c in rp.changes:
                c.changed_since_export = labels.get(c.column) in changed_since
            rp.status = "conflicto"
        else:
            rp.status = "cambios"
    listed = {p.code for p in plans if p.code}
    for p in plans:  # a row rejected for its own cells: its lines' problems are listed too
        if p.errors and p.code and p.funding is None:
            p.errors += [e for e in funding.errors.get(p.code, []) if e not in p.errors]
    unknown = [e for code, errs in funding.unknown(listed).items() for e in errs]
    return ImportPlan(
        table.file,
        table.sheet,
        plans,
        table.ignored + (funding_table.ignored if funding_table else []),
        "version" in table.present,
        has_funding=funding_table is not None,
        funding_errors=unknown,
    )


class _FundingRows:
    """The «Financiamiento» sheet read line by line, grouped by Código (empty when absent)."""

    def __init__(self, table: Table | None):
        self.lines: dict[str, list[FundingLineValues]] = {}
        self.errors: dict[str, list[RowError]] = {}
        self.rows: dict[str, list[int]] = {}
        if table is None:
            return
        sheet = table.sheet or FUNDING_SHEET
        for raw in table.rows:
            code = parse_text(raw.cells.get("code")) if "code" not in raw.formulas else None
            errs = self.errors.setdefault(code or "", [])
            self.rows.setdefault(code or "", []).append(raw.number)

            def fail(key: str, reason: str, raw: RawRow = raw, errs: list[RowError] = errs) -> None:
                value = raw.cells.get(key)
                header = FUNDING_BY_KEY[key].header
                errs.append(RowError(raw.number, header, "" if value is None else str(value), reason, sheet))

            for key in sorted(raw.formulas):
                fail(
                    key,
                    f"la celda contiene una fórmula ({str(raw.cells[key])[:40]}); las fórmulas no "
                    "se evalúan: escriba el valor",
                )
            if raw.formulas:
                continue
            if not code:
                fail("code", "falta el Código de la iniciativa")
                continue
            cells = {k: raw.cells.get(k) for k in ("source", "source_detail", "year", "amount", "stage")}
            try:
                line = read_line(
                    FundingLineInput(
                        cells["source"],
                        cells["source_detail"],
                        cells["year"],
                        cells["amount"],
                        cells["stage"],
                    )
                )
            except LineProblem as exc:
                fail("amount" if exc.field == "amount_clp" else exc.field, str(exc).rstrip("."))
                continue
            self.lines.setdefault(code, []).append(line)
        self.errors = {c: e for c, e in self.errors.items() if e}

    def unknown(self, listed: set[str]) -> dict[str, list[RowError]]:
        """Rows whose Código names no initiative of the «Iniciativas» sheet (each one rejected)."""
        out: dict[str, list[RowError]] = {}
        for code, numbers in self.rows.items():
            if code and code not in listed:
                out[code] = [
                    RowError(
                        n,
                        FUNDING_BY_KEY["code"].header,
                        code,
                        f"el Código «{code}» no está en la hoja «Iniciativas»: agregue la iniciativa allí "
                        "o borre la fila",
                        FUNDING_SHEET,
                    )
                    for n in numbers
                ]
        return out


def _lines_text(lines: list[dict[str, Any]]) -> str:
    """Funding lines as the preview shows them (audit form, :mod:`geo.store.funding`)."""
    shown = [
        line_label(ln["source"], ln["source_detail"], ln["year"], ln["amount_clp"], ln["stage"])
        for ln in lines
    ]
    return "; ".join(shown) or EMPTY


def _field_label(key: str) -> str:
    """The label the audit uses (geo.domain.FIELD_LABELS) for a spreadsheet column."""
    return field_label(FIELDS.get(key, key))


# --- writing -------------------------------------------------------------------------------------


@gc_paused()
def apply_import(
    bind: Engine | Connection,
    plan: ImportPlan,
    actor: Actor,
    *,
    strict: bool = False,
    overwrite: Collection[str] = (),
    is_demo: bool = False,
) -> ImportResult:
    """Write the new and changed rows of ``plan`` (and the chosen conflicts) in one transaction.

    Args:
        bind: engine or connection.
        plan: the preview the person saw.
        actor: who imports.
        strict: refuse everything when any row was rejected.
        overwrite: codes of rows in conflict that the person chose to write anyway.
        is_demo: flag new rows as demo data (demo rows exported and imported back stay demo).

    Raises:
        DataError: strict mode with rejections, an overwrite code that is not in conflict, or
            an initiative that changed after the preview (nothing is written).
        NotAuthorised: the actor's role may not import spreadsheets (or change initiatives).
    """
    require(actor, "spreadsheets")
    rejected = plan.by_status("rechazada")
    if strict and (rejected or plan.funding_errors):
        first = rejected[0].errors[0] if rejected else plan.funding_errors[0]
        raise DataError(
            f"{plan.file}: no se importó nada (modo estricto): "
            f"{len(rejected) + len(plan.funding_errors)} fila(s) rechazada(s); la primera: {first}."
        )
    conflicts = {r.code or "": r for r in plan.by_status("conflicto")}
    if unknown := sorted(set(overwrite) - set(conflicts)):
        raise DataError(
            f"{plan.file}: no hay conflicto que sobrescribir con el código {', '.join(unknown)} "
            "(solo se sobrescriben filas en conflicto de la vista previa)."
        )
    chosen = [conflicts[c] for c in overwrite]
    todo = plan.by_status("nueva") + plan.by_status("cambios") + chosen
    left = [c for c in conflicts if c not in set(overwrite)]
    if not todo:
        return ImportResult(0, 0, 0, conflicts_left=left)  # nothing to write: the database is not touched
    todo.sort(key=lambda r: r.row)
    changes = [
        InitiativeChange(
            values=r.values,
            id=r.existing_id,
            expected_version=r.db_version,
            place_links=r.place_links,
            funding=r.funding,
            status_comment=f"Cambio de estado importado desde la planilla {plan.file}",
            source="planilla",
            is_demo=is_demo or (r.code or "").startswith(DEMO_PREFIX),
            where=f"la iniciativa de la fila {r.row} (código {r.code})",
            note={
                "archivo": plan.file,
                "fila": r.row,
                **({"sobrescrita_tras_conflicto": True} if r in chosen else {}),
            },
        )
        for r in todo
    ]
    try:
        with transaction(bind) as conn:
            results = save_initiatives(conn, actor, changes)
            record(
                conn,
                actor,
                [
                    Entry(
                        "importar_planilla",
                        None,
                        None,
                        {
                            "archivo": plan.file,
                            **plan.counts(),
                            "estricto": strict,
                            "sobrescritas": [r.code for r in chosen],
                            "conflictos_sin_escribir": left,
                            "filas_rechazadas": [r.row for r in rejected],
                        },
                    )
                ],
            )
    except ConflictError as exc:
        log.info("import refused: a row changed after the preview", exc_info=True)
        raise DataError(
            f"{plan.file}: no se importó nada: una iniciativa cambió después de la vista previa. {exc} "
            "Vuelva a generar la vista previa."
        ) from exc
    except DataError:
        raise
    except Exception as exc:
        log.exception("spreadsheet import failed while writing")
        raise DataError(
            f"{plan.file}: no se importó nada: error al escribir: {database_refusal(exc)}"
        ) from exc
    # A status change is a changed status, or a new initiative that does not start "sin información".
    status_changes = sum(
        1
        for r in results
        if (r.changes.get("status") or [None, "sin_informacion"])[1] != "sin_informacion"
        or ("status" in r.changes and not r.created)
    )
    return ImportResult(
        inserted=sum(1 for r in results if r.created),
        updated=sum(1 for r in results if r.changed and not r.created),
        status_changes=status_changes,
        overwritten=[r.code or "" for r in chosen],
        conflicts_left=left,
    )
