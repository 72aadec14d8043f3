"""Layer import page: upload an official layer, preview what changes, then confirm."""

import streamlit as st

from geo.domain import TERRITORY_KINDS
from geo.territory.layer_file import ReadOptions
from layers.sanitize import clean_markdown
from ui.frame import page_frame
from ui.territory import layers as capas
from ui.uploads import file_input

page_frame(__file__)
st.title("Importar capas oficiales")
what = st.segmented_control(
    "Qué capa",
    ["Territorios oficiales", "Capas de referencia"],
    default="Territorios oficiales",
    key="capas_que",
)
if what == "Capas de referencia":
    capas.reference_section()
    st.stop()
st.write(
    "Reemplace la capa de unidades vecinales, localidades o sitios con el archivo oficial "
    "del municipio: Shapefile comprimido (.zip con .shp, .shx, .dbf y .prj), GeoPackage o "
    "GeoJSON, en cualquier sistema de coordenadas declarado. Los territorios se reconocen "
    "por su código; nada se escribe hasta que confirme la vista previa."
)

kind = st.selectbox("Tipo de capa", list(TERRITORY_KINDS), format_func=TERRITORY_KINDS.get, key="capas_kind")
upload = file_input("Archivo de la capa", type=["zip", "gpkg", "geojson", "json"], key="capas_file")
with st.expander("Opciones (si el archivo no es la capa nacional o la del INE)"):
    layers = capas.layers_of(upload) if upload else []
    layer = st.selectbox("Capa del GeoPackage", layers, key="capas_layer") if len(layers) > 1 else None
    encoding = st.text_input(
        "Codificación de los atributos (vacío: detectar)",
        key="capas_encoding",
        help="Por ejemplo latin1 o UTF-8; se usa el .cpg si existe.",
    )
    code_field = st.text_input("Campo del código (vacío: detectar)", key="capas_code")
    name_field = st.text_input("Campo del nombre (vacío: detectar)", key="capas_name")

if upload is None:
    st.info("Suba un archivo para ver la vista previa.")
    st.stop()

opts = ReadOptions(
    layer=layer,
    encoding=encoding.strip() or None,
    code_field=code_field.strip() or None,
    name_field=name_field.strip() or None,
)
key = capas.upload_key(upload, kind, opts)
if st.button("Vista previa", type="primary", key="capas_preview_btn"):
    st.session_state[capas.PREVIEW_KEY] = (key, *capas.run_import(upload, kind, opts, dry_run=True))

preview = st.session_state.get(capas.PREVIEW_KEY)
if not preview or preview[0] != key:
    st.stop()
_, report, error = preview
if error:
    st.error(clean_markdown(error))
if report is None:
    st.stop()
capas.show_report(report)
if report.rejected or report.blocked:
    st.stop()
if not report.changes:
    st.success("La capa de la base ya es igual al archivo: no hay nada que importar.")
    st.stop()

accepted = True
if report.orphaned:
    accepted = st.checkbox(
        f"Entiendo que {len(report.orphaned)} vínculo(s) de iniciativas se "
        "perderán porque sus territorios no están en el archivo.",
        key="capas_accept_orphans",
    )
if st.button("Confirmar importación", disabled=not accepted, key="capas_confirm"):
    done, error = capas.run_import(upload, kind, opts, dry_run=False, allow_orphans=accepted)
    st.session_state.pop(capas.PREVIEW_KEY, None)
    if error:
        st.error(clean_markdown(error))
    else:
        st.success(
            f"Capa importada: {len(done.new)} nuevos, {len(done.updated)} actualizados, "
            f"{len(done.removed)} eliminados; {done.geometry_links} vínculos por geometría "
            "recalculados."
        )
