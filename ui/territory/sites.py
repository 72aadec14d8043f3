"""Place the named sites: draw a site "sin ubicar", move one placed by mistake, or unplace it.

Every save checks the version the person opened, relinks the site's initiatives and is kept
in the site's history (who, when, where).
"""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from geo.domain import FIELD_LABELS, format_datetime
from geo.errors import ConflictError, DataError, ValidationError
from geo.store.territories import place_site, unplace_site
from geo.territory.suggestions import Suggestion, confirm_suggestion, site_suggestions
from geo.values import ValueProblem, parse_drawn_geometry
from layers.editmap import build_edit_map
from layers.sanitize import clean_markdown
from ui import auth
from ui.folium_map import show_folium
from ui.initiatives import data as editor_data
from ui.initiatives.editor import FLASH, id_selectbox, refresh_choice
from ui.messages import flash, refused
from ui.state import engine
from ui.tables import show_table

log = logging.getLogger(__name__)
ss = st.session_state
#: How many suggestions a site lists (best first).
MAX_SUGGESTIONS = 6
GEOMETRY_WORDS = {
    "POINT": "punto",
    "MULTIPOINT": "puntos",
    "LINESTRING": "línea",
    "MULTILINESTRING": "línea",
    "POLYGON": "área",
    "MULTIPOLYGON": "área",
}


def _label(site: dict) -> str:
    state = "ubicado" if site["located"] else "sin ubicar"
    return f"{site['name']} ({state}; {site['n']} iniciativas)"


def place_sites_section(version: str) -> None:
    """Pick a site, draw where it is (or move it), or return it to "sin ubicar"; see its history."""
    st.subheader("Sitios nombrados por el plan")
    sites = editor_data.named_sites()
    if not sites:
        st.caption("El plan no nombra sitios.")
        return
    unlocated = sum(1 for s in sites if not s["located"])
    st.caption(
        f"{unlocated} de {len(sites)} sitios siguen sin ubicar. Dibuje dónde está un sitio (punto, "
        "línea o polígono); las iniciativas vinculadas a él quedan vinculadas a las unidades vecinales "
        "y localidades que toca. Un sitio ubicado por error se puede mover o devolver a «sin ubicar». "
        "Nunca se inventan coordenadas."
    )
    # Sites without location first: they are the work to do.
    ordered = sorted(sites, key=lambda s: (s["located"], s["name"]))
    by_id = {s["id"]: s for s in ordered}
    sid = id_selectbox("Sitio", list(by_id), key="site_pick", format_func=lambda i: _label(by_id[i]))
    site = by_id[sid]
    opened = ss.setdefault("site_opened", {}).setdefault(sid, site["version"])
    layers = editor_data.map_layers(version)
    m = build_edit_map(
        commune=layers["commune"],
        territories=layers["territories"],
        sites=layers["sites"],
        current=site["geometry"],
        current_label=site["name"],
    )
    out = show_folium(
        m,
        height=420,
        use_container_width=True,
        key=f"site_map_{sid}_{opened}",
        returned_objects=["all_drawings"],
    )
    drawings = (out or {}).get("all_drawings") or []
    c1, c2 = st.columns(2)
    verb = "Guardar la nueva ubicación" if site["located"] else "Guardar la ubicación del sitio"
    save = c1.button(
        verb,
        key="site_save",
        disabled=not drawings,
        help=None if drawings else "Primero dibuje el sitio en el mapa.",
    )
    unplace = site["located"] and c2.button("Devolver a «sin ubicar»", key="site_unplace")
    if save or unplace:
        try:
            actor = auth.actor("página Iniciativas: sitios")
            if save:
                geom = parse_drawn_geometry(drawings[-1])
                result = place_site(engine(), actor, sid, geom, opened)
                done = "ubicado" if not site["located"] else "reubicado"
            else:
                result = unplace_site(engine(), actor, sid, opened)
                done = "devuelto a «sin ubicar»"
        except ValueProblem as exc:
            st.error(refused(exc, f"Geometría: {exc}"))
        except ValidationError as exc:
            st.error(refused(exc, " ".join(f"{FIELD_LABELS.get(f, f)}: {m}" for f, m in exc.errors.items())))
        except ConflictError as exc:
            st.error(refused(exc))
            ss["site_opened"][sid] = exc.current_version
        except DataError as exc:
            st.error(refused(exc))
        else:
            ss["site_opened"][sid] = result.version
            refresh_choice("site_pick", sid)  # its label says whether it is placed
            flash(
                FLASH,
                clean_markdown(
                    f"Sitio «{site['name']}» {done}; {len(result.initiatives)} iniciativa(s) "
                    "vinculadas recalculadas."
                ),
            )
            st.rerun()
    if not site["located"]:
        suggestions_panel(sid, site["name"], opened, version)
    history = editor_data.site_history(sid)
    if history:
        st.markdown("**Historial de ubicaciones**")
        show_table(
            pd.DataFrame(
                [
                    {
                        "Fecha": format_datetime(h["at"]),
                        "Por": h["by"] or "—",
                        "Acción": h["action"],
                        "Ubicación": _where(h["geometry"]),
                        "Origen": _origin(h.get("origin")),
                    }
                    for h in history
                ]
            ),
            hide_index=True,
            width="stretch",
        )


