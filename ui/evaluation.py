"""Streamlit glue of «Evaluación del PLADECO»: cached evaluations, the source choice, charts, cuts.

A closed cut never changes, so its evaluation is cached by its id alone; the live data's by
the data version (and the demo switch). Writes (creating and closing cuts) go through
:mod:`geo.store.evaluation` as the account logged in, drawn only for ``evaluation``.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import altair as alt
import streamlit as st
from streamlit import session_state as ss

from geo.domain import CUT_STATES
from geo.errors import DataError
from geo.evaluation.cuts import compare, list_cuts
from geo.evaluation.progress import progress_table
from geo.evaluation.report import RULES, evaluation, uv_territories
from geo.evaluation.rollup import WEIGHTINGS
from geo.evaluation.snapshot import initiative_version
from geo.evaluation.tables import status_counts
from geo.store.evaluation import close_cut, create_cut, set_progress
from layers.sanitize import clean_markdown
from ui import auth
from ui.messages import flash, refused
from ui.state import engine

log = logging.getLogger(__name__)

VIA = "página Evaluación del PLADECO"
LIVE = 0  # the source choice's value for the live data
SOURCE = "eval_source"
FLASH = "evaluacion"  # the page whose confirmations these are


@st.cache_data(show_spinner="Calculando la evaluación…", max_entries=16)
def evaluation_data(cut_id: int | None, version: str, with_demo: bool) -> dict[str, Any]:
    """The evaluation as plain data (a closed cut's never changes; ``version`` keys the live data)."""
    with engine().connect() as conn:
        return evaluation(conn, cut_id, with_demo=with_demo).as_json()


@st.cache_data(show_spinner="Comparando los cortes…", max_entries=16)
def comparison(cut_a: int, cut_b: int) -> dict[str, Any]:
    """Two closed cuts compared (both frozen: cached by their ids)."""
    with engine().connect() as conn:
        return compare(conn, cut_a, cut_b, uv_territories(conn))


def cuts() -> list[dict[str, Any]]:
    """Every cut, newest first (read each run: creating or closing one changes no data version)."""
    with engine().connect() as conn:
        return list_cuts(conn)


def cut_label(c: dict[str, Any]) -> str:
    """``Corte n.º 3: estado al 31-12-2015 (cerrada)``."""
    day = date.fromisoformat(c["cut_date"])
    return f"Corte n.º {c['id']}: estado al {day:%d-%m-%Y} ({CUT_STATES[c['state']].lower()})"


def choose_source(all_cuts: list[dict[str, Any]]) -> int | None:
    """The live data or a closed cut; return the cut's id (None: live data)."""
    closed = {c["id"]: c for c in all_cuts if c["state"] == "cerrada"}
    options = [LIVE, *closed]
    if ss.get(SOURCE) not in options:
        ss[SOURCE] = LIVE
    chosen = st.selectbox(
        "Evaluar",
        options,
        key=SOURCE,
        format_func=lambda i: "Datos vigentes (hoy)" if i == LIVE else cut_label(closed[i]),
    )
    return None if chosen == LIVE else int(chosen)


def rules() -> None:
    """The rules of the calculation, as written in geo/evaluation (one text)."""
    st.markdown("\n".join(f"- {clean_markdown(r)}" for r in RULES))
    st.markdown("**Avance físico según el estado** (si no se registró uno):")
    st.markdown("\n".join(f"- {clean_markdown(s)}: {clean_markdown(p)}" for s, p in progress_table()))
    st.caption("Ponderación de cada grupo: " + "; ".join(f"{k}: {v}" for k, v in WEIGHTINGS.items()) + ".")


def status_bars(rows: list[dict[str, Any]]) -> alt.Chart:
    """One horizontal bar per strategy, split by status in the lifecycle's order."""
    return (
        alt.Chart(status_counts(rows))
        .mark_bar()
        .encode(
            y=alt.Y("Estrategia:N", sort=None, title=None),
            x=alt.X("sum(Iniciativas):Q", title="Iniciativas"),
            color=alt.Color("Estado:N", sort=alt.SortField("orden"), legend=alt.Legend(orient="bottom")),
            order=alt.Order("orden:Q"),
            tooltip=["Estrategia", "Estado", "Iniciativas"],
        )
    )


def _write(action: Any, message: str) -> None:
    try:
        result = action()
    except DataError as exc:
        st.error(refused(exc))
        return
    flash(FLASH, message.format(result))
    st.rerun()


def cut_forms(all_cuts: list[dict[str, Any]]) -> None:
    """Create a cut and close a draft (only for ``evaluation``: administrador, secplac)."""
    with st.form("eval_new_cut"):
        st.markdown("**Nuevo corte** (borrador: no congela nada hasta cerrarlo)")
        day = st.text_input("Fecha de corte", placeholder="31-12-2015", key="eval_cut_date")
        note = st.text_input("Nota", key="eval_cut_note")
        demo = st.checkbox("Congelar también los datos de demostración", key="eval_cut_demo")
        if st.form_submit_button("Crear corte"):
            _write(
                lambda: create_cut(engine(), auth.actor(VIA), day, note, with_demo=demo),
                "Corte n.º {} creado.",
            )
    drafts = {c["id"]: c for c in all_cuts if c["state"] == "borrador"}
    if not drafts:
        return
    with st.form("eval_close_cut"):
        st.markdown("**Cerrar un corte**: congela los datos vigentes; un corte cerrado ya no cambia.")
        chosen = st.selectbox(
            "Corte", list(drafts), format_func=lambda i: cut_label(drafts[i]), key="eval_close_id"
        )
        if st.form_submit_button("Cerrar corte", type="primary"):
            cut = drafts[chosen]
            _write(
                lambda: close_cut(engine(), auth.actor(VIA), cut["id"], cut["version"]),
                f"Corte n.º {cut['id']} cerrado: {{}} iniciativas congeladas.",
            )


def progress_form(initiatives: list[dict[str, Any]]) -> None:
    """Enter (or clear) an initiative's physical progress (live data; capability ``initiatives``)."""
    live = {i["id"]: i for i in initiatives if not i["archived"]}
    if not live:
        return
    with st.form("eval_progress"):
        st.markdown("**Registrar avance físico** (en blanco: se toma del estado)")
        chosen = st.selectbox(
            "Iniciativa",
            list(live),
            format_func=lambda i: f"{live[i]['code']} {live[i]['name']}",
            key="eval_prog_id",
        )
        typed = st.text_input("Avance físico (%)", placeholder="0 a 100", key="eval_prog_pct")
        if st.form_submit_button("Guardar avance"):
            with engine().connect() as conn:
                version = initiative_version(conn, chosen)
            _write(
                lambda: set_progress(engine(), auth.actor(VIA), chosen, typed or None, version),
                f"Avance de {live[chosen]['code']} guardado.",
            )
