"""Streamlit glue of «Inversión por territorio»: cached report, ranking chart, choropleth, detail."""

from __future__ import annotations

import logging
from typing import Any

import altair as alt
import folium
import pandas as pd
import streamlit as st

from geo.domain import format_int
from geo.investment import labels as L
from geo.investment.attribution import InvestmentReport, RowKey, investment_report, territory_investment
from geo.investment.lines import InvestmentFilters, line_years
from geo.investment.tables import XLSX_MIME, initiatives_table, territory_xlsx
from geo.territory.queries import base_layers, territory_features
from layers.choropleth import build_choropleth, classify, legend_ranges_html
from layers.sanitize import SanitizedFeatureCollection, clean_feature_collection, clean_markdown, clean_text
from ui import auth
from ui.reference import reference_layers
from ui.state import engine
from ui.tables import show_table

log = logging.getLogger(__name__)

#: What the ranking and the map show: key -> Spanish label.
INDICATORS: dict[str, str] = {"per_inhabitant": "Por habitante", "attributed": "Inversión atribuida"}

METHOD_HELP = f"""
**Inversión atribuida.** Cada monto informado se reparte entre las unidades vecinales a las que
está vinculada la iniciativa, según el peso de cada vínculo (sin peso: partes iguales), en pesos
enteros por el método del resto mayor: las partes de cada monto suman exactamente el monto.
Las iniciativas de alcance comunal van a la fila «Comunal (no territorializable)», las de fuera
de la comuna a «Fuera de la comuna», y las localizadas sin unidad vecinal ubicada (un sitio sin
ubicar) a «Sin territorio». Unidades vecinales + esas filas = total filtrado, al peso.

**Localidades rurales.** Se muestran en el ranking, pero **no se suman**: están dentro de las
unidades vecinales rurales, que ya cuentan esa inversión.

**{L.TOUCHING_LABEL}.** El monto completo de cada iniciativa que toca el territorio; una
iniciativa en tres unidades vecinales cuenta entera en las tres, por eso no se suma.

**Por habitante** usa la población de Brechas (Censo 2017 o cifra oficial, con su fuente). El
**promedio comunal** es lo atribuido a las unidades vecinales dividido por su población.
Donde no hay montos se lee «{L.NO_AMOUNTS}», nunca «$ 0».
"""


@st.cache_data(show_spinner="Calculando la inversión…", max_entries=16)
def investment_payload(key: tuple, version: str) -> dict[str, Any]:
    """The report and the map layers of one filter selection (sanitised once, here)."""
    filters = InvestmentFilters.from_key(key)
    with engine().connect() as conn:
        report = investment_report(conn, filters)
        territories = territory_features(conn, filters.map)
        base = base_layers(conn)
    return {
        "report": report,
        "territories": clean_feature_collection(territories),
        "base": {k: clean_feature_collection(v) for k, v in base.items()},
    }


@st.cache_data(show_spinner=False, max_entries=16)
def years(key: tuple, version: str) -> list[int]:
    """Years of the lines in view (the bounds of the year slider)."""
    with engine().connect() as conn:
        return line_years(conn, InvestmentFilters.from_key(key))


@st.cache_data(show_spinner="Leyendo las iniciativas…", max_entries=32)
def territory_payload(key: tuple, row: RowKey, version: str) -> dict[str, Any]:
    """One territory's initiatives and its .xlsx."""
    with engine().connect() as conn:
        detail = territory_investment(conn, row, InvestmentFilters.from_key(key))
    return {"detail": detail, "xlsx": territory_xlsx(detail)}


def _value(row: Any, indicator: str) -> float | None:
    return row.per_inhabitant if indicator == "per_inhabitant" else row.attributed_clp


