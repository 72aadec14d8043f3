"""Import initiatives from a spreadsheet: validate, preview, then write in one transaction.

:func:`plan_import` reads and validates every row and compares it with the database,
writing nothing: each row is new, changed (which fields), unchanged or rejected (row,
column, Spanish reason). :func:`apply_import` writes the new and changed rows in one
transaction (all or none). The key is the Código, else the Código BIP.

Places in "Ubicación" become ``nombre_lugar`` links (equal weights; a facility also links
the UV that contains it). Re-import replaces an initiative's ``nombre_lugar`` links and
keeps ``manual`` and ``geometria`` ones. Text is stored as typed; pages escape it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from geo.db import transaction
from geo.errors import DataError
from geo.sheets.reader import RawRow, read_table
from geo.sheets.schema import BY_KEY, MAX_LENGTH, CellError, Lists, parse_amount, parse_year, text_value
from geo.territory.gazetteer import Gazetteer, split_places
from geo.territory.links import facility_uvs, place_sets

#: Spreadsheet column -> initiative field (places are compared separately).
FIELDS = {
    "name": "name",
    "kind": "kind",
    "strategy": "strategy_id",
    "plan": "plan_id",
    "program": "program_id",
    "status": "status",
    "scope": "scope",
    "amount": "amount_clp",
    "funding": "funding_source",
    "unit": "responsible_unit",
    "bip": "bip_code",
    "start": "start_year",
    "end": "end_year",
    "description": "description",
    "place_note": "place_note",
}


@dataclass
class RowError:
    """One reason a row is rejected."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"fila {self.row}, columna «{self.column}»: {self.reason}"


@dataclass
class RowPlan:
    """The outcome for one row."""

    row: int
    code: str | None
    status: str  # nueva | cambios | sin_cambios | rechazada
    values: dict = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)  # Spanish column headers
    existing_id: int | None = None
    old_status: str | None = None
    places: list[tuple[str, object]] | None = None  # (written, Place); None = column absent
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    """The whole preview of a file."""

    file: str
    sheet: str | None
    rows: list[RowPlan]
    ignored_columns: list[str]

    def by_status(self, status: str) -> list[RowPlan]:
        """Rows with one outcome."""
        return [r for r in self.rows if r.status == status]

    @property
    def errors(self) -> list[RowError]:
        """Every rejection reason, in row order."""
        return [e for r in self.rows for e in r.errors]

    def counts(self) -> dict[str, int]:
        """Spanish counts for the preview."""
        return {
            "nuevas": len(self.by_status("nueva")),
            "con cambios": len(self.by_status("cambios")),
            "sin cambios": len(self.by_status("sin_cambios")),
            "rechazadas": len(self.by_status("rechazada")),
        }


@dataclass
class ImportResult:
    """What was written."""

    inserted: int
    updated: int
    status_changes: int


def _existing(conn: Connection) -> tuple[dict[str, dict], dict[str, list[str]]]:
    rows = (
        conn.execute(
            text(
                """
        SELECT id, code, name, kind, strategy_id, plan_id, program_id, status, scope, amount_clp,
               funding_source, responsible_unit, bip_code, start_year, end_year, description,
               place_note FROM initiative
        """
            )
        )
        .mappings()
        .all()
    )
    by_code = {r["code"]: dict(r) for r in rows}
    by_bip: dict[str, list[str]] = {}
    for r in rows:
        if r["bip_code"]:
            by_bip.setdefault(r["bip_code"], []).append(r["code"])
    return by_code, by_bip


def _links(conn: Connection) -> dict[int, dict[str, set]]:
    out: dict[int, dict[str, set]] = {}
    for r in conn.execute(text("SELECT initiative_id, territory_id, link_method FROM initiative_territory")):
        d = out.setdefault(
            r.initiative_id, {"t_nl": set(), "t_other": set(), "f_nl": set(), "f_other": set()}
        )
        d["t_nl" if r.link_method == "nombre_lugar" else "t_other"].add(r.territory_id)
    for r in conn.execute(text("SELECT initiative_id, facility_id, link_method FROM initiative_facility")):
        d = out.setdefault(
            r.initiative_id, {"t_nl": set(), "t_other": set(), "f_nl": set(), "f_other": set()}
        )
        d["f_nl" if r.link_method == "nombre_lugar" else "f_other"].add(r.facility_id)
    return out


def _parse_row(raw: RawRow, present: set[str], lists: Lists, gaz: Gazetteer) -> RowPlan:
    plan = RowPlan(raw.number, None, "rechazada")
    v: dict = {}

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
        if key in raw.formulas:
            continue
        cell = raw.cells.get(key)
        try:
            if key == "amount":
                v[key] = parse_amount(cell)
            elif key in ("start", "end"):
                v[key] = parse_year(cell)
            elif key in ("kind", "strategy", "plan", "program", "status", "scope", "funding"):
                s = text_value(cell)
                v[key] = lists.find(key, s) if s else None
            else:
                v[key] = text_value(cell)
                if key in MAX_LENGTH and v[key] and len(v[key]) > MAX_LENGTH[key]:
                    raise CellError(f"demasiado largo (máximo {MAX_LENGTH[key]} caracteres)")
        except CellError as exc:
            fail(key, str(exc))
    plan.code = v.get("code") or None
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
            if not m.ok:
                fail("places", f"«{written}»: {m.problem}")
            else:
                plan.places.append((written, m.place))
                if m.confidence < 100:
                    plan.notes.append(
                        f"«{written}» se interpretó como «{gaz.label(m.place)}» "
                        f"(confianza {m.confidence:.0f})"
                    )
    plan.values = v
    return plan


