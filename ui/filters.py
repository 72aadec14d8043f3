"""The filters shared by every page (strategy, plan, kind, status, sector, demo data), in the sidebar.

Drawn by the router (see :mod:`ui.frame`), never by a page, so they keep their values
when the page changes.
"""

from __future__ import annotations

import logging
from typing import Literal

import streamlit as st

from geo.domain import SECTOR_FILTERS
from geo.initiatives.filters import MapFilters
from geo.settings import get_settings

log = logging.getLogger(__name__)
#: Label of the demo-data switch (the demo notice tells people to use it).
DEMO_TOGGLE = "Incluir datos de demostración"
#: The filters keep their values through a run that cannot draw them (the database is down,
#: a page the frame is not drawn on): Streamlit otherwise forgets an undrawn widget's value.
PERSIST: Literal["session"] = "session"
#: The keys of the multiselects (empty: everything).
CHOICE_KEYS = ("f_strategies", "f_plans", "f_kinds", "f_statuses", "f_sectors")


def default_filters() -> MapFilters:
    """What the filters give before anyone touches them: everything, demo data as configured."""
    return MapFilters(include_demo=get_settings().show_demo_by_default)


def filters_untouched() -> bool:
    """Whether this session's filters hold their defaults (never drawn, or drawn and not changed)."""
    ss = st.session_state
    demo = default_filters().include_demo
    return not any(ss.get(k) for k in CHOICE_KEYS) and ss.get("f_demo", demo) == demo


def sidebar_filters(options: dict) -> MapFilters:
    """Draw the shared filters and return the current selection."""
    sb = st.sidebar
    sb.header("Filtros")
    strategy_labels = dict(options["strategies"])
    strategies = sb.multiselect(
        "Estrategia",
        list(strategy_labels),
        key="f_strategies",
        persist_state=PERSIST,
        format_func=strategy_labels.get,
        placeholder="Todas",
    )
    plans = [(c, label) for c, label, s in options["plans"] if not strategies or s in strategies]
    plan_labels = dict(plans)
    chosen_plans = [p for p in st.session_state.get("f_plans", []) if p in plan_labels]
    st.session_state["f_plans"] = chosen_plans
    plan_sel = sb.multiselect(
        "Plan",
        list(plan_labels),
        key="f_plans",
        persist_state=PERSIST,
        format_func=plan_labels.get,
        placeholder="Todos",
    )
    kinds = dict(options["kinds"])
    kind_sel = sb.multiselect(
        "Tipo", list(kinds), key="f_kinds", persist_state=PERSIST, format_func=kinds.get, placeholder="Todos"
    )
    statuses = dict(options["statuses"])
    status_sel = sb.multiselect(
        "Estado",
        list(statuses),
        key="f_statuses",
        persist_state=PERSIST,
        format_func=statuses.get,
        placeholder="Todos",
    )
    sector_sel = sb.multiselect(
        "Sector",
        list(SECTOR_FILTERS),
        key="f_sectors",
        persist_state=PERSIST,
        format_func=SECTOR_FILTERS.get,
        placeholder="Todos",
        help="Urbano/rural: vinculadas a un territorio de ese sector. "
        "Comunal: iniciativas de alcance comunal.",
    )
    include_demo = sb.toggle(
        DEMO_TOGGLE,
        value=default_filters().include_demo,
        key="f_demo",
        persist_state=PERSIST,
        help="Iniciativas sintéticas generadas con `sit demo generate`; no son del PLADECO.",
    )
    return MapFilters(
        tuple(strategies),
        tuple(plan_sel),
        tuple(kind_sel),
        tuple(status_sel),
        tuple(sector_sel),
        include_demo,
    )