def ranking_chart(report: InvestmentReport, indicator: str) -> alt.LayerChart | alt.Chart:
    """Bars of the UVs and localities (largest first) and the commune average per inhabitant."""
    rows = [r for r in report.ranking() if _value(r, indicator) is not None]
    df = pd.DataFrame(
        {
            "Territorio": [r.label for r in rows],
            "Valor": [float(_value(r, indicator) or 0) for r in rows],
            "Tipo": [L.ROW_KINDS[r.kind] for r in rows],
            "Monto": [L.money(r.attributed_clp) for r in rows],
            "Por habitante": [L.per_inhabitant(r.per_inhabitant) for r in rows],
            "Iniciativas": [r.n_initiatives for r in rows],
        }
    )
    pesos = "'$ ' + replace(format(datum.value, ',.0f'), /,/g, '.')"
    bars = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("Valor:Q", title=INDICATORS[indicator] + " (CLP)", axis=alt.Axis(labelExpr=pesos)),
            y=alt.Y("Territorio:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
            color=alt.Color("Tipo:N", legend=alt.Legend(title=None, orient="bottom")),
            tooltip=["Territorio", "Tipo", "Monto", "Por habitante", "Iniciativas"],
        )
    )
    avg = report.commune_per_inhabitant
    if indicator != "per_inhabitant" or avg is None:
        return bars.properties(height=alt.Step(22))
    line = pd.DataFrame({"Valor": [avg], "Referencia": ["Promedio comunal: " + L.money(round(avg))]})
    rule = (
        alt.Chart(line)
        .mark_rule(color="#B2182B", strokeDash=[6, 4], size=2)
        .encode(x="Valor:Q", tooltip=["Referencia"])
    )
    return (bars + rule).properties(height=alt.Step(22))


def investment_map(
    payload: dict[str, Any], version: str, indicator: str, method: str, extent: str
) -> folium.Map:
    """Choropleth of attributed investment (or per inhabitant), with UV names and a legend of ranges.

    ``version``: the run's data version (it keys the reference layers).
    """
    report: InvestmentReport = payload["report"]
    feats = payload["territories"]["features"]
    vals = []
    for f in feats:
        row = report.row(int(f["properties"]["id"]))
        vals.append(_value(row, indicator) if row is not None else None)
    classes = classify(vals, method)
    shown = [
        L.money(round(v)) if v is not None else (L.NO_AMOUNTS if not report.has_amounts else "sin dato")
        for v in vals
    ]
    # The features were sanitised when cached; the added value is escaped here (never twice).
    fc = SanitizedFeatureCollection(
        type="FeatureCollection",
        features=[
            {**f, "properties": {**f["properties"], "clase": c, "valor": clean_text(s)}}
            for f, c, s in zip(feats, classes.index, shown, strict=True)
        ],
    )
    missing = L.NO_AMOUNTS if indicator == "attributed" else f"{L.NO_AMOUNTS} o {L.NO_POPULATION}"
    legend = legend_ranges_html(
        INDICATORS[indicator] + " (CLP)",
        classes,
        lambda v: L.money(round(v)),
        has_missing=any(c < 0 for c in classes.index),
        missing_label=missing,
    )
    return build_choropleth(
        territories=fc,
        base=payload["base"],
        legend_html=legend,
        extent=extent,
        uv_names=True,
        reference=reference_layers(version),
    )


def show_territory(inv: InvestmentFilters, key: RowKey, report: InvestmentReport, version: str) -> None:
    """A territory's figures, its initiatives (largest first) and their .xlsx download."""
    payload = territory_payload(inv.key(), key, version)
    d = payload["detail"]
    r = d.row
    t1, t2, t3 = st.columns(3)
    t1.metric("Inversión atribuida", L.money(r.attributed_clp))
    t2.metric(
        "Por habitante",
        L.per_inhabitant(r.per_inhabitant, r.attributed_clp is not None),
        help="Promedio comunal: " + report.commune_per_inhabitant_label,
    )
    t3.metric(L.TOUCHING_LABEL, L.money(r.touching_clp))
    if r.population_source:
        population = format_int(r.population or 0)
        st.caption(f"Población {population} · fuente: {clean_markdown(r.population_source)}")
    show_table(initiatives_table(d), hide_index=True, width="stretch", key="inv_initiatives")
    if not auth.can("reports"):  # downloads are for accounts that make reports, as on Brechas
        return
    st.download_button(
        "Descargar iniciativas (Excel)",
        payload["xlsx"],
        file_name=f"inversion_{r.code or r.kind}.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        key="inv_download",
    )
