"""Import official population figures from the municipality (CSV), replacing the estimate.

File format (UTF-8, comma or semicolon separated, one row per territory)::

    tipo;codigo;poblacion;0 a 5;6 a 14;15 a 64;65 y mas;fuente
    unidad_vecinal;07;2150;;;;;Registro municipal 2024
    localidad;Domeyko;1010;80;150;680;100;Cesfam Domeyko 2024

``codigo`` and ``poblacion`` are required. ``tipo`` (``unidad_vecinal``/``uv`` or
``localidad``) is optional when the code is unambiguous; a UV code may be ``7`` or ``07``;
a locality may be given by its code or its name. The four age columns are optional; when
all four are given they must add up to ``poblacion``. ``fuente`` is optional (default: the
file name). The figure is stored in ``territory.population`` and labelled
``Cifra oficial municipal: <fuente>``; ages go to ``territory.attrs.population_ages``.

Every error names the file, row and column; nothing is written unless the whole file is
valid (one transaction).
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from geo.db import transaction
from geo.errors import DataError
from geo.store.actor import Actor
from geo.store.permissions import require
from geo.store.territories import PopulationFigure, clear_population_figures, set_population_figures
from geo.territory.names import slug
from geo.territory.population import AGE_GROUPS, OFFICIAL_PREFIX
from geo.uploads import check_file
from geo.values import ValueProblem, decode_text, parse_count, parse_text, sniff_delimiter, text_limit

log = logging.getLogger(__name__)

KIND_ALIASES = {
    "unidad_vecinal": "unidad_vecinal",
    "uv": "unidad_vecinal",
    "unidad vecinal": "unidad_vecinal",
    "localidad": "localidad",
    "localidad rural": "localidad",
}


def _read_text(path: Path) -> str:
    check_file(path)  # missing, empty or over the upload cap: refused before reading
    try:
        return decode_text(path.read_bytes(), f"«{path.name}»")
    except ValueProblem as exc:
        raise DataError(str(exc)) from None


def _int(value: str, name: str, where: str) -> int:
    try:
        count = parse_count(value)
    except ValueProblem as exc:
        raise DataError(f"{where}, columna «{name}»: {exc}") from None
    if count is None:
        raise DataError(f"{where}, columna «{name}»: está vacía; se esperaba un número entero ≥ 0.")
    return count


def _text(value: str | None, column: str, field: str, where: str) -> str | None:
    try:
        return parse_text(value, text_limit(field))
    except ValueProblem as exc:
        raise DataError(f"{where}, columna «{column}»: {exc}") from None


def import_official_population(bind: Engine | Connection, path: Path, actor: Actor) -> int:
    """Validate ``path`` and write every figure in one transaction; return the rows written.

    The actor's role is checked (``population``) before the file is read.
    """
    require(actor, "population")
    path = Path(path)
    if not path.is_file():
        raise DataError(f"No existe el archivo «{path}».")
    content = _read_text(path)
    first = content.splitlines()[0] if content.strip() else ""
    delimiter = sniff_delimiter(first)
    reader = csv.DictReader(io.StringIO(content), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in ("codigo", "poblacion") if c not in header]
    if missing:
        raise DataError(
            f"«{path.name}»: faltan las columnas {', '.join(missing)} "
            "(se esperan al menos «codigo» y «poblacion»)."
        )
    with transaction(bind) as conn:
        terr = conn.execute(
            text("SELECT id, kind, code, name FROM territory WHERE kind IN ('unidad_vecinal', 'localidad')")
        ).all()
        by_key: dict[tuple[str, str], int] = {}
        for tid, kind, code, name in terr:
            by_key[(kind, code.upper())] = tid
            by_key.setdefault((kind, slug(name)), tid)
        seen: dict[int, int] = {}
        updates = []
        for n, row in enumerate(reader, start=2):
            where = f"«{path.name}», fila {n}"
            code = _text(row.get("codigo"), "codigo", "territory_code", where) or ""
            if not code:
                raise DataError(f"{where}, columna «codigo»: está vacía.")
            kind_txt = (row.get("tipo") or "").strip().lower()
            if kind_txt and kind_txt not in KIND_ALIASES:
                raise DataError(
                    f"{where}, columna «tipo»: «{row.get('tipo')}» no es «unidad_vecinal» ni «localidad»."
                )
            kinds = [KIND_ALIASES[kind_txt]] if kind_txt else ["unidad_vecinal", "localidad"]
            hits = []
            for kind in kinds:
                key = code.zfill(2) if kind == "unidad_vecinal" and code.isdigit() else slug(code)
                if (kind, key) in by_key:
                    hits.append(by_key[(kind, key)])
            if not hits:
                raise DataError(
                    f"{where}, columna «codigo»: no existe una unidad vecinal ni una "
                    f"localidad con código o nombre «{code}»."
                )
            if len(hits) > 1:
                raise DataError(f"{where}, columna «codigo»: «{code}» es ambiguo; indique la columna «tipo».")
            tid = hits[0]
            if tid in seen:
                raise DataError(f"{where}, columna «codigo»: «{code}» ya aparece en la fila {seen[tid]}.")
            seen[tid] = n
            total = _int(row.get("poblacion") or "", "poblacion", where)
            ages = {a: _int(row.get(a) or "", a, where) for a in AGE_GROUPS if (row.get(a) or "").strip()}
            if len(ages) == len(AGE_GROUPS) and sum(ages.values()) != total:
                raise DataError(
                    f"{where}: los grupos de edad suman {sum(ages.values())} y la "
                    f"columna «poblacion» dice {total}."
                )
            if ages and len(ages) != len(AGE_GROUPS):
                raise DataError(f"{where}: indique los cuatro grupos de edad o ninguno.")
            source = _text(row.get("fuente"), "fuente", "source", where) or path.name
            updates.append(PopulationFigure(tid, total, f"{OFFICIAL_PREFIX}: {source}", ages))
        if not updates:
            raise DataError(f"«{path.name}» no tiene filas de datos.")
        set_population_figures(conn, actor, updates, note={"archivo": path.name})
    return len(updates)


def clear_official_population(bind: Engine | Connection, actor: Actor) -> int:
    """Remove every official figure (the estimate is shown again); return how many."""
    return clear_population_figures(bind, actor)
