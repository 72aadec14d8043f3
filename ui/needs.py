"""Streamlit glue of the needs on the Talleres page: recording, the list, one need's panel.

A need is recorded after drawing; one chosen from the list is edited, moved, merged, and
compared with the plan's initiatives that might answer it.

Writes go through :mod:`geo.store.workshops` as the account logged in; a write control is
drawn only for a role that may use it (``workshops``; links ``need_links``). Texts typed by
people are shown as table cells or through ``clean_markdown``.
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
import shapely
import streamlit as st

from geo.catalogue.choices import catalogue_levels
from geo.domain import NEED_KINDS, NEED_STATES, OTHER_STRATEGY
from geo.store.workshops import (
    NeedDraft,
    NeedEdit,
    merge_needs,
    move_need,
    record_needs,
    set_need_links,
    update_need,
)
from geo.uploads import PHOTO_LIMITS
from geo.values import ValueProblem, parse_drawn_geometry
from geo.workshops import plan, queries
from layers.sanitize import clean_markdown
from ui import auth
from ui.messages import refused
from ui.state import engine
from ui.tables import show_table
from ui.uploads import file_input
from ui.workshops import VIA, saved

log = logging.getLogger(__name__)

ss = st.session_state


@st.cache_data(show_spinner=False, max_entries=1)
def _strategies() -> dict[int | None, str]:
    """The plan's strategies as (id -> «E1 · name»), "otra" first (the catalogue never changes)."""
    with engine().connect() as conn:
        levels = catalogue_levels(conn)
    return {None: OTHER_STRATEGY, **{c.id: c.label for c in levels["strategy"]}}


def _wkb(drawn: dict[str, Any]) -> bytes | None:

    try:
        return shapely.to_wkb(parse_drawn_geometry(drawn))
    except ValueProblem as exc:
        st.error(refused(exc, f"Ubicación: {exc}"))
        return None


def new_need_form(w: dict[str, Any], drawn: dict[str, Any] | None) -> None:
    """After drawing: kind, strategy, text and votes, then «Guardar» (three actions at most)."""
    if drawn is None:
        st.info(
            "Para registrar una necesidad, dibuje en el mapa un punto, una línea o un área con "
            "las herramientas de la izquierda; aquí aparecerá el formulario."
        )
        return
    strategies = _strategies()
    with st.form(f"talleres_need_{w['id']}", clear_on_submit=True):
        st.markdown("**Nueva necesidad en lo dibujado**")
        kind = st.radio(
            "Tipo", list(NEED_KINDS), format_func=NEED_KINDS.get, horizontal=True, key="talleres_need_kind"
        )
        strategy = st.selectbox(
            "Estrategia del PLADECO",
            list(strategies),
            index=list(strategies).index(ss.get("talleres_last_strategy"))
            if ss.get("talleres_last_strategy") in strategies
            else 0,
            format_func=lambda i: strategies[i],
            key="talleres_need_strategy",
        )
        body = st.text_area(
            "Texto", max_chars=1000, key="talleres_need_text", placeholder="Qué dicen los vecinos…"
        )
        votes = st.number_input("Votos (adhesivos)", min_value=0, step=1, value=0, key="talleres_need_votes")
        if st.form_submit_button("Guardar", type="primary"):
            wkb = _wkb(drawn)
            if wkb is None:
                return
            ss["talleres_last_strategy"] = strategy
            draft = NeedDraft(kind, strategy, body, votes, wkb)
            saved(
                lambda: record_needs(engine(), auth.actor(VIA), w["id"], [draft])[0],
                "Necesidad n.º {} registrada.",
            )


def needs_table(needs: list[dict[str, Any]]) -> None:
    """The workshop's needs, most votes first (plain cells: nothing typed is interpreted)."""
    if not needs:
        st.caption("Aún no hay necesidades registradas en este taller.")
        return
    show_table(
        pd.DataFrame(
            [
                {
                    "N.º": n["id"],
                    "Tipo": NEED_KINDS[n["kind"]],
                    "Estrategia": n["strategy_code"] or "otra",
                    "Texto": n["text"],
                    "Votos": n["votes"],
                    "Estado": NEED_STATES[n["state"]],
                    "Territorio": n["territory"] or "—",
                    "Iniciativas que la responden": ", ".join(n["initiatives"]) or "—",
                }
                for n in needs
            ]
        ),
        hide_index=True,
        width="stretch",
    )


def need_panel(w: dict[str, Any], needs: list[dict[str, Any]], drawn: dict[str, Any] | None) -> None:
    """One need chosen from the list: edit, move to the drawing, merge, and the plan's answer."""
    if not needs:
        return
    by_id = {n["id"]: n for n in needs}
    need_id = st.selectbox(
        "Necesidad",
        list(by_id),
        format_func=lambda i: f"n.º {i} · {NEED_KINDS[by_id[i]['kind']]} · {by_id[i]['text'][:60]}",
        key=f"talleres_need_choice_{w['id']}",
    )
    n = by_id[need_id]
    writes = auth.can("workshops") and w["state"] == "abierto"
    tabs = st.tabs(
        ["Iniciativas del plan", "Editar", "Mover", "Fusionar"] if writes else ["Iniciativas del plan"]
    )
    with tabs[0]:
        links_panel(n)
    if not writes:
        return
    with tabs[1]:
        _edit_need(n)
    with tabs[2]:
        _move_need(n, drawn)
    with tabs[3]:
        _merge_need(n, [m for m in needs if m["id"] != n["id"] and m["state"] != "rechazada"])


