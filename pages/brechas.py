"""Brechas territoriales: where the plan leaves people out, strategy by strategy."""

import streamlit as st

from geo.coverage.allocation import METRICS
from geo.coverage.gaps import GAP_TYPES
from geo.domain import format_clp, format_int
from layers.choropleth import CLASS_METHODS
from layers.map import EXTENTS
from ui import auth, workshops
from ui import coverage as ui
from ui.folium_map import show_folium
from ui.frame import page_frame
from ui.initiatives.details import show_territory
from ui.reports import ficha_button
from ui.tables import show_table

filters, version = page_frame(__file__)
st.title("Brechas territoriales")
st.caption(
    "Qué unidades vecinales y localidades rurales deja fuera el PLADECO, estrategia por "
    "estrategia, frente a la población que vive en ellas (Censo 2017)."
)
with st.expander("¿Cómo se calcula? Población, asignación de la inversión y acceso"):
    st.markdown(ui.METHOD_HELP)

with st.sidebar.expander("Umbrales de las brechas"):
    share = st.slider("Inversión por habitante bajo el … % del valor comunal", 10, 100, 50, 5, key="b_share")
    health_km = st.slider("Distancia máxima a salud (km)", 1.0, 20.0, 3.0, 0.5, key="b_health")
    school_km = st.slider("Distancia máxima a educación (km)", 1.0, 20.0, 3.0, 0.5, key="b_school")
rules = (share / 100, health_km * 1000, school_km * 1000)
data = ui.coverage_payload(filters.key(), rules, version)
cov = data["cov"]
t = cov.totals

c1, c2, c3, c4 = st.columns(4)
c1.metric("Población de las UV", format_int(t["uv_population"]))
c2.metric("Iniciativas filtradas", format_int(t["initiatives"]))
c3.metric(
    "Inversión asignada",
    format_clp(t["allocated_investment"]),
    help=f"De {format_clp(t['known_investment'])} informados en {t['with_amount']} "
    f"iniciativas; sin asignar a un territorio: {format_clp(t['not_allocated_investment'])}.",
)
c4.metric("Brechas", format_int(len(cov.gaps)))

col_a, col_b, col_c = st.columns(3)
metric = col_a.selectbox("Indicador", list(METRICS), format_func=METRICS.get, key="b_metric")
method = col_b.selectbox(
    "Clases del mapa", list(CLASS_METHODS), format_func=CLASS_METHODS.get, key="b_method"
)
codes = [s["code"] for s in cov.strategies]
names = {s["code"]: f"{s['code']} · {s['name']}" for s in cov.strategies}
strategy = col_c.selectbox(
    "Estrategia del mapa",
    ["__all__", *codes],
    key="b_strategy",
    format_func=lambda c: "Todas las estrategias" if c == "__all__" else names[c],
)

st.subheader(f"Matriz territorio × estrategia: {METRICS[metric]}")
show_table(ui.heatmap(cov.matrix, metric, method), width="stretch", height=560)


@st.fragment
def map_and_detail() -> None:
    col_map, col_detail = st.columns([7, 4], gap="medium")
    with col_map:
        extent = (
            st.segmented_control(
                "Encuadre",
                list(EXTENTS),
                format_func=lambda k: EXTENTS[k][0],
                default="comuna",
                key="b_extent",
            )
            or "comuna"
        )
        shown = None if strategy == "__all__" else strategy
        m, classes = ui.choropleth(data, version, metric, shown, method, extent)
        out = show_folium(
            m,
            height=600,
            use_container_width=True,
            key="mapa_brechas",
            returned_objects=["last_active_drawing"],
        )
    with col_detail:
        props = ((out or {}).get("last_active_drawing") or {}).get("properties") or {}
        if props.get("layer") in ("unidad_vecinal", "localidad"):
            show_territory(int(props["id"]), filters, version)
            ficha_button(int(props["id"]), filters, version)
        else:
            st.info(
                "Haga clic en una unidad vecinal o localidad para ver sus iniciativas y sus establecimientos."
            )


st.subheader("Mapa del indicador")
map_and_detail()

st.subheader("Brechas, de mayor a menor")
kinds = st.multiselect(
    "Tipo de brecha", list(GAP_TYPES), format_func=GAP_TYPES.get, key="b_gap_types", placeholder="Todas"
)
gaps = data["gaps_view"]
shown = gaps[gaps["Brecha"].isin([GAP_TYPES[k] for k in kinds])] if kinds else gaps
show_table(
    shown,
    hide_index=True,
    width="stretch",
    height=420,
    column_config={"Razón": st.column_config.TextColumn(width="large")},
)

with st.expander("Población por territorio (Censo 2017 o cifra oficial del municipio)"):
    show_table(ui.population_table(data), hide_index=True, width="stretch")

st.subheader("Acceso a servicios")
show_table(ui.access_table(data), hide_index=True, width="stretch")

# Only when workshops recorded needs; the public sees the counts, not what residents wrote.
workshops.needs_summary(
    None,
    title="Necesidades de los talleres participativos",
    show_texts=auth.signed_in() is not None,
    empty_note=False,
)

if auth.can("reports"):
    st.subheader("Descargas")
    d1, d2, d3 = st.columns(3)
    d1.download_button(
        "Matriz y brechas (Excel)",
        data["xlsx"],
        file_name="brechas_territoriales.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
    )
    d2.download_button(
        "Matriz (CSV)",
        data["csv_matrix"],
        file_name="matriz_cobertura.csv",
        mime="text/csv",
        icon=":material/download:",
    )
    d3.download_button(
        "Brechas (CSV)",
        data["csv_gaps"],
        file_name="brechas.csv",
        mime="text/csv",
        icon=":material/download:",
    )
