"""Place the named sites: draw a site "sin ubicar", move one placed by mistake, or unplace it.

Every save checks the version the person opened, relinks the site's initiatives and is kept
in the site's history (who, when, where).
"""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.domain import FIELD_LABELS, format_datetime
from geo.errors import ConflictError, DataError, ValidationError
from geo.store.territories import place_site, unplace_site
from geo.values import ValueProblem, parse_drawn_geometry
from layers.editmap import build_edit_map
from ui import auth
from ui.initiatives import data as editor_data
from ui.initiatives.editor import id_selectbox, refresh_choice
from ui.messages import refused
from ui.state import engine

log = logging.getLogger(__name__)
ss = st.session_state


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
    out = st_folium(
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
            ss["ed_flash"] = (
                f"Sitio «{site['name']}» {done}; {len(result.initiatives)} iniciativa(s) "
                "vinculadas recalculadas."
            )
            st.rerun()
    history = editor_data.site_history(sid)
    if history:
        st.markdown("**Historial de ubicaciones**")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Fecha": format_datetime(h["at"]),
                        "Por": h["by"] or "—",
                        "Acción": h["action"],
                        "Ubicación": _where(h["geometry"]),
                    }
                    for h in history
                ]
            ),
            hide_index=True,
            width="stretch",
        )


def _where(geometry: dict | None) -> str:
    if not geometry:
        return "sin ubicar"
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"][:2]
        return f"punto lat {lat:.5f}; lon {lon:.5f}".replace(".", ",")
    return {"LineString": "línea", "Polygon": "polígono"}.get(geometry["type"], geometry["type"])
