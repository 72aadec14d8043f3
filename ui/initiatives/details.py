"""Detail panels for a clicked initiative or territory (plain Streamlit, escaped by design)."""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from geo.domain import (
    BIP_STAGES,
    INITIATIVE_KINDS,
    LINK_METHODS,
    TECHNICAL_RESULTS,
    TERRITORY_KINDS,
    format_int,
    status_label,
)
from geo.initiatives import queries as mapdata
from geo.initiatives.filters import MapFilters
from geo.investment.labels import money
from geo.territory.queries import territory_detail
from layers.sanitize import clean_markdown
from ui import auth, navigation
from ui.initiatives.history import history_tables
from ui.state import engine, population
from ui.tables import show_table

log = logging.getLogger(__name__)


def _text(value) -> str:
    """Show a person-typed value as plain text (Streamlit markdown is not used for it)."""
    return "Sin información" if value in (None, "") else str(value)


def show_initiative(initiative_id: int) -> None:
    """Plan, program, status, amount and territories of one initiative."""
    with engine().connect() as conn:
        d = mapdata.initiative_detail(conn, initiative_id)
    if d is None:
        st.info("La iniciativa ya no existe.")
        return
    st.subheader(clean_markdown(d["code"]))
    st.text(d["name"])
    if navigation.visible("pages/iniciativas.py") and st.button(
        "Editar", key=f"edit_{initiative_id}", icon=":material/edit:"
    ):
        st.session_state["ed_pick_next"] = initiative_id
        st.switch_page("pages/iniciativas.py")
    if d["is_demo"]:
        st.caption("⚠️ Dato sintético de demostración")
    rows = {
        "Tipo": INITIATIVE_KINDS.get(d["kind"], d["kind"]),
        "Estrategia": f"{d['strategy_code']} · {d['strategy_name']}",
        "Plan": _text(d["plan_name"]),
        "Programa": _text(d["program_name"]),
        "Estado": status_label(d["status"]),
        "Monto": money(d["total_clp"]),
        "Fuente de financiamiento": _text(d["sources"]),
        "Unidad responsable": _text(d["responsible_unit"]),
        "Código BIP": _text(d["bip_code"]),
        "Etapa BIP": _text(BIP_STAGES.get(d["bip_stage"], d["bip_stage"])),
        "Resultado técnico": _text(TECHNICAL_RESULTS.get(d["technical_result"], d["technical_result"])),
        "Alcance": d["scope_label"],
    }
    show_table(pd.DataFrame({"Campo": rows.keys(), "Valor": rows.values()}), hide_index=True, width="stretch")
    if d["place_note"]:
        st.caption("Nota de ubicación: " + clean_markdown(d["place_note"]))
    if d["territories"]:
        st.markdown("**Territorios**")
        show_table(
            pd.DataFrame(
                [
                    {
                        "Territorio": t["name"] + (" (sin ubicar)" if t["unlocated"] else ""),
                        "Tipo": TERRITORY_KINDS.get(t["kind"], t["kind"]),
                        "Vínculo": LINK_METHODS.get(t["link_method"], t["link_method"]),
                        "Peso": float(t["weight"]) if t["weight"] is not None else None,
                    }
                    for t in d["territories"]
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    elif d["scope"] == "comunal":
        st.caption("Iniciativa de alcance comunal: no se asigna a un territorio en particular.")
    if d["facilities"]:
        st.markdown("**Establecimientos**")
        show_table(
            pd.DataFrame([{"Establecimiento": f["name"]} for f in d["facilities"]]),
            hide_index=True,
            width="stretch",
        )
    if auth.can("names"):  # every account reads the history; the public sees no names
        with st.expander("Historial de cambios y de estados"):
            history_tables(initiative_id)


def population_text(figure: dict | None) -> tuple[str, str]:
    """(figure as es-CL text, its source) of a territory's population, for the panel."""
    if not figure or figure["population"] is None:
        return "Sin información", "No hay cifra oficial ni estimación censal para este territorio."
    return format_int(figure["population"]), figure["source"] or "Sin fuente"


def show_territory(territory_id: int, filters: MapFilters, version: str) -> None:
    """A territory, its population (the one figure of every page), filtered initiatives, facilities."""
    with engine().connect() as conn:
        d = territory_detail(conn, territory_id, filters)
    if d is None:
        st.info("El territorio ya no existe.")
        return
    label = "UV " + d["code"] + " · " if d["kind"] == "unidad_vecinal" else ""
    st.subheader(clean_markdown(label + d["name"]))
    kind = TERRITORY_KINDS.get(d["kind"], d["kind"])
    if d["kind"] == "sitio":
        st.caption(f"{kind} · fuente: {clean_markdown(d['source'])}")
    else:
        st.caption(f"{kind} · sector {d['sector'] or 'sin información'}")
        figure = population(version).get(territory_id)
        value, source = population_text(figure)
        st.metric("Población", value)
        st.caption("Fuente de la población: " + clean_markdown(source))
        if figure and figure["note"]:
            st.caption(clean_markdown(figure["note"]))
    st.metric("Iniciativas vinculadas (con los filtros)", len(d["initiatives"]))
    if d["initiatives"]:
        show_table(
            pd.DataFrame(
                [
                    {
                        "Código": i["code"],
                        "Iniciativa": i["name"],
                        "Estado": status_label(i["status"]),
                        "Monto": money(i["total_clp"]),
                    }
                    for i in d["initiatives"]
                ]
            ),
            hide_index=True,
            width="stretch",
            height=260,
        )
    if d["facilities"]:
        st.markdown("**Establecimientos en el territorio**")
        show_table(
            pd.DataFrame(
                [
                    {
                        "Establecimiento": f["name"],
                        "Tipo": "Educación" if f["kind"] == "escuela" else "Salud",
                        "Estado": f["operating_status"],
                    }
                    for f in d["facilities"]
                ]
            ),
            hide_index=True,
            width="stretch",
            height=200,
        )
