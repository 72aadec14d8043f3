"""Streamlit glue of the Talleres page: workshops, their map, the per-territory summary.

The needs (recording, list, edit, move, merge, links) are :mod:`ui.needs`.

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

from geo.domain import (
    ATTENDANCE_AGES,
    ATTENDANCE_SEXES,
    NEED_KINDS,
    WORKSHOP_STATES,
)
from geo.errors import DataError
from geo.store.workshops import (
    WorkshopValues,
    close_workshop,
    create_workshop,
    update_workshop,
)
from geo.territory.queries import base_layers
from geo.workshops import plan, queries
from layers.needs import build_workshop_map, needs_feature_collection
from layers.sanitize import clean_markdown
from ui import auth
from ui.folium_map import show_folium
from ui.messages import flash, refused
from ui.state import engine
from ui.tables import show_table

log = logging.getLogger(__name__)

ss = st.session_state
VIA = "página Talleres"
CHOSEN = "talleres_id"
FLASH = "talleres"  # the page whose confirmations these are


def saved(write: Callable[[], Any], message: str) -> None:
    """Run a write of the store: on a refusal say why; else rerun and then say ``message``.

    ``message`` may hold ``{}``, filled with what the write returned (a new id).
    """
    try:
        result = write()
    except DataError as exc:
        st.error(refused(exc))
        return
    flash(FLASH, message.format(result))
    st.rerun()


def _chosen(workshop_id: int) -> int:
    """Make ``workshop_id`` the chosen workshop (after creating it); return it."""
    ss[CHOSEN] = workshop_id
    return workshop_id


# --- choosing, creating and editing a workshop ------------------------------------------------


def workshop_label(w: dict[str, Any]) -> str:
    """A workshop as people choose it: date, place, territories, and whether it is closed."""
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
    chosen = st.selectbox("Taller", list(by_id), key=CHOSEN, format_func=lambda i: workshop_label(by_id[i]))
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
            saved(
                lambda: _chosen(create_workshop(engine(), auth.actor(VIA), values)), "Taller n.º {} creado."
            )


def edit_workshop_form(w: dict[str, Any]) -> None:
    """Edit the chosen workshop."""
    prefix = f"talleres_edit_{w['id']}"
    with st.form(prefix):
        values = _workshop_fields(prefix, w)
        if st.form_submit_button("Guardar cambios del taller"):
            saved(
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
            saved(
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
    if w["territory_ids"]:
        st.page_link(
            "pages/proyector.py",
            label="Proyectar este taller (modo proyector)",
            icon=":material/co_present:",
            query_params={"territorio": str(w["territory_ids"][0]), "taller": str(w["id"])},
            help="Abre el mapa para el proyector: el territorio encuadrado y las necesidades del taller, "
            "que se actualizan solas.",
        )


# --- the map ----------------------------------------------------------------------------------------


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
    out = show_folium(
        m,
        height=560,
        use_container_width=True,
        key=f"talleres_map_{w['id']}_{hashlib.sha1(stamp.encode()).hexdigest()[:10]}",
        returned_objects=["all_drawings"],
    )
    drawings = (out or {}).get("all_drawings") or []
    return drawings[-1] if drawings else None


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
    show_table(pd.DataFrame(plan.summary_rows(summary)), hide_index=True, width="stretch")
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
                show_table(pd.DataFrame(rows), hide_index=True, width="stretch")
    return True
