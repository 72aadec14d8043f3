"""Spreadsheets page: template, import with preview and confirmation, exports."""

import streamlit as st

from geo.errors import DataError
from geo.initiatives.filters import MapFilters
from geo.uploads import size_hint
from layers.sanitize import clean_markdown
from ui import sheets
from ui.frame import page_frame
from ui.messages import refused
from ui.person import ask_for_name, person_name

filters, version = page_frame()
name = person_name()
st.title("Planillas de iniciativas")

st.subheader("1. Plantilla")
st.write(
    "Una fila por iniciativa, con listas desplegables e instrucciones. Rellénela en Excel y súbala abajo."
)
st.download_button(
    "Descargar plantilla (.xlsx)",
    sheets.template_bytes(version),
    file_name="plantilla_iniciativas.xlsx",
    mime=sheets.FORMATS["xlsx"][1],
    icon=":material/download:",
    key="dl_template",
)

st.subheader("2. Importar")
upload = st.file_uploader(
    "Planilla .xlsx o .csv (UTF-8 o Latin-1, separador «;» o «,»)",
    type=["xlsx", "csv"],
    key="upload",
    help=size_hint(),
)
if upload is None:
    st.session_state.pop("import_plan", None)
else:
    token = (upload.name, upload.size, upload.file_id)
    if st.session_state.get("import_token") != token:
        st.session_state["import_token"] = token
        st.session_state.pop("import_done", None)
        try:
            st.session_state["import_plan"] = sheets.plan_upload(upload.name, upload.getvalue())
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
        sheets.show_plan(plan)
        if plan.errors:
            st.download_button(
                "Descargar errores (.xlsx)",
                sheets.errors_bytes(plan),
                file_name="errores_importacion.xlsx",
                mime=sheets.FORMATS["xlsx"][1],
                icon=":material/error:",
                key="dl_errors",
            )
        overwrite = sheets.conflict_choices(plan)
        strict = st.checkbox(
            "Modo estricto: no importar nada si alguna fila fue rechazada", key="import_strict"
        )
        ask_for_name(name)
        pending = len(plan.by_status("nueva")) + len(plan.by_status("cambios")) + len(overwrite)
        if st.button(
            f"Confirmar importación ({pending} filas)",
            type="primary",
            disabled=pending == 0,
            key="import_confirm",
        ):
            st.session_state.pop("import_error", None)
            try:
                st.session_state["import_done"] = sheets.apply(plan, strict, overwrite, name).summary()
            except DataError as exc:
                refused(exc)
                st.session_state["import_error"] = str(exc)
            st.rerun()

st.subheader("3. Exportar")
st.write("Exporta las iniciativas que cumplen los filtros de la barra lateral.")
fmt = st.selectbox(
    "Formato", list(sheets.FORMATS), format_func=lambda f: sheets.FORMATS[f][0], key="export_format"
)
key = MapFilters(*filters.key()).key()
st.download_button(
    f"Descargar iniciativas ({fmt})",
    sheets.export_data(key, version, fmt),
    file_name=f"iniciativas.{fmt}",
    mime=sheets.FORMATS[fmt][1],
    icon=":material/download:",
    key="dl_export",
)
