"""Streamlit glue of the layer-import page: the uploaded file on disk, preview and import."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.domain import REFERENCE_LAYERS
from geo.errors import DataError
from geo.store.reference import ReferenceReport
from geo.territory.layer_file import ReadOptions, list_layers
from geo.territory.layer_import import LayerRejected, LayerReport, import_territories
from geo.territory.reference import replace_reference_layer
from geo.uploads import check_upload_size
from layers.sanitize import clean_markdown
from ui import auth
from ui.messages import refused
from ui.state import engine
from ui.tables import show_table
from ui.uploads import file_input

log = logging.getLogger(__name__)

PREVIEW_KEY = "capas_preview"


def upload_key(upload, kind: str, opts: ReadOptions) -> str:
    """Identity of a (file, kind, options) choice: a preview belongs to exactly one."""
    digest = hashlib.sha256(upload.getvalue()).hexdigest()[:16]
    return f"{upload.name}|{digest}|{kind}|{opts}"


@contextmanager
def saved(upload) -> Iterator[Path]:
    """The uploaded file written to a private temporary folder (removed afterwards)."""
    check_upload_size(upload.name, upload.size)
    with tempfile.TemporaryDirectory(prefix="sit-subida-") as tmp:
        # Only the base name: a browser-supplied name never chooses the folder.
        path = Path(tmp) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        yield path


def layers_of(upload) -> list[str]:
    """Layers of an uploaded GeoPackage ([] for other formats or unreadable files)."""
    if not upload.name.lower().endswith(".gpkg"):
        return []
    try:
        with saved(upload) as path:
            return list_layers(path, label=upload.name)
    except DataError:
        return []


def run_import(
    upload, kind: str, opts: ReadOptions, *, dry_run: bool, allow_orphans: bool = False
) -> tuple[LayerReport | None, str | None]:
    """Preview or import; return (report, Spanish error message).

    A preview writes nothing; an import is recorded under the logged-in account.
    """
    try:
        # The preview too is asked as the account: the store checks its role before reading.
        actor = auth.actor(f"página Importar capas: {upload.name}")
        with saved(upload) as path:
            report = import_territories(
                engine(),
                path,
                kind,
                opts,
                dry_run=dry_run,
                allow_orphans=allow_orphans,
                actor=actor,
                label=upload.name,
            )
    except LayerRejected as exc:
        refused(exc)
        return exc.report, str(exc)
    except DataError as exc:
        refused(exc)
        return None, str(exc)
    return report, None


def _table(rows: list[dict], columns: dict[str, str]) -> pd.DataFrame:
    present = {k: v for k, v in columns.items() if any(k in r for r in rows)}
    return pd.DataFrame([{label: r.get(key) for key, label in present.items()} for r in rows])


def show_report(report: LayerReport) -> None:
    """The preview: counts, then each list a planner must see before confirming."""
    st.caption(
        clean_markdown(
            f"Capa «{report.layer}» · SRC {report.crs} · codificación "
            f"{report.encoding or 'UTF-8'} · código: "
            f"«{report.code_field or 'derivado del nombre'}» · nombre: «{report.name_field}»"
        )
    )
    cols = st.columns(4)
    for col, (label, value) in zip(cols * 2, report.counts.items(), strict=False):
        col.metric(label.capitalize(), value)
    names = {"code": "Código", "name": "Nombre", "changes": "Cambios"}
    for title, rows in (
        ("Nuevos", report.new),
        ("Actualizados", report.updated),
        ("Eliminados (no están en el archivo)", report.removed),
    ):
        if rows:
            st.markdown(f"**{title}**")
            show_table(_table(rows, names), hide_index=True, width="stretch")
    if report.repaired:
        st.markdown("**Geometrías reparadas**")
        show_table(pd.DataFrame({"Detalle": report.repaired}), hide_index=True, width="stretch")
    if report.rejected:
        st.markdown("**Elementos rechazados**")
        show_table(pd.DataFrame({"Motivo": report.rejected}), hide_index=True, width="stretch")
    if report.orphaned:
        st.markdown("**Vínculos de iniciativas que se perderían**")
        show_table(
            _table(
                report.orphaned,
                {
                    "initiative_code": "Iniciativa",
                    "initiative_name": "Nombre",
                    "territory_code": "Código territorio",
                    "territory_name": "Territorio",
                    "link_method": "Vínculo",
                },
            ),
            hide_index=True,
            width="stretch",
        )
    for line in report.blocked:
        st.error(clean_markdown(line))
    for line in report.warnings:
        st.warning(clean_markdown(line))
    if report.kept_unlocated:
        st.caption(
            f"Se conservan {report.kept_unlocated} territorio(s) sin ubicar que no están "
            "en el archivo (no provienen de una capa)."
        )


REFERENCE_PREVIEW_KEY = "capas_ref_preview"


def run_reference(upload, layer: str, *, dry_run: bool) -> tuple[ReferenceReport | None, str | None]:
    """Preview or replace a reference layer with the uploaded file; (report, Spanish error)."""
    try:
        actor = auth.actor(f"página Importar capas: {upload.name}")
        with saved(upload) as path:
            report = replace_reference_layer(engine(), actor, layer, path, dry_run=dry_run, label=upload.name)
    except DataError as exc:
        refused(exc)
        return None, str(exc)
    return report, None


def reference_section() -> None:
    """Replace a reference layer: choose it, upload the new edition, preview, confirm."""
    st.write(
        "Reemplace una capa de referencia con una nueva edición de su fuente (por ejemplo, los "
        "puntos críticos de SENAPRED del próximo invierno): el mismo tipo de archivo que la capa "
        "cargada, GeoJSON, GeoPackage o Shapefile comprimido, en cualquier sistema de coordenadas "
        "declarado. Los elementos se reconocen por su clave; nada se escribe hasta que confirme."
    )
    layer = st.selectbox(
        "Capa de referencia", list(REFERENCE_LAYERS), format_func=REFERENCE_LAYERS.get, key="capas_ref_layer"
    )
    upload = file_input(
        "Archivo de la nueva edición",
        type=["zip", "gpkg", "geojson", "json"],
        key="capas_ref_file",
    )
    if upload is None:
        st.info("Suba un archivo para ver la vista previa.")
        return
    key = upload_key(upload, layer, ReadOptions())
    if st.button("Vista previa", type="primary", key="capas_ref_preview_btn"):
        st.session_state[REFERENCE_PREVIEW_KEY] = (key, *run_reference(upload, layer, dry_run=True))
    preview = st.session_state.get(REFERENCE_PREVIEW_KEY)
    if not preview or preview[0] != key:
        return
    _, report, error = preview
    if error:
        st.error(clean_markdown(error))
        return
    assert report is not None
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Nuevos", report.created)
    c2.metric("Actualizados", report.updated)
    c3.metric("Eliminados", report.removed)
    c4.metric("Sin cambios", report.unchanged)
    if not (report.created or report.updated or report.removed):
        st.success("La capa de la base ya es igual al archivo: no hay nada que importar.")
        return
    if report.changed_keys:
        st.caption("Claves con cambios: " + clean_markdown(", ".join(report.changed_keys[:30])))
    if st.button("Confirmar el reemplazo", key="capas_ref_confirm"):
        done, error = run_reference(upload, layer, dry_run=False)
        st.session_state.pop(REFERENCE_PREVIEW_KEY, None)
        if error or done is None:
            st.error(clean_markdown(error or ""))
        else:
            st.success(
                f"Capa «{REFERENCE_LAYERS[layer]}» reemplazada: {done.created} nuevos, {done.updated} "
                f"actualizados, {done.removed} eliminados. Los mapas la muestran desde ya."
            )
