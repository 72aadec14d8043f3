"""Streamlit glue of the Talleres page: workshops, their map, needs, and needs versus the plan.

Reads are plain queries of :mod:`geo.workshops` (small tables, never cached: a write shows at
once); writes go through :mod:`geo.store.workshops` as the account logged in
(``auth.actor("página Talleres")``). Controls that write are drawn only for a role that may
use them (``workshops``: facilitador, administrador; ``need_links``: also SECPLAC), and the
store refuses anyway. Every text a person typed is shown inert: ``clean_markdown`` in
Markdown, plain cells in tables, :mod:`layers.sanitize` on the map.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.catalogue.choices import catalogue_levels
from geo.domain import (
    ATTENDANCE_AGES,
    ATTENDANCE_SEXES,
    NEED_KINDS,
    NEED_STATES,
    OTHER_STRATEGY,
    WORKSHOP_STATES,
)
from geo.errors import DataError
from geo.store.workshops import (
    NeedDraft,
    NeedEdit,
    WorkshopValues,
    close_workshop,
    create_workshop,
    merge_needs,
    move_need,
    record_needs,
    set_need_links,
    update_need,
    update_workshop,
)
from geo.territory.queries import base_layers
from geo.uploads import PHOTO_LIMITS, size_hint
from geo.values import ValueProblem, parse_drawn_geometry
from geo.workshops import plan, queries
from layers.needs import build_workshop_map, needs_feature_collection
from layers.sanitize import clean_markdown
from ui import auth
from ui.messages import refused
from ui.state import engine

log = logging.getLogger(__name__)

ss = st.session_state
VIA = "página Talleres"
CHOSEN = "talleres_id"
FLASH = "talleres_flash"


def flash(message: str) -> None:
    """Show ``message`` after the rerun that follows a save."""
    ss[FLASH] = message


def _saved(write: Callable[[], Any], message: str) -> None:
    """Run a write of the store: on a refusal say why; else rerun and then say ``message``.

    ``message`` may hold ``{}``, filled with what the write returned (a new id).
    """
    try:
        result = write()
    except DataError as exc:
        st.error(refused(exc))
        return
    flash(message.format(result))
    st.rerun()


def _chosen(workshop_id: int) -> int:
    """Make ``workshop_id`` the chosen workshop (after creating it); return it."""
    ss[CHOSEN] = workshop_id
    return workshop_id


def show_flash() -> None:
    """The message of the last save, once."""
    if message := ss.pop(FLASH, None):
        st.success(message, icon=":material/check_circle:")


# --- choosing, creating and editing a workshop ------------------------------------------------


def _label(w: dict[str, Any]) -> str:
    state = "" if w["state"] == "abierto" else f" · {WORKSHOP_STATES[w['state']].lower()}"
    return f"{w['held_on']:%d-%m-%Y} · {w['place']} ({', '.join(w['territories'])}){state}"


def choose_workshop() -> dict[str, Any] | None:
    """The workshop list as a choice; return the chosen workshop (None: none yet)."""
    with engine().connect() as conn:
        workshops = queries.workshop_list(conn)
    if not workshops:
        return None
    by_id = {w["id"]: w for w in workshops}
    if ss.get(CHOSEN) not in by_id:
        ss[CHOSEN] = workshops[0]["id"]
    chosen = st.selectbox("Taller", list(by_id), key=CHOSEN, format_func=lambda i: _label(by_id[i]))
    return by_id[chosen]


def _counts(prefix: str, groups: dict[str, str], known: dict[str, int]) -> dict[str, int | None]:
    cols = st.columns(len(groups))
    return {
        key: cols[n].number_input(label, min_value=0, step=1, value=known.get(key), key=f"{prefix}_{key}")
        for n, (key, label) in enumerate(groups.items())
    }


def _workshop_fields(prefix: str, w: dict[str, Any] | None) -> WorkshopValues:
    """The fields of a workshop (empty, or ``w``'s values); return what they hold."""
    with engine().connect() as conn:
        territories = dict(queries.workshop_territory_choices(conn))
        accounts = dict(queries.facilitator_choices(conn))
    held_on = st.date_input(
        "Fecha", value=w["held_on"] if w else date.today(), format="DD-MM-YYYY", key=f"{prefix}_date"
    )
    place = st.text_input(
        "Lugar", value=w["place"] if w else "", key=f"{prefix}_place", placeholder="Sede social, escuela…"
    )
    chosen = st.multiselect(
        "Territorios que cubre (unidades vecinales y localidades)",
        list(territories),
        default=w["territory_ids"] if w else [],
        placeholder="Elija una o más",
        format_func=lambda i: territories[i],
        key=f"{prefix}_territories",
    )
    options: list[int | None] = [None, *accounts]
    facilitator_id = st.selectbox(
        "Facilitador(a) con cuenta",
        options,
        index=options.index(w["facilitator_id"]) if w and w["facilitator_id"] in options else 0,
        format_func=lambda i: "— (escribir el nombre)" if i is None else accounts[i],
        key=f"{prefix}_facilitator",
    )
    name = None
    if facilitator_id is None:
        name = st.text_input(
            "Nombre de quien facilita (sin cuenta)",
            value=(w or {}).get("facilitator_name") or "",
            key=f"{prefix}_fname",
        )
    total = st.number_input(
        "Asistencia total (vacío si no se contó)",
        min_value=0,
        step=1,
        value=w["attendance_total"] if w else None,
        key=f"{prefix}_total",
    )
    known = (w or {}).get("attendance") or {}
    st.caption("Por sexo y por edad, solo si se registró (vacío: no se sabe).")
    attendance = {
        **_counts(f"{prefix}_sex", ATTENDANCE_SEXES, known),
        **_counts(f"{prefix}_age", ATTENDANCE_AGES, known),
    }
    organisations = st.text_area(
        "Organizaciones presentes (una por línea)",
        value=(w or {}).get("organisations") or "",
        key=f"{prefix}_orgs",
    )
    return WorkshopValues(held_on, place, chosen, facilitator_id, name, total, attendance, organisations)


def new_workshop_form() -> None:
    """Create a workshop (facilitador, administrador)."""
    with st.form("talleres_new"):
        values = _workshop_fields("talleres_new", None)
        if st.form_submit_button("Crear taller", type="primary"):
            _saved(
                lambda: _chosen(create_workshop(engine(), auth.actor(VIA), values)), "Taller n.º {} creado."
            )


def edit_workshop_form(w: dict[str, Any]) -> None:
    """Edit the chosen workshop."""
    prefix = f"talleres_edit_{w['id']}"
    with st.form(prefix):
        values = _workshop_fields(prefix, w)
        if st.form_submit_button("Guardar cambios del taller"):
            _saved(
                lambda: update_workshop(engine(), auth.actor(VIA), w["id"], w["version"], values),
                "Taller guardado.",
            )


def close_workshop_form(w: dict[str, Any]) -> None:
    """Close the chosen workshop with its closing report."""
    with st.form(f"talleres_close_{w['id']}"):
        report = st.text_area(
            "Informe de cierre",
            key=f"talleres_report_{w['id']}",
            placeholder="Qué se trabajó, acuerdos, próximos pasos…",
        )
        st.caption("Al cerrar, el taller no recibe más necesidades y las suyas no se editan ni se mueven.")
        if st.form_submit_button("Cerrar el taller"):
            _saved(
                lambda: close_workshop(engine(), auth.actor(VIA), w["id"], w["version"], report),
                "Taller cerrado.",
            )


def workshop_header(w: dict[str, Any]) -> None:
    """What the workshop is: date, place, state, facilitator, territories, attendance."""
    st.subheader(clean_markdown(f"Taller del {w['held_on']:%d-%m-%Y} en {w['place']}"))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Estado", WORKSHOP_STATES[w["state"]])
    c2.metric("Necesidades", w["needs"], help="Aceptadas, sin contar las fusionadas en otra.")
    c3.metric("Pendientes de revisión", w["pending"])
    c4.metric("Asistencia", "sin información" if w["attendance_total"] is None else w["attendance_total"])
    lines = [
        "**Territorios:** " + clean_markdown(", ".join(w["territories"])),
        "**Facilita:** " + clean_markdown(w["facilitator"] or "sin información"),
    ]
    if w["attendance"]:
        groups = {**ATTENDANCE_SEXES, **ATTENDANCE_AGES}
        lines.append(
            "**Asistencia por grupo:** "
            + ", ".join(
                f"{label}: {w['attendance'][k]}" for k, label in groups.items() if k in w["attendance"]
            )
        )
    if w["organisations"]:
        lines.append("**Organizaciones:** " + clean_markdown(", ".join(w["organisations"].splitlines())))
    if w["closing_report"]:
        lines.append("**Informe de cierre:** " + clean_markdown(w["closing_report"]))
    st.markdown("  \n".join(lines))


# --- the map and recording a need ---------------------------------------------------------------


def workshop_map(w: dict[str, Any], needs: list[dict[str, Any]], can_draw: bool) -> dict[str, Any] | None:
    """The workshop's map; return the last geometry drawn on it (GeoJSON), if any."""
    with engine().connect() as conn:
        commune = base_layers(conn)["commune"]
        framed = queries.workshop_territories_geojson(conn, w["id"])
        plan_rows = queries.workshop_initiatives(conn, w["id"])
        stamp = queries.workshop_stamp(conn, w["id"])
    initiatives = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": r["geometry"],
                "properties": {"codigo": r["code"], "nombre": r["name"]},
            }
            for r in plan_rows
            if r["geometry"]
        ],
    }
    m = build_workshop_map(
        commune=commune,
        framed=framed,
        initiatives=initiatives,
        needs=needs_feature_collection(needs, NEED_KINDS),
        kind_labels=NEED_KINDS,
        draw=can_draw,
    )
    # The key follows the data: after a save the map starts afresh, without the old drawing.
    out = st_folium(
        m,
        height=560,
        use_container_width=True,
        key=f"talleres_map_{w['id']}_{hashlib.sha1(stamp.encode()).hexdigest()[:10]}",
        returned_objects=["all_drawings"],
    )
    drawings = (out or {}).get("all_drawings") or []
    return drawings[-1] if drawings else None


