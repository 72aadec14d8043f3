"""Streamlit glue of the spreadsheet page: cached template/exports, upload preview, import."""

from __future__ import annotations

import io
import logging
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.errors import DataError
from geo.initiatives.filters import MapFilters
from geo.sheets.importer import ImportPlan, ImportResult, apply_import, plan_import
from geo.sheets.schema import Lists
from geo.sheets.writer import export_bytes, write_errors, write_workbook
from geo.uploads import check_upload_size
from layers.sanitize import clean_markdown
from ui import auth
from ui.messages import refused
from ui.state import engine
from ui.tables import show_table
from ui.uploads import file_input

log = logging.getLogger(__name__)

FORMATS = {
    "xlsx": (
        "Excel (.xlsx, forma de la plantilla)",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "csv": ("CSV para Excel (UTF-8, «;»)", "text/csv"),
    "gpkg": ("GeoPackage (.gpkg, EPSG:4326)", "application/geopackage+sqlite3"),
    "geojson": ("GeoJSON (.geojson, EPSG:4326)", "application/geo+json"),
}


@st.cache_data(show_spinner=False, max_entries=4)
def template_bytes(version: str) -> bytes:
    """The empty template for the current catalogue."""
    buf = io.BytesIO()
    with engine().connect() as conn:
        write_workbook([], Lists.load(conn), buf)
    return buf.getvalue()


@st.cache_data(show_spinner="Preparando la exportación…", max_entries=8)
def export_data(key: tuple, version: str, fmt: str) -> bytes:
    """The filtered initiatives in one format."""
    with engine().connect() as conn:
        return export_bytes(conn, fmt, MapFilters(*key))


def plan_upload(name: str, data: bytes) -> ImportPlan:
    """Check and preview an uploaded file (raises DataError with a Spanish message)."""
    check_upload_size(name, len(data))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("planilla" + Path(name).suffix.lower())
        path.write_bytes(data)
        with engine().connect() as conn:
            return plan_import(conn, path, label=name)


def errors_bytes(plan: ImportPlan) -> bytes:
    """The error workbook of a preview."""
    buf = io.BytesIO()
    write_errors(plan.errors, buf)
    return buf.getvalue()


def apply(plan: ImportPlan, strict: bool, overwrite: list[str]) -> ImportResult:
    """Write the previewed rows (one transaction) as the logged-in account; refresh the cached data."""
    actor = auth.actor(f"página Planillas: {plan.file}")
    result = apply_import(engine(), plan, actor, strict=strict, overwrite=overwrite)
    st.cache_data.clear()
    return result


def show_plan(plan: ImportPlan) -> None:
    """Counts, changed rows, rejected rows and approximate places (as plain tables)."""
    counts = plan.counts()
    cols = st.columns(len(counts))
    for col, (label, value) in zip(cols, counts.items(), strict=True):
        col.metric(label.capitalize(), value)
    if plan.ignored_columns:
        st.caption("Columnas ignoradas: " + clean_markdown(", ".join(plan.ignored_columns)))
    st.caption(plan.funding_note)
    changed = plan.by_status("cambios")
    if changed and not plan.has_versions:
        st.caption(
            "La planilla no trae la columna «Versión» (no viene de una exportación): no se puede saber si "
            "otra persona cambió esas iniciativas después. Revise cada cambio."
        )
    if changed:
        st.markdown("**Con cambios** (valor guardado → valor de la planilla)")
        show_table(
            pd.DataFrame(
                [
                    {"Fila": r.row, "Código": r.code, "Campo": c.column, "Antes": c.old, "Después": c.new}
                    for r in changed
                    for c in r.changes
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    new = plan.by_status("nueva")
    if new:
        st.markdown("**Nuevas**")
        show_table(
            pd.DataFrame([{"Fila": r.row, "Código": r.code, "Nombre": r.values.get("name")} for r in new]),
            hide_index=True,
            width="stretch",
        )
    if plan.errors:
        st.markdown("**Rechazadas** (no se importarán)")
        show_table(
            pd.DataFrame(
                [
                    {
                        "Hoja": e.sheet or plan.sheet or "",
                        "Fila": e.row,
                        "Columna": e.column,
                        "Valor": e.value,
                        "Motivo": e.reason,
                    }
                    for e in plan.errors
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    notes = [{"Fila": r.row, "Lugar": n} for r in plan.rows if r.status != "rechazada" for n in r.notes]
    if notes:
        st.markdown("**Lugares reconocidos por aproximación** (revíselos)")
        show_table(pd.DataFrame(notes), hide_index=True, width="stretch")


def conflict_choices(plan: ImportPlan) -> list[str]:
    """Each row in conflict with what differs and who changed it; a checkbox per row to overwrite it.

    Returns the codes the person chose to overwrite.
    """
    conflicts = plan.by_status("conflicto")
    if not conflicts:
        return []
    st.markdown("**En conflicto**: cambiaron en el sistema después de exportar la planilla")
    st.caption(
        "Estas filas no se escriben, para no deshacer lo que otra persona guardó. Marque una fila solo "
        "si la planilla debe reemplazar lo guardado."
    )
    chosen = []
    for r in conflicts:
        assert r.conflict is not None
        with st.container(border=True):
            st.markdown(
                f"Fila {r.row} · **{clean_markdown(r.code)}**: {clean_markdown(r.conflict.describe())}."
            )
            show_table(
                pd.DataFrame(
                    [
                        {
                            "Campo": c.column,
                            "En el sistema": c.old,
                            "En la planilla": c.new,
                            "Cambiado después de exportar": "sí" if c.changed_since_export else "",
                        }
                        for c in r.changes
                    ]
                ),
                hide_index=True,
                width="stretch",
            )
            if st.checkbox(f"Sobrescribir {r.code} con la planilla", key=f"import_overwrite_{r.row}"):
                chosen.append(r.code or "")
    return chosen


def import_section() -> None:
    """2. Importar: upload, preview (nothing written), conflicts, then confirm as the account."""
    st.subheader("2. Importar")
    upload = file_input(
        "Planilla .xlsx o .csv (UTF-8 o Latin-1, separador «;» o «,»)",
        type=["xlsx", "csv"],
        key="upload",
    )
    if upload is None:
        st.session_state.pop("import_plan", None)
    else:
        token = (upload.name, upload.size, upload.file_id)
        if st.session_state.get("import_token") != token:
            st.session_state["import_token"] = token
            st.session_state.pop("import_done", None)
            try:
                st.session_state["import_plan"] = plan_upload(upload.name, upload.getvalue())
                st.session_state.pop("import_error", None)
            except DataError as exc:
                refused(exc)
                st.session_state["import_plan"] = None
                st.session_state["import_error"] = str(exc)
        if st.session_state.get("import_error"):
            st.error(clean_markdown(st.session_state["import_error"]))
        done = st.session_state.get("import_done")
        plan = st.session_state.get("import_plan")
        if done:
            st.success(clean_markdown(done))
        elif plan is not None:
            st.markdown(f"**Vista previa de {clean_markdown(plan.file)}**: nada se ha escrito todavía.")
            show_plan(plan)
            if plan.errors:
                st.download_button(
                    "Descargar errores (.xlsx)",
                    errors_bytes(plan),
                    file_name="errores_importacion.xlsx",
                    mime=FORMATS["xlsx"][1],
                    icon=":material/error:",
                    key="dl_errors",
                )
            overwrite = conflict_choices(plan)
            strict = st.checkbox(
                "Modo estricto: no importar nada si alguna fila fue rechazada", key="import_strict"
            )
            pending = len(plan.by_status("nueva")) + len(plan.by_status("cambios")) + len(overwrite)
            if st.button(
                f"Confirmar importación ({pending} filas)",
                type="primary",
                disabled=pending == 0,
                key="import_confirm",
            ):
                st.session_state.pop("import_error", None)
                try:
                    st.session_state["import_done"] = apply(plan, strict, overwrite).summary()
                except DataError as exc:
                    refused(exc)
                    st.session_state["import_error"] = str(exc)
                st.rerun()
