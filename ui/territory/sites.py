"""Place the named sites "sin ubicar": draw them on a map and save with a version check."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo.errors import DataError
from geo.store.initiatives import ConflictError, ValidationError
from geo.territory.sites import place_site
from layers.editmap import build_edit_map
from layers.sanitize import clean_markdown
from ui.initiatives import data as editor_data
from ui.state import engine

ss = st.session_state


def place_sites_section(version: str, editor: str) -> None:
    """Pick a site sin ubicar, draw where it is, save it (its initiatives are relinked)."""
    st.subheader("Ubicar sitios sin ubicar")
    sites = editor_data.unlocated_sites()
    if not sites:
        st.success("Todos los sitios que nombra el plan tienen ubicación.")
        return
    st.caption(
        "Lugares que el plan nombra sin coordenadas. Dibuje dónde están (punto, línea o "
        "polígono); las iniciativas vinculadas a ese sitio quedan vinculadas a las unidades "
        "vecinales y localidades que toca. Nunca se inventan coordenadas."
    )
    by_id = {s["id"]: s for s in sites}
    sid = st.selectbox(
        "Sitio",
        list(by_id),
        key="site_pick",
        format_func=lambda i: f"{by_id[i]['name']} ({by_id[i]['n']} iniciativas)",
    )
    opened = ss.setdefault("site_opened", {}).setdefault(sid, by_id[sid]["version"])
    layers = editor_data.map_layers(version)
    m = build_edit_map(commune=layers["commune"], territories=layers["territories"])
    out = st_folium(
        m,
        height=420,
        use_container_width=True,
        key=f"site_map_{sid}_{opened}",
        returned_objects=["all_drawings"],
    )
    drawings = (out or {}).get("all_drawings") or []
    if st.button(
        "Guardar la ubicación del sitio",
        key="site_save",
        disabled=not drawings,
        help=None if drawings else "Primero dibuje el sitio en el mapa.",
    ):
        try:
            result = place_site(engine(), sid, drawings[-1], opened, editor)
        except ValidationError as exc:
            st.error(clean_markdown(" ".join(exc.errors.values())))
        except ConflictError as exc:
            st.error(clean_markdown(str(exc)))
            ss["site_opened"][sid] = exc.current_version
        except DataError as exc:
            st.error(clean_markdown(str(exc)))
        else:
            ss["ed_flash"] = (
                f"Sitio «{by_id[sid]['name']}» ubicado; {len(result.initiatives)} "
                "iniciativa(s) vinculadas recalculadas."
            )
            st.rerun()