@st.cache_data(show_spinner=False, max_entries=1)
def _strategies() -> dict[int | None, str]:
    """The plan's strategies as (id -> «E1 · name»), "otra" first (the catalogue never changes)."""
    with engine().connect() as conn:
        levels = catalogue_levels(conn)
    return {None: OTHER_STRATEGY, **{c.id: c.label for c in levels["strategy"]}}


def _wkb(drawn: dict[str, Any]) -> bytes | None:
    import shapely

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
            _saved(
                lambda: record_needs(engine(), auth.actor(VIA), w["id"], [draft])[0],
                "Necesidad n.º {} registrada.",
            )


# --- the needs: list, edit, move, merge, links --------------------------------------------------


def needs_table(needs: list[dict[str, Any]]) -> None:
    """The workshop's needs, most votes first (plain cells: nothing typed is interpreted)."""
    if not needs:
        st.caption("Aún no hay necesidades registradas en este taller.")
        return
    st.dataframe(
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
        photo = st.file_uploader(
            "Foto (opcional)", type=["jpg", "jpeg", "png", "webp"], help=size_hint(PHOTO_LIMITS)
        )
        remove = st.checkbox("Quitar la foto guardada") if n["has_photo"] else False
        if st.form_submit_button("Guardar la necesidad"):
            edit = NeedEdit(
                kind, strategy, body, votes, photo=photo.getvalue() if photo else None, remove_photo=remove
            )
            _saved(
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
        _saved(
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
        _saved(
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
        _saved(
            lambda: set_need_links(engine(), auth.actor(VIA), n["id"], chosen, n["version"]),
            f"Vínculos de la necesidad n.º {n['id']} confirmados.",
        )


# --- per territory: what residents asked for and what the plan answers -------------------------


def needs_summary(
    territory_ids: list[int] | None,
    *,
    title: str | None = None,
    show_texts: bool = True,
    empty_note: bool = True,
) -> bool:
    """The per-territory summary of needs (under ``title``); return whether there was any.

    ``show_texts`` False (the public) gives the counts only, not what residents wrote.
    """
    with engine().connect() as conn:
        summary = plan.territory_needs_summary(conn, territory_ids)
    if not summary:
        if empty_note:
            st.caption("Sin necesidades aceptadas en estos territorios.")
        return False
    if title:
        st.subheader(title)
    st.dataframe(pd.DataFrame(plan.summary_rows(summary)), hide_index=True, width="stretch")
    if not show_texts:
        return True
    for t in summary:
        if t.unanswered:
            with st.expander(
                f"{clean_markdown(t.label)}: {t.unanswered_count} necesidad(es) sin respuesta del plan"
            ):
                rows = [
                    {
                        "N.º": u["id"],
                        "Tipo": u["kind"],
                        "Estrategia": u["strategy"],
                        "Texto": u["text"],
                        "Votos": u["votes"],
                    }
                    for u in t.unanswered
                ]
                st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    return True