def _edit_need(n: dict[str, Any]) -> None:
    strategies = _strategies()
    prefix = f"talleres_edit_need_{n['id']}_{n['version']}"
    with st.form(prefix):
        kind = st.radio(
            "Tipo",
            list(NEED_KINDS),
            index=list(NEED_KINDS).index(n["kind"]),
            format_func=NEED_KINDS.get,
            horizontal=True,
        )
        strategy = st.selectbox(
            "Estrategia",
            list(strategies),
            index=list(strategies).index(n["strategy_id"]),
            format_func=lambda i: strategies[i],
        )
        body = st.text_area("Texto", value=n["text"], max_chars=1000)
        votes = st.number_input("Votos", min_value=0, step=1, value=n["votes"])
        photo = file_input(
            "Foto (opcional)",
            type=["jpg", "jpeg", "png", "webp"],
            key=f"need_photo_{n['id']}",
            limits=PHOTO_LIMITS,
        )
        remove = st.checkbox("Quitar la foto guardada") if n["has_photo"] else False
        if st.form_submit_button("Guardar la necesidad"):
            edit = NeedEdit(
                kind, strategy, body, votes, photo=photo.getvalue() if photo else None, remove_photo=remove
            )
            saved(
                lambda: update_need(engine(), auth.actor(VIA), n["id"], n["version"], edit),
                f"Necesidad n.º {n['id']} guardada.",
            )
    if n["has_photo"]:
        with engine().connect() as conn:
            found = queries.need_photo(conn, n["id"])
        if found:
            st.image(found[0], caption=f"Foto de la necesidad n.º {n['id']}", width=320)


def _move_need(n: dict[str, Any], drawn: dict[str, Any] | None) -> None:
    if drawn is None:
        st.caption("Dibuje en el mapa la nueva ubicación (punto, línea o área) y vuelva aquí.")
        return
    if st.button(f"Mover la necesidad n.º {n['id']} a lo dibujado", key=f"talleres_move_{n['id']}"):
        wkb = _wkb(drawn)
        if wkb is None:
            return
        saved(
            lambda: move_need(engine(), auth.actor(VIA), n["id"], n["version"], wkb),
            f"Necesidad n.º {n['id']} movida.",
        )


def _merge_need(n: dict[str, Any], others: list[dict[str, Any]]) -> None:
    if not others:
        st.caption("No hay otra necesidad con la que fusionarla.")
        return
    by_id = {m["id"]: m for m in others}
    other = st.selectbox(
        "Dice lo mismo que",
        list(by_id),
        format_func=lambda i: f"n.º {i} · {by_id[i]['text'][:60]} ({by_id[i]['votes']} votos)",
        key=f"talleres_merge_{n['id']}",
    )
    st.caption(
        f"Se conserva la n.º {n['id']}: suma los votos de la otra, que queda como fusionada en ella y "
        "deja de contarse."
    )
    if st.button("Fusionar", key=f"talleres_merge_go_{n['id']}"):
        saved(
            lambda: merge_needs(
                engine(), auth.actor(VIA), n["id"], other, n["version"], by_id[other]["version"]
            ),
            f"Necesidad n.º {other} fusionada en la n.º {n['id']}.",
        )


def links_panel(n: dict[str, Any]) -> None:
    """The initiatives suggested for a need, with their reasons; confirm which answer it."""
    with engine().connect() as conn:
        suggestions = plan.suggest_initiatives(conn, n["id"])
    if not suggestions:
        st.caption(
            "El plan no tiene iniciativas de esta estrategia en este territorio, en los vecinos "
            "ni a menos de 1,5 km: la necesidad queda sin respuesta del plan."
        )
        return
    for s in suggestions:
        st.markdown(
            f"**{clean_markdown(s.code)}** · {clean_markdown(s.name)}  \n"
            + clean_markdown("; ".join(s.reasons))
        )
    if not auth.can("need_links"):
        return
    by_id = {s.initiative_id: s for s in suggestions}
    chosen = st.multiselect(
        "Iniciativas que responden a esta necesidad",
        list(by_id),
        default=[s.initiative_id for s in suggestions if s.linked],
        placeholder="Ninguna: elija las que la responden",
        format_func=lambda i: f"{by_id[i].code} · {by_id[i].name}",
        key=f"talleres_links_{n['id']}_{n['version']}",
    )
    if st.button("Confirmar vínculos", key=f"talleres_links_go_{n['id']}"):
        saved(
            lambda: set_need_links(engine(), auth.actor(VIA), n["id"], chosen, n["version"]),
            f"Vínculos de la necesidad n.º {n['id']} confirmados.",
        )
