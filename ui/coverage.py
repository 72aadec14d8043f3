"""Streamlit glue of the «Brechas territoriales» page: cached coverage, heat map, choropleth."""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
import streamlit as st

from geo.coverage.allocation import METRICS, GapRules, compute_coverage
from geo.coverage.export import gaps_table, matrix_table, to_csv, to_xlsx
from geo.domain import format_clp, format_int
from geo.initiatives.filters import MapFilters
from geo.territory.queries import base_layers, territory_features
from layers.choropleth import build_choropleth, class_colour, classify, legend_ranges_html
from layers.sanitize import clean_feature_collection
from ui.reference import reference_layers
from ui.state import engine

log = logging.getLogger(__name__)

METHOD_HELP = """
**Población por territorio (Censo 2017).** El censo entrega personas por zona urbana y por
localidad rural (código `geocodigo`: comuna, distrito, área 1 urbana / 2 rural, zona o
localidad), en cuatro grupos de edad.

* **Zonas urbanas:** la población de cada zona se reparte entre sus manzanas INE 2016 en
  proporción al **área de cada manzana** (el paquete no trae conteos por manzana): la gente
  vive en las manzanas, no en las calles ni en el lecho del río.
* **Localidades rurales:** se suman por distrito censal y se reparten en el área del
  distrito **fuera de las zonas urbanas**.
* Cada manzana o resto rural se divide entre las unidades vecinales que toca según el
  área compartida; así nadie se pierde ni se cuenta dos veces: la suma de las UV es el total
  censal de las unidades con polígono (las 721 personas del distrito 99 «no ubicables» del
  censo no tienen polígono y se informan aparte). Se redondea por grupo de edad con el
  método del resto mayor.
* Una **localidad rural** muestra la población rural de su distrito censal (la que atiende);
  si dos localidades comparten distrito, ambas muestran esa cifra.
* Una **cifra oficial** importada por el municipio (`sit population import`) reemplaza la
  estimación y se rotula «Cifra oficial municipal».

**Inversión asignada.** Las iniciativas vinculadas a varios territorios se reparten según el
peso de cada vínculo; las de alcance comunal, entre las UV según su proporción de población
(no a las localidades, que están dentro de las UV). Lo vinculado a sitios sin ubicar queda
«sin asignar». **Acceso:** distancia promedio, ponderada por población, al establecimiento de
salud y al educacional en funcionamiento más cercano (metros, UTM 19S); en las UV rurales la
población rural se supone repartida en el área, lo que alarga las distancias.
"""


def _num(v: float, decimals: int = 2) -> str:
    return f"{v:,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def format_metric(metric: str, value: Any) -> str:
    """A metric value as a Spanish text (CLP for money)."""
    if value is None or value != value:
        return "Sin población"
    if metric in ("inversion", "inversion_per_capita"):
        return format_clp(value)
    if metric == "por_mil":
        return _num(float(value))
    return format_int(value)


@st.cache_data(show_spinner="Calculando brechas…", max_entries=16)
def coverage_payload(key: tuple, rules: tuple, version: str) -> dict[str, Any]:
    """Coverage, map layers and export files for one filter selection and rule set."""
    filters = MapFilters(*key)
    cov = compute_coverage(engine(), filters, GapRules(*rules))  # an engine: two connections at once
    with engine().connect() as conn:
        territories = territory_features(conn, filters)
        base = base_layers(conn)
    matrix_view, gaps_view = matrix_table(cov), gaps_table(cov)
    population = cov.territories[["label", "population", "source"]].rename(
        columns={"label": "Territorio", "population": "Población", "source": "Fuente"}
    )
    return {
        "cov": cov,
        "territories": territories,
        "base": {k: clean_feature_collection(v) for k, v in base.items()},
        "matrix_view": matrix_view,
        "gaps_view": gaps_view,
        "xlsx": to_xlsx({"Matriz": matrix_view, "Brechas": gaps_view, "Población": population}),
        "csv_matrix": to_csv(matrix_view),
        "csv_gaps": to_csv(gaps_view),
    }


