"""Inversión por territorio: how much goes to each UV, per inhabitant, against the commune."""

import streamlit as st

from geo.domain import FUNDING_LINE_SOURCES, format_int
from geo.investment import labels as L
from geo.investment.lines import InvestmentFilters
from geo.investment.tables import breakdown_table, rows_table
from layers.choropleth import CLASS_METHODS
from layers.map import EXTENTS
from layers.sanitize import clean_markdown
from ui import investment as ui
from ui.folium_map import show_folium
from ui.frame import page_frame
from ui.reports import ficha_button
from ui.tables import show_table

filters, version = page_frame(__file__)
st.title("Inversión por territorio")
st.caption(
    "Cuánto se invierte en cada unidad vecinal y localidad rural, por habitante y frente al "
    "promedio comunal, según los montos informados de las iniciativas filtradas."
)
with st.expander("¿Cómo se calcula? Atribución, localidades y promedio comunal"):
    st.markdown(ui.METHOD_HELP)

c_years, c_sources, c_stages = st.columns([2, 2, 1])
sources = c_sources.multiselect(
    "Fuente de financiamiento",
    [*FUNDING_LINE_SOURCES, L.NO_SOURCE],
    format_func=lambda s: L.source_label(None if s == L.NO_SOURCE else s),
    key="inv_sources",
    placeholder="Todas",
)
stages = c_stages.multiselect(
    "Etapa",
    list(L.STAGES),
    format_func=L.stage_label,
    key="inv_stages",
    placeholder="Todas",
)
known_years = ui.years(
    InvestmentFilters(filters, sources=tuple(sources), stages=tuple(stages)).key(), version
)
year_from = year_to = None
if len(known_years) > 1:
    lo, hi = c_years.slider(
        "Años", known_years[0], known_years[-1], (known_years[0], known_years[-1]), key="inv_years"
    )
    if (lo, hi) != (known_years[0], known_years[-1]):  # the whole range keeps lines without a year
        year_from, year_to = lo, hi
else:
    c_years.caption("Años: " + (str(known_years[0]) if known_years else L.NO_YEAR_LABEL))
inv = InvestmentFilters(filters, year_from, year_to, tuple(sources), tuple(stages))
data = ui.investment_payload(inv.key(), version)
report = data["report"]

m1, m2, m3, m4 = st.columns([3, 3, 2, 2])
m1.metric("Inversión filtrada", L.millions(report.total_clp), help=L.money(report.total_clp))
m2.metric("Promedio comunal por habitante", report.commune_per_inhabitant_label)
m3.metric(
    "Iniciativas con monto", f"{format_int(report.n_with_amounts)} de {format_int(report.n_initiatives)}"
)
m4.metric("Población de las UV", format_int(report.uv_population))
if not report.has_amounts:
    st.info(f"Las iniciativas filtradas no tienen montos: {L.NO_AMOUNTS}.")

indicator = (
    st.segmented_control(
        "Indicador",
        list(ui.INDICATORS),
        format_func=ui.INDICATORS.get,
        default="per_inhabitant",
        key="inv_indicator",
    )
    or "per_inhabitant"
)

st.subheader("Ranking de unidades vecinales y localidades")
if report.has_amounts:
    st.altair_chart(ui.ranking_chart(report, indicator), width="stretch")
    if indicator == "per_inhabitant":
        st.caption(
            "La línea roja es el promedio comunal por habitante (lo atribuido a las UV / su población)."
        )
show_table(rows_table(report.ranking()), hide_index=True, width="stretch")
outside = [r for r in report.rows if r.kind not in ("unidad_vecinal", "localidad")]
st.caption(
    "Fuera de las unidades vecinales (se suman al total): las UV más estas filas dan "
    + clean_markdown(L.money(report.total_clp))
    + "."
)
show_table(rows_table(outside), hide_index=True, width="stretch")

st.subheader("Mapa")
col_a, col_b = st.columns(2)
method = col_a.selectbox(
    "Clases del mapa", list(CLASS_METHODS), format_func=CLASS_METHODS.get, key="inv_method"
)
extent = (
    col_b.segmented_control(
        "Encuadre", list(EXTENTS), format_func=lambda k: EXTENTS[k][0], default="comuna", key="inv_extent"
    )
    or "comuna"
)
out = show_folium(
    ui.investment_map(data, version, indicator, method, extent),
    height=560,
    use_container_width=True,
    key="mapa_inversion",
    returned_objects=["last_active_drawing"],
)
props = ((out or {}).get("last_active_drawing") or {}).get("properties") or {}
if props.get("id") is not None and props.get("id") != st.session_state.get("_inv_clicked"):
    st.session_state["_inv_clicked"] = props["id"]
    if report.row(int(props["id"])) is not None:
        st.session_state["inv_territory"] = int(props["id"])

st.subheader("Iniciativas de un territorio")
choices = [r.key for r in report.ranking()] + [r.key for r in outside]
if st.session_state.get("inv_territory") not in choices:
    st.session_state.pop("inv_territory", None)
key = st.selectbox(
    "Territorio (o haga clic en el mapa)",
    choices,
    index=None,
    format_func=lambda k: report.row(k).label,
    key="inv_territory",
    placeholder="Elija una unidad vecinal, localidad o fila",
)
if key is not None:
    ui.show_territory(inv, key, report, version)
    ficha_button(key, inv, version)

st.subheader("Desgloses de la inversión filtrada")
tabs = st.tabs(["Estrategia", "Fuente", "Año", "Etapa", "Estado"])
for tab, dim in zip(tabs, ("strategy", "source", "year", "stage", "status"), strict=True):
    tab.dataframe(breakdown_table(report, dim), hide_index=True, width="stretch")
