"""Actividad: the audit log, who changed what and when, before and after (administrador, secplac)."""

import math

import streamlit as st

from geo.activity.labels import ACTIONS, OBJECT_KINDS
from geo.activity.log import ActivityFilter, activity_count, activity_rows, people
from geo.activity.tables import activity_table, activity_xlsx
from geo.domain import format_int
from geo.errors import DataError
from layers.sanitize import clean_markdown
from ui import auth, state
from ui.frame import page_frame
from ui.messages import refused
from ui.tables import show_table

PAGE_ROWS = 25

filters, version = page_frame(__file__)
if not auth.can("activity"):  # page_frame refuses first; this page never runs without the right
    st.stop()
names = auth.can("names")
st.title("Actividad")
st.caption(
    "Quién cambió qué y cuándo, con los valores de antes y después, según el registro de "
    "auditoría (lo más reciente primero)."
)

with state.engine().connect() as conn:
    who = people(conn) if names else {}
c1, c2, c3 = st.columns(3)
person = c1.selectbox(
    "Persona", [None, *who], format_func=lambda p: "Todas" if p is None else who[p], key="act_person"
)
since = c2.date_input("Desde", value=None, format="DD-MM-YYYY", key="act_since")
until = c3.date_input("Hasta", value=None, format="DD-MM-YYYY", key="act_until")
c4, c5, c6 = st.columns(3)
kind = c4.selectbox(
    "Objeto",
    [None, *OBJECT_KINDS],
    format_func=lambda k: "Todos" if k is None else OBJECT_KINDS[k],
    key="act_kind",
)
ref = c5.text_input("Uno solo (código, nombre, usuario o #n.º)", key="act_ref", disabled=kind is None).strip()
action = c6.selectbox(
    "Acción", [None, *ACTIONS], format_func=lambda a: "Todas" if a is None else ACTIONS[a], key="act_action"
)
chosen = ActivityFilter(person, since, until, kind, (ref or None) if kind else None, action)

try:
    with state.engine().connect() as conn:
        total = activity_count(conn, chosen)
        pages = max(1, math.ceil(total / PAGE_ROWS))
        if int(st.session_state.get("act_page", 1)) > pages:
            st.session_state["act_page"] = pages
        left, right = st.columns([1, 4], vertical_alignment="bottom")
        page = int(
            left.number_input(
                f"Página (de {format_int(pages)})", min_value=1, max_value=pages, key="act_page"
            )
        )
        rows = activity_rows(conn, chosen, offset=(page - 1) * PAGE_ROWS, limit=PAGE_ROWS)
except DataError as exc:
    st.error(refused(exc))
    st.stop()

start = (page - 1) * PAGE_ROWS
right.caption(
    f"Filas {format_int(start + 1 if rows else 0)}–{format_int(start + len(rows))} de {format_int(total)}. "
    "La descarga incluye todas las filas de estos filtros."
)
if rows:
    show_table(
        activity_table(rows),
        hide_index=True,
        width="stretch",
        column_config={"Cambios (antes → después)": st.column_config.TextColumn(width="large")},
    )
else:
    st.info(clean_markdown("Sin actividad para estos filtros."))


def _download() -> bytes:
    with state.engine().connect() as conn:
        return activity_xlsx(activity_rows(conn, chosen, show_names=names))


st.download_button(
    "Descargar la actividad filtrada (Excel)",
    data=_download,
    file_name="actividad.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    disabled=not total,
    key="act_download",
)
