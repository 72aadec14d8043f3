"""Spreadsheets page: template, import with preview and confirmation, exports."""

import streamlit as st

from geo.initiatives.filters import MapFilters
from ui import auth, sheets
from ui.frame import page_frame

filters, version = page_frame(__file__)
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

if auth.can("spreadsheets"):
    sheets.import_section()
else:
    st.subheader("2. Importar")
    st.caption(
        "Su rol puede descargar la plantilla y las exportaciones; importar planillas corresponde a "
        "SECPLAC y al administrador."
    )

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