def territory_values(matrix: pd.DataFrame, metric: str, strategy: str | None) -> pd.Series:
    """The metric per territory id for one strategy, or for all strategies together."""
    m = matrix if strategy is None else matrix[matrix["strategy_code"] == strategy]
    g = m.groupby("tid").agg(
        n=("n_iniciativas", "sum"), inv=("inversion", "sum"), pop=("population", "first")
    )
    pop = g["pop"].astype(float).where(g["pop"].astype(float) > 0)
    return {
        "n_iniciativas": g["n"].astype(float),
        "inversion": g["inv"],
        "inversion_per_capita": g["inv"] / pop,
        "por_mil": g["n"] * 1000.0 / pop,
    }[metric]


def heatmap(matrix: pd.DataFrame, metric: str, method: str) -> Any:
    """The territory x strategy table of ``metric``, cells coloured by class."""
    pivot = matrix.pivot_table(
        index="label", columns="strategy_code", values=metric, aggfunc="first", sort=False, dropna=False
    )
    order = matrix.drop_duplicates("label")["label"]
    pivot = pivot.reindex(order)
    pivot.index.name = "Territorio"
    flat = pivot.to_numpy().ravel().tolist()
    classes = classify(flat, method)
    # Dark classes (3, 4) get white text so the figures stay readable on a projector.
    colours = iter(
        [f"background-color: {class_colour(c)}" + ("; color: white" if c >= 3 else "") for c in classes.index]
    )
    css = pd.DataFrame(
        [[next(colours) for _ in pivot.columns] for _ in pivot.index],
        index=pivot.index,
        columns=pivot.columns,
    )
    return pivot.style.apply(lambda _: css, axis=None).format(lambda v: format_metric(metric, v))


def choropleth(
    data: dict[str, Any], version: str, metric: str, strategy: str | None, method: str, extent: str = "comuna"
):
    """The folium map of the metric (and the classes, for the caption).

    ``version``: the run's data version (it keys the reference layers).
    """
    values = territory_values(data["cov"].matrix, metric, strategy)
    feats = data["territories"]["features"]
    vals = [values.get(f["properties"]["id"]) for f in feats]
    classes = classify(vals, method)
    fc = {
        "type": "FeatureCollection",
        "features": [
            {**f, "properties": {**f["properties"], "clase": c, "valor": format_metric(metric, v)}}
            for f, c, v in zip(feats, classes.index, vals, strict=True)
        ],
    }
    title = METRICS[metric] + (f" · {strategy}" if strategy else " · todas las estrategias")
    legend = legend_ranges_html(
        title, classes, lambda v: format_metric(metric, v), has_missing=any(c < 0 for c in classes.index)
    )
    reference = reference_layers(version)
    return build_choropleth(
        territories=fc, base=data["base"], legend_html=legend, extent=extent, reference=reference
    ), classes


def access_table(data: dict[str, Any]) -> pd.DataFrame:
    """Access to services per territory, in Spanish."""
    cov = data["cov"]
    a = cov.access.merge(cov.territories[["id", "label", "population"]], on="id")
    return pd.DataFrame(
        {
            "Territorio": a["label"],
            "Población": a["population"],
            "Distancia a salud (m)": a["health_m"].round(0),
            "Distancia a educación (m)": a["school_m"].round(0),
            "Salud en el territorio": a["health_inside"],
            "Educación en el territorio": a["schools_inside"],
            "Ponderada por población": a["weighted"].map({True: "Sí", False: "No (punto del lugar)"}),
        }
    )


def population_table(data: dict[str, Any]) -> pd.DataFrame:
    """Population shown for every territory, with its source (estimate or official)."""
    t = data["cov"].territories
    return pd.DataFrame(
        {
            "Territorio": t["label"],
            "Población": t["population"],
            "Origen": t["official"].map({True: "Cifra oficial municipal", False: "Estimación"}),
            "Fuente": t["source"].fillna("—"),
            "Nota": t["note"].fillna(""),
        }
    )