@st.cache_data(show_spinner=False, max_entries=4)
def _suggestions(version: str) -> dict[int, list[Suggestion]]:
    """Keyed by the data version, whose last part follows the reference layers."""
    return site_suggestions(engine())


def suggestions_panel(site_id: int, site_name: str, opened: int, version: str) -> None:
    """Reference features whose name matches the site: a person confirms one with a click."""
    found = _suggestions(version).get(site_id, [])
    if not found:
        st.caption(
            f"No hay sugerencias para «{clean_markdown(site_name)}» en las capas de referencia: dibújelo."
        )
        return
    st.markdown(
        f"**Sugerencias de ubicación para «{clean_markdown(site_name)}»** (de las capas de referencia)"
    )
    st.caption(
        "Elementos de las capas de referencia cuyo nombre coincide con el del sitio. Nada se ubica "
        "solo: confirme uno si es el lugar que el plan nombra, o dibuje el sitio en el mapa. El "
        "historial guardará de qué capa y fuente vino la ubicación."
    )
    for s in found[:MAX_SUGGESTIONS]:
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.markdown(
            f"**{clean_markdown(s.feature_name)}** · {clean_markdown(s.layer_title)} · "
            f"{GEOMETRY_WORDS.get(s.geometry_type, s.geometry_type.lower())}  \n"
            f"Fuente: {clean_markdown(s.source)}"
        )
        if right.button("Ubicar aquí", key=f"site_suggest_{site_id}_{s.feature_id}"):
            try:
                result = confirm_suggestion(
                    engine(),
                    auth.actor("página Iniciativas: sugerencia de ubicación"),
                    site_id,
                    s.feature_id,
                    opened,
                )
            except ConflictError as exc:
                st.error(refused(exc))
                ss["site_opened"][site_id] = exc.current_version
            except (DataError, ValidationError) as exc:
                st.error(refused(exc))
            else:
                ss["site_opened"][site_id] = result.version
                refresh_choice("site_pick", site_id)
                flash(
                    FLASH,
                    clean_markdown(
                        f"Sitio «{site_name}» ubicado donde está «{s.feature_name}» ({s.layer_title}); "
                        f"{len(result.initiatives)} iniciativa(s) vinculadas recalculadas."
                    ),
                )
                st.rerun()
    if len(found) > MAX_SUGGESTIONS:
        st.caption(f"y {len(found) - MAX_SUGGESTIONS} sugerencias más, con menor coincidencia.")


def _origin(origin: dict | None) -> str:
    if not origin:
        return "dibujada"
    return f"{origin.get('elemento')} ({origin.get('capa')}; {origin.get('fuente')})"


def _where(geometry: dict | None) -> str:
    if not geometry:
        return "sin ubicar"
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"][:2]
        return f"punto lat {lat:.5f}; lon {lon:.5f}".replace(".", ",")
    return {"LineString": "línea", "Polygon": "polígono"}.get(geometry["type"], geometry["type"])