def _db_values(v: dict, places_given: bool) -> dict:
    out = {}
    for key, fld in FIELDS.items():
        if key not in v:
            continue
        val = v[key]
        if key in ("strategy", "plan", "program"):
            val = val.id if val else None
        elif key in ("kind", "status", "scope", "funding"):
            val = val.code if val else None
        out[fld] = val
    if "status" in v and out.get("status") is None:
        out["status"] = "sin_informacion"
    if "scope" in v and out.get("scope") is None:
        out["scope"] = "localizada" if places_given else "comunal"
    return out


def _same(a, b) -> bool:
    if isinstance(a, str):
        a = a.strip() or None
    if isinstance(b, str):
        b = b.strip() or None
    return a == b


def plan_import(conn: Connection, path: Path, label: str | None = None) -> ImportPlan:
    """Read and validate ``path`` and compare it with the database; write nothing."""
    table = read_table(path, label)
    if not table.rows:
        raise DataError(f"{table.file}: la planilla no tiene filas de iniciativas bajo los encabezados.")
    lists, gaz = Lists.load(conn), Gazetteer.load(conn)
    by_code, by_bip = _existing(conn)
    links, fac_uvs = _links(conn), facility_uvs(conn)
    seen_code: dict[str, int] = {}
    seen_bip: dict[str, int] = {}
    plans: list[RowPlan] = []
    for raw in table.rows:
        rp = _parse_row(raw, table.present, lists, gaz)
        plans.append(rp)
        v = rp.values
        for key, seen in (("code", seen_code), ("bip", seen_bip)):
            val = v.get(key)
            if val and val in seen:
                rp.errors.append(
                    RowError(
                        raw.number,
                        BY_KEY[key].header,
                        val,
                        f"«{val}» está repetido en el archivo (ya en la fila {seen[val]})",
                    )
                )
            elif val:
                seen[val] = raw.number
        if rp.errors:
            rp.status = "rechazada"
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
                rp.status = "rechazada"
                continue
            code = matches[0] if matches else f"BIP-{v['bip']}"
        rp.code = code
        new = _db_values(v, bool(rp.places))
        old = by_code.get(code)
        if old is None:
            rp.status = "nueva"
            rp.values = new
            continue
        rp.existing_id, rp.old_status = old["id"], old["status"]
        rp.changed = [BY_KEY[k].header for k, f in FIELDS.items() if f in new and not _same(new[f], old[f])]
        if rp.places is not None:
            terr, fac = place_sets(rp.places, fac_uvs)
            have = links.get(old["id"], {"t_nl": set(), "t_other": set(), "f_nl": set(), "f_other": set()})
            if terr - have["t_other"] != have["t_nl"] or fac - have["f_other"] != have["f_nl"]:
                rp.changed.append(BY_KEY["places"].header)
        rp.values = new
        rp.status = "cambios" if rp.changed else "sin_cambios"
    return ImportPlan(table.file, table.sheet, plans, table.ignored)


_INSERT = """
INSERT INTO initiative (code, name, kind, strategy_id, plan_id, program_id, status, scope,
    amount_clp, funding_source, responsible_unit, bip_code, start_year, end_year, description,
    place_note, source, is_demo)
VALUES (:code, :name, :kind, :strategy_id, :plan_id, :program_id, :status, :scope, :amount_clp,
    :funding_source, :responsible_unit, :bip_code, :start_year, :end_year, :description,
    :place_note, 'planilla', :is_demo)
"""
DEMO_PREFIX = "DEMO-"
_DEFAULTS = {f: None for f in FIELDS.values()} | {"status": "sin_informacion", "scope": "comunal"}


