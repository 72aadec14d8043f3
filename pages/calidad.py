"""Data-quality page: initiatives without territory, sites sin ubicar, demo data."""

import pandas as pd
import streamlit as st

from geo.domain import SCOPES, TERRITORY_KINDS
from ui import state
from ui.frame import page_frame
from ui.tables import show_table

_, version = page_frame(__file__)
q = state.quality(version)
st.title("Calidad de datos")
c1, c2, c3, c4 = st.columns(4)
c1.metric(
    "Localizadas sin territorio",
    q.localized_without_territory,
    help="Iniciativas que nombran lugares pero no tienen territorio ni geometría.",
)
c2.metric("Comunales (sin territorio, esperado)", q.commune_wide)
c3.metric("Sitios sin ubicar", len(q.unlocated_sites))
c4.metric("Iniciativas de demostración", q.demo_initiatives)
if q.outside_commune:
    st.caption(f"{q.outside_commune} iniciativa(s) se ejecutan fuera de la comuna.")

st.subheader("Sitios sin ubicar")
st.write(
    "Lugares que el plan nombra pero cuya ubicación no está en los datos. Se muestran "
    "aquí hasta que una persona los ubique en el mapa; nunca se inventan coordenadas."
)
show_table(
    pd.DataFrame(
        [
            {
                "Sitio": s["name"],
                "Tipo": TERRITORY_KINDS.get(s["kind"], s["kind"]),
                "Iniciativas vinculadas": s["n"],
                "Fuente": s["source"],
            }
            for s in q.unlocated_sites
        ]
    ),
    hide_index=True,
    width="stretch",
)

st.subheader("Iniciativas sin territorio")
show_table(
    pd.DataFrame(
        [
            {
                "Código": r["code"],
                "Iniciativa": r["name"],
                "Alcance": SCOPES.get(r["scope"], r["scope"]),
            }
            for r in q.without_territory
        ]
    ),
    hide_index=True,
    width="stretch",
    height=420,
)
