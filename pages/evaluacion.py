"""Evaluación del PLADECO: physical and financial progress, territorial and social views, cuts."""

import streamlit as st

from geo.domain import format_int
from geo.evaluation.cuts import OUTCOMES
from geo.evaluation.tables import (
    NO_PROGRESS,
    comparison_table,
    excluded_text,
    group_table,
    initiatives_view,
    pct,
    sector_table,
    social_table,
    territory_table,
)
from geo.evaluation.territorial import SCOPE_NOTE
from geo.investment.labels import NO_AMOUNTS, millions
from layers.sanitize import clean_markdown
from ui import auth
from ui import evaluation as ui
from ui.frame import page_frame
from ui.messages import show_flash
from ui.reports import avance_buttons
from ui.tables import show_table

filters, version = page_frame(__file__)
st.title("Evaluación del PLADECO")
st.caption(
    "Cumplimiento del Plan de Desarrollo Comunal en lo físico, financiero-presupuestario, territorial "
    "y social, con los datos vigentes o con un corte cerrado («estado al 31-12»)."
)
show_flash(ui.FLASH)
all_cuts = ui.cuts()
cut_id = ui.choose_source(all_cuts)
data = ui.evaluation_data(cut_id, "" if cut_id else version, filters.include_demo and cut_id is None)
st.caption(
    clean_markdown(data["source"]["label"])
    + ". Los filtros de la barra lateral no se aplican aquí (el PLADECO se evalúa entero), salvo «Incluir "
    "datos de demostración» para los datos vigentes."
)
if cut_id is not None:
    avance_buttons(cut_id)
with st.expander("¿Cómo se calcula? Reglas de la evaluación"):
    ui.rules()

total = data["summary"]
m1, m2, m3, m4, m5 = st.columns([2, 2, 3, 3, 2])
m1.metric("Avance físico", pct(total["physical_pct"]))
m2.metric("Avance financiero", pct(total["financial_pct"], NO_AMOUNTS))
m3.metric("Programado", millions(total["planned_clp"]))
m4.metric("Ejecutado", millions(total["executed_clp"]) if total["planned_clp"] is not None else NO_AMOUNTS)
m5.metric("Iniciativas incluidas", f"{format_int(total['included'])} de {format_int(total['total'])}")
st.caption("Fuera de los porcentajes: " + excluded_text(total) + ".")
if total["included"] == 0:
    st.info(
        "Ninguna iniciativa tiene un estado informado: el PLADECO no lo da y nadie lo ha registrado, "
        "así que no hay avance que calcular (sin información, nunca 0 %)."
    )

t_plan, t_terr, t_social, t_cuts = st.tabs(["Por estrategia y plan", "Territorial", "Social", "Cortes"])
with t_plan:
    st.subheader("Estado de las iniciativas por estrategia")
    st.altair_chart(ui.status_bars(data["strategies"]), width="stretch")
    st.subheader("Avance por estrategia")
    show_table(group_table(data["strategies"]), hide_index=True, width="stretch")
    by_code = {s["code"]: s for s in data["strategies"]}
    chosen = st.selectbox(
        "Ver los planes y las iniciativas de la estrategia",
        list(by_code),
        format_func=lambda c: f"{c} {by_code[c]['name']}",
        key="eval_strategy",
    )
    show_table(group_table(by_code[chosen]["plans"]), hide_index=True, width="stretch")
    mine = [i for i in data["initiatives"] if i["strategy"] == chosen]
    st.markdown(f"**Iniciativas de {clean_markdown(chosen)}** ({format_int(len(mine))})")
    show_table(initiatives_view(mine), hide_index=True, width="stretch", placeholder=NO_PROGRESS)
    if cut_id is None and auth.can("initiatives"):
        ui.progress_form(mine)

with t_terr:
    st.caption(SCOPE_NOTE)
    st.subheader("Por sector")
    show_table(sector_table(data["territorial"]["by_sector"]), hide_index=True, width="stretch")
    st.subheader("Por unidad vecinal, frente a su parte de la población")
    st.caption(
        "La inversión programada de cada iniciativa se reparte entre sus unidades vecinales según el peso "
        "de cada vínculo (como en Inversión por territorio); la población es la de Brechas."
    )
    show_table(territory_table(data["territorial"]["by_territory"]), hide_index=True, width="stretch")

with t_social:
    st.subheader("Población alcanzada por estrategia")
    show_table(social_table(data["social"]["strategies"]), hide_index=True, width="stretch")
    for note in data["social"]["notes"]:
        st.caption(clean_markdown(note))

with t_cuts:
    closed = [c for c in all_cuts if c["state"] == "cerrada"]
    for c in all_cuts:
        who = f", cerrado por {c['closed_by']}" if c["closed_by"] else ""
        st.markdown(f"- {clean_markdown(ui.cut_label(c) + who)}: {format_int(c['initiatives'])} iniciativas")
    if not all_cuts:
        st.caption("No hay cortes de evaluación.")
    if auth.can("evaluation"):
        ui.cut_forms(all_cuts)
    if len(closed) >= 2:
        st.subheader("Comparar dos cortes")
        ids = {c["id"]: c for c in closed}
        ca, cb = st.columns(2)
        a = ca.selectbox(
            "Corte anterior",
            list(ids)[1:] + list(ids)[:1],
            key="eval_cmp_a",
            format_func=lambda i: ui.cut_label(ids[i]),
        )
        b = cb.selectbox(
            "Corte posterior", list(ids), key="eval_cmp_b", format_func=lambda i: ui.cut_label(ids[i])
        )
        diff = ui.comparison(a, b)
        st.markdown(
            " · ".join(f"{label}: **{diff['counts'][k]}**" for k, label in OUTCOMES.items())
            + f" · Reformuladas: **{diff['rescoped']}**"
        )
        show_table(comparison_table(diff["initiatives"]), hide_index=True, width="stretch")
