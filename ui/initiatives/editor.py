"""Widgets of the initiative editor: which initiative, the form, geometry, saving.

Widget keys carry the initiative id and the version the person opened
(``ed_<id>_<version>_<field>``): while that version is pinned the widgets keep what the
person typed (also after a refused save); loading a newer version gives new keys and
therefore fresh values from the database.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from dataclasses import fields, replace
from typing import Any

import pandas as pd
import streamlit as st

from geo.domain import (
    BIP_STAGES,
    FIELD_LABELS,
    INITIATIVE_KINDS,
    SCOPES,
    STATUSES,
    TECHNICAL_RESULTS,
    format_clp,
    status_label,
)
from geo.errors import ConflictError, DataError, ValidationError
from geo.initiatives.filters import MapFilters
from geo.initiatives.form import InitiativeInput, create_initiative, update_initiative
from geo.initiatives.funding import FundingLineInput
from layers.editmap import build_edit_map
from layers.sanitize import clean_markdown
from ui import auth
from ui.folium_map import show_folium
from ui.initiatives import data as editor_data
from ui.initiatives.funding import funding_editor, lines_text
from ui.messages import flash, refused
from ui.state import engine
from ui.tables import show_table

log = logging.getLogger(__name__)

NEW = 0
MAX_CHOICES = 300
ss = st.session_state
FLASH = "iniciativas"  # the page whose confirmations these are (and history's, the sites')


def _fold(value: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", value.lower()) if not unicodedata.combining(c))


def _forget_opened() -> None:
    ss.pop("ed_opened", None)
    ss.pop("ed_conflict", None)


def id_selectbox(label: str, options: list[int], key: str, format_func: Any = str, **kwargs: Any) -> int:
    """``st.selectbox`` of ids whose labels may change between runs; always returns an id.

    Streamlit keeps a selectbox's choice as its label: when the chosen initiative is renamed
    (by another person, or by this one's own save) or a site's counts change, the next run
    either returns the old label, a ``str``, or falls back to the first option (issue 10: a
    second «Guardar» after a conflict queried the database with that text, showed a traceback
    and the form vanished). So the chosen item keeps the label it was chosen with until
    :func:`refresh_choice` puts the id back with its new label.
    """
    pin, last, repair = f"{key}__label", f"{key}__id", f"{key}__repair"
    if repair in ss:
        ss[key] = ss.pop(repair)
        ss.pop(pin, None)
    pinned = ss.get(pin)

    def shown(option: Any) -> str:
        return pinned[1] if pinned and option == pinned[0] else str(format_func(option))

    value = st.selectbox(label, options, key=key, format_func=shown, **kwargs)
    if not (isinstance(value, int) and value in options):
        value = ss.get(last, options[0])
        log.info("selectbox %s lost its choice (a changed label); keeping id %s", key, value)
        ss[repair] = value
    ss[last], ss[pin] = value, (value, shown(value))
    return value


def refresh_choice(key: str, option: int) -> None:
    """Show ``option`` chosen in :func:`id_selectbox` ``key`` with its current label from the next run."""
    ss[f"{key}__repair"] = option


def pick_initiative(filters: MapFilters, version: str) -> int:
    """Search box and selector (filtered by the shared filters); NEW for a new one."""
    if "ed_pick_next" in ss:
        refresh_choice("ed_pick", ss.pop("ed_pick_next"))
        _forget_opened()
    c1, c2 = st.columns([3, 1])
    archived = c2.toggle(
        "Incluir archivadas",
        key="ed_archived",
        help="Las archivadas no aparecen en mapas, conteos ni exportaciones.",
    )
    items = editor_data.initiative_list(replace(filters, include_archived=archived).key(), version)
    search = _fold(c1.text_input("Buscar por código o nombre", key="ed_search"))
    labels = {i: f"{c} · {n}" for i, c, n in items}
    ids = [i for i, c, n in items if not search or search in _fold(f"{c} {n}")]
    chosen = ss.get("ed_pick__repair", ss.get("ed_pick", NEW))
    if not isinstance(chosen, int):  # a stale label (see id_selectbox)
        chosen = ss.get("ed_pick__id", NEW)
    if len(ids) > MAX_CHOICES:
        st.caption(
            f"{len(ids)} iniciativas coinciden; se listan las primeras {MAX_CHOICES}: "
            "afine la búsqueda o los filtros."
        )
        ids = ids[:MAX_CHOICES]
    if chosen != NEW and chosen not in ids:
        ids.insert(0, chosen)
    return id_selectbox(
        "Iniciativa",
        [NEW, *ids],
        key="ed_pick",
        on_change=_forget_opened,
        format_func=lambda i: "— Nueva iniciativa —" if i == NEW else labels.get(i, f"Iniciativa n.º {i}"),
    )


def opened_version(initiative_id: int, stored_version: int) -> int:
    """The version the person opened (pinned until they save or reload)."""
    opened = ss.setdefault("ed_opened", {})
    return opened.setdefault(initiative_id, stored_version)


def _idx(options: list, value: Any) -> int | None:
    return options.index(value) if value in options else None


def _optional_choice(
    where: Any, label: str, labels: dict[str, str], value: str | None, key: str
) -> str | None:
    """A selectbox of a code list that may be left «Sin información» (None)."""
    options = [None, *labels]
    return where.selectbox(
        label,
        options,
        index=_idx(options, value) or 0,
        key=key,
        format_func=lambda s: "Sin información" if s is None else labels[s],
    )


def _drop_if_invalid(key: str, options: list) -> None:
    if key in ss and ss[key] not in options:
        del ss[key]


def initiative_form(inp: InitiativeInput, prefix: str, ch: dict[str, Any]) -> InitiativeInput:
    """Every field of the initiative; strategy → plan → program cascade from the catalogue."""

    def k(name: str) -> str:
        return f"{prefix}_{name}"

    c1, c2 = st.columns([1, 2])
    code = c1.text_input(
        "Código *",
        value=inp.code,
        key=k("code"),
        max_chars=60,
        help="Texto libre elegido por el municipio; no puede repetirse.",
    )
    name = c2.text_input("Nombre *", value=inp.name, key=k("name"))
    c1, c2, c3 = st.columns(3)
    kinds = list(INITIATIVE_KINDS)
    kind = c1.selectbox(
        "Tipo", kinds, index=_idx(kinds, inp.kind) or 0, key=k("kind"), format_func=INITIATIVE_KINDS.get
    )
    scopes = list(SCOPES)
    scope = c2.selectbox(
        "Alcance", scopes, index=_idx(scopes, inp.scope) or 0, key=k("scope"), format_func=SCOPES.get
    )
    statuses = list(STATUSES)
    status = c3.selectbox(
        "Estado", statuses, index=_idx(statuses, inp.status) or 0, key=k("status"), format_func=status_label
    )
    comment = st.text_input(
        "Comentario del cambio de estado",
        key=k("comment"),
        help="Se guarda en el historial si el estado cambia.",
    )
    s_labels = dict(ch["strategies"])
    strategies = list(s_labels)
    strategy = st.selectbox(
        "Estrategia *",
        strategies,
        index=_idx(strategies, inp.strategy),
        key=k("strategy"),
        format_func=s_labels.get,
        placeholder="Elija una línea estratégica",
    )
    p_labels = {c: label for c, label, s in ch["plans"] if s == strategy}
    plans = [None, *p_labels]
    _drop_if_invalid(k("plan"), plans)
    plan = st.selectbox(
        "Plan",
        plans,
        index=_idx(plans, inp.plan) or 0,
        key=k("plan"),
        format_func=lambda c: "— Sin plan —" if c is None else p_labels[c],
    )
    g_labels = {c: label for c, label, p in ch["programs"] if p == plan}
    programs = [None, *g_labels]
    _drop_if_invalid(k("program"), programs)
    program = st.selectbox(
        "Programa",
        programs,
        index=_idx(programs, inp.program) or 0,
        key=k("program"),
        format_func=lambda c: "— Sin programa —" if c is None else g_labels[c],
    )
    c1, c2, c3 = st.columns(3)
    bip = c1.text_input("Código BIP", value=inp.bip_code or "", key=k("bip"), max_chars=30)
    bip_stage = _optional_choice(c2, "Etapa BIP", BIP_STAGES, inp.bip_stage, k("bip_stage"))
    technical_result = _optional_choice(
        c3, "Resultado técnico (RATE)", TECHNICAL_RESULTS, inp.technical_result, k("technical_result")
    )
    funding = funding_editor(inp.funding or (), k("funding"))
    c1, c2, c3 = st.columns(3)
    unit = c1.text_input("Unidad responsable", value=inp.responsible_unit or "", key=k("unit"))
    start = c2.text_input("Año de inicio", value=str(inp.start_year or ""), key=k("start"))
    end = c3.text_input("Año de término", value=str(inp.end_year or ""), key=k("end"))
    description = st.text_area("Descripción", value=inp.description or "", key=k("description"))
    note = st.text_input("Nota de ubicación", value=inp.place_note or "", key=k("note"))
    t_labels = {t[0]: t[1] for t in ch["territories"]}
    territories = st.multiselect(
        "Territorios (vinculados a mano o por nombre de lugar)",
        list(t_labels),
        default=[t for t in inp.territories if t in t_labels],
        key=k("territories"),
        format_func=t_labels.get,
        placeholder="Unidades vecinales, localidades o sitios",
        help="Los vínculos desde la geometría se recalculan solos al guardar.",
    )
    return InitiativeInput(
        code=code,
        name=name,
        kind=kind,
        strategy=strategy or "",
        plan=plan,
        program=program,
        status=status,
        scope=scope,
        responsible_unit=unit,
        bip_code=bip,
        bip_stage=bip_stage,
        technical_result=technical_result,
        funding=funding,
        start_year=start,
        end_year=end,
        description=description,
        place_note=note,
        territories=tuple(territories),
        status_comment=comment,
    )


def geometry_section(
    data: dict | None, inp: InitiativeInput, prefix: str, version: str, ch: dict[str, Any]
) -> InitiativeInput:
    """Drawing map and the choice of geometry (keep, drawn, copy a territory, remove)."""
    key_action, key_terr = f"{prefix}_geom_action", f"{prefix}_geom_territory"
    current = data["geometry"] if data else None
    layers = editor_data.map_layers(version)
    target = None
    if ss.get(key_action) == "territory" and ss.get(key_terr):
        target = editor_data.territory_shape(ss[key_terr])
    st.caption(
        "Dibuje un punto, una línea o un polígono con las herramientas del mapa "
        "(se usa el último dibujo). En naranjo, la geometría guardada."
    )
    m = build_edit_map(
        commune=layers["commune"],
        territories=layers["territories"],
        sites=layers["sites"],
        current=current,
        current_label=inp.name,
        target=target,
    )
    out = show_folium(
        m, height=520, use_container_width=True, key=f"{prefix}_map", returned_objects=["all_drawings"]
    )
    drawings = (out or {}).get("all_drawings") or []
    drawn = drawings[-1] if drawings else None
    signature = json.dumps(drawn, sort_keys=True) if drawn else None
    if signature != ss.get(f"{prefix}_drawn_sig"):
        ss[f"{prefix}_drawn_sig"] = signature
        if drawn:
            ss[key_action] = "drawn"
    labels = {
        "keep": "Mantener la geometría guardada" if current else "Sin geometría por ahora",
        "drawn": "Usar lo dibujado en el mapa",
        "territory": "Copiar la geometría de un territorio",
        "none": "Quitar la geometría guardada",
    }
    options = [o for o in labels if o != "none" or current]
    action = st.radio("Geometría", options, key=key_action, format_func=labels.get, horizontal=True)
    territory_id = None
    if action == "territory":
        located = {t[0]: t[1] for t in ch["territories"] if t[3]}
        territory_id = st.selectbox(
            "Territorio cuya geometría se copia",
            list(located),
            index=None,
            key=key_terr,
            format_func=located.get,
            placeholder="Elija uno",
        )
    if data and data["geometry_links"]:
        st.caption(
            "Vinculada desde la geometría (se recalcula al guardar): "
            + clean_markdown(", ".join(data["geometry_links"]))
        )
    inp.geometry_action, inp.geometry, inp.geometry_territory_id = action, drawn, territory_id
    return inp


def save_button(initiative_id: int, expected_version: int | None, inp: InitiativeInput) -> None:
    """Save (create or update) as the logged-in account; show what is wrong, or the conflict, in Spanish."""
    if not st.button("Guardar", type="primary", key="ed_save", icon=":material/save:"):
        return
    try:
        actor = auth.actor("página Iniciativas")
        if initiative_id == NEW:
            result = create_initiative(engine(), inp, actor)
        else:
            result = update_initiative(engine(), initiative_id, inp, expected_version or 0, actor)
    except ValidationError as exc:
        refused(exc)
        st.error(
            "**No se guardó.** Revise:\n\n"
            + "\n".join(
                f"- **{FIELD_LABELS.get(f, f)}**: {clean_markdown(msg)}" for f, msg in exc.errors.items()
            )
        )
        return
    except ConflictError as exc:
        refused(exc)
        ss["ed_conflict"] = {"id": initiative_id, "message": str(exc), "version": exc.current_version}
        st.rerun()
    except DataError as exc:
        st.error(refused(exc))
        return
    if not result.changed:
        st.info("No había cambios que guardar.")
        return
    ss.setdefault("ed_opened", {})[result.id] = result.version
    ss.pop("ed_conflict", None)
    flash(FLASH, clean_markdown(f"Guardado: {inp.code.strip()} (versión {result.version})."))
    if initiative_id == NEW:
        ss["ed_pick_next"] = result.id
    else:
        refresh_choice("ed_pick", result.id)  # its label may show a new code or name
    st.rerun()


def _shown(value: Any) -> str:
    if isinstance(value, tuple) and all(isinstance(v, FundingLineInput) for v in value):
        return lines_text(value)
    if isinstance(value, int) and not isinstance(value, bool) and value > 3000:
        return format_clp(value)
    return "" if value is None else str(value)


def conflict_panel(initiative_id: int, inp: InitiativeInput) -> None:
    """The refused save: the message, what differs from the stored version, and a reload."""
    conflict = ss.get("ed_conflict")
    if not conflict or conflict["id"] != initiative_id:
        return
    st.error(clean_markdown(conflict["message"]), icon=":material/sync_problem:")
    stored = editor_data.initiative(initiative_id)
    if stored:
        diff = [
            {
                "Campo": FIELD_LABELS.get(f.name, f.name),
                "Lo que usted escribió": mine,
                "Lo guardado ahora": theirs,
            }
            for f in fields(InitiativeInput)
            if f.name in FIELD_LABELS and f.name != "geometry"
            for mine, theirs in [(_shown(getattr(inp, f.name)), _shown(getattr(stored["input"], f.name)))]
            if mine != theirs
        ]
        if diff:
            show_table(pd.DataFrame(diff), hide_index=True, width="stretch")
    if st.button("Cargar la versión guardada (descarta lo que escribió)", key="ed_reload"):
        ss.setdefault("ed_opened", {})[initiative_id] = conflict["version"]
        ss.pop("ed_conflict", None)
        refresh_choice("ed_pick", initiative_id)
        st.rerun()