def apply_import(
    engine: Engine | Connection,
    plan: ImportPlan,
    *,
    strict: bool = False,
    user: str | None = None,
    is_demo: bool = False,
) -> ImportResult:
    """Write the new and changed rows of ``plan`` in one transaction (all or none)."""
    rejected = plan.by_status("rechazada")
    if strict and rejected:
        raise DataError(
            f"{plan.file}: no se importó nada (modo estricto): {len(rejected)} fila(s) "
            f"rechazada(s); la primera: {rejected[0].errors[0]}."
        )
    who = f"importación: {plan.file}"
    new_rows = plan.by_status("nueva")
    changed = plan.by_status("cambios")
    if not new_rows and not changed:
        return ImportResult(0, 0, 0)  # nothing to write: the database is not touched at all
    current = None
    try:
        with transaction(engine) as conn:
            fac_uvs = facility_uvs(conn)
            if new_rows:
                # Demo rows exported and imported back stay demo (codes "DEMO-..." by construction).
                conn.execute(
                    text(_INSERT),
                    [
                        {
                            **_DEFAULTS,
                            **r.values,
                            "code": r.code,
                            "is_demo": is_demo or r.code.startswith(DEMO_PREFIX),
                        }
                        for r in new_rows
                    ],
                )
                ids = dict(
                    conn.execute(
                        text("SELECT code, id FROM initiative WHERE code = ANY(:c)"),
                        {"c": [r.code for r in new_rows]},
                    ).all()
                )
                for r in new_rows:
                    r.existing_id = ids[r.code]
            history, terr_links, fac_links, cleared = [], [], [], []
            for r in changed:
                current = r
                sets = ", ".join(f"{f} = :{f}" for f in r.values)
                conn.execute(
                    text(
                        f"UPDATE initiative SET {sets}{', ' if sets else ''}version = version + 1,"
                        " updated_at = now() WHERE id = :id"
                    ),
                    {**r.values, "id": r.existing_id},
                )
            current = None
            for r in new_rows + changed:
                status = r.values.get("status")
                before = r.old_status if r.status == "cambios" else None
                if status and status != (before or "sin_informacion"):
                    history.append({"i": r.existing_id, "who": who, "to": status, "from": before})
                if r.places is None or (r.status == "cambios" and "Ubicación" not in r.changed):
                    continue
                cleared.append(r.existing_id)
                terr, fac = place_sets(r.places, fac_uvs)
                ref = {p.id: w for w, p in r.places}
                w = round(1 / len(terr), 6) if terr else None
                terr_links += [
                    {
                        "i": r.existing_id,
                        "t": t,
                        "w": w,
                        "ref": "planilla:"
                        + next(
                            (wr for wr, p in r.places if p.id == t and p.target == "territory"),
                            "establecimiento",
                        ),
                    }
                    for t in sorted(terr)
                ]
                fac_links += [{"i": r.existing_id, "f": f, "ref": "planilla:" + ref[f]} for f in sorted(fac)]
            if cleared:
                conn.execute(
                    text(
                        "DELETE FROM initiative_territory WHERE initiative_id = ANY(:ids) "
                        "AND link_method = 'nombre_lugar'"
                    ),
                    {"ids": cleared},
                )
                conn.execute(
                    text(
                        "DELETE FROM initiative_facility WHERE initiative_id = ANY(:ids) "
                        "AND link_method = 'nombre_lugar'"
                    ),
                    {"ids": cleared},
                )
            if terr_links:
                conn.execute(
                    text(
                        """
                    INSERT INTO initiative_territory
                        (initiative_id, territory_id, link_method, weight, place_ref)
                    VALUES (:i, :t, 'nombre_lugar', :w, :ref) ON CONFLICT DO NOTHING
                    """
                    ),
                    terr_links,
                )
            if fac_links:
                conn.execute(
                    text(
                        """
                    INSERT INTO initiative_facility (initiative_id, facility_id, link_method, place_ref)
                    VALUES (:i, :f, 'nombre_lugar', :ref) ON CONFLICT DO NOTHING
                    """
                    ),
                    fac_links,
                )
            if history:
                conn.execute(
                    text(
                        """
                    INSERT INTO status_history
                        (initiative_id, changed_by_name, from_status, to_status, comment)
                    VALUES (:i, :who, :from, :to, 'Cambio de estado importado desde planilla')
                    """
                    ),
                    history,
                )
            conn.execute(
                text(
                    """
                INSERT INTO audit_log (user_name, action, table_name, details)
                VALUES (:u, 'importar_iniciativas', 'initiative', CAST(:d AS jsonb))
                """
                ),
                {
                    "u": user or who,
                    "d": json.dumps(
                        {
                            "archivo": plan.file,
                            **plan.counts(),
                            "estricto": strict,
                            "filas_rechazadas": [r.row for r in rejected],
                        },
                        ensure_ascii=False,
                    ),
                },
            )
    except DataError:
        raise
    except Exception as exc:
        where = f" (fila {current.row}, código «{current.code}»)" if current else ""
        detail = getattr(exc, "orig", None) or exc
        raise DataError(
            f"{plan.file}: no se importó nada: error al escribir{where}: {str(detail).splitlines()[0]}"
        ) from exc
    return ImportResult(len(new_rows), len(changed), len(history))


def import_file(
    engine: Engine,
    path: Path,
    *,
    label: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
    is_demo: bool = False,
) -> tuple[ImportPlan, ImportResult | None]:
    """Plan, then (unless ``dry_run``) apply: the CLI's and the page's one entry point."""
    with engine.connect() as conn:
        plan = plan_import(conn, path, label)
    if dry_run:
        return plan, None
    return plan, apply_import(engine, plan, strict=strict, is_demo=is_demo)
