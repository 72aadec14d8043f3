"""The Ficha territorial's download button, on the pages that show one territory."""

from __future__ import annotations

import logging

import streamlit as st

from geo.initiatives.filters import MapFilters
from geo.investment.lines import InvestmentFilters
from geo.reports.ficha import ficha_pdf, territories
from geo.territory.gazetteer import normalize
from ui import auth
from ui.state import engine

log = logging.getLogger(__name__)


@st.cache_data(show_spinner=False, max_entries=16)
def ficha_bytes(territory_id: int, key: tuple, version: str) -> bytes:
    """The one-page PDF of a territory for the filters of ``key`` (cached by data version)."""
    filters = InvestmentFilters.from_key(key)
    with engine().connect() as conn:
        chosen = [t for t in territories(conn) if t.id == territory_id]
        return ficha_pdf(conn, chosen, filters)


@st.cache_data(show_spinner=False, max_entries=4)
def _file_names(version: str) -> dict[int, str]:
    """The PDF's file name of every located UV and locality (``ficha_territorial_uv_05_carrera.pdf``)."""
    with engine().connect() as conn:
        return {
            t.id: "ficha_territorial_" + normalize(t.label).replace(" ", "_") + ".pdf"
            for t in territories(conn)
        }


def ficha_button(territory_id: int | str, filters: MapFilters | InvestmentFilters, version: str) -> None:
    """«Ficha territorial (PDF)» of a UV or locality, made on click, for roles that download reports.

    ``territory_id``: a territory id, or a row of the investment report; only located UVs and
    localities have a ficha (no button for a site, «Comunal» or «Fuera de la comuna»).
    """
    if not auth.can("reports"):
        return
    if not isinstance(territory_id, int):  # «Comunal», «Fuera de la comuna»: no ficha
        return
    file_name = _file_names(version).get(territory_id)
    if file_name is None:  # a site, or a territory without geometry
        return
    inv = filters if isinstance(filters, InvestmentFilters) else InvestmentFilters(map=filters)
    key = inv.key()

    def make() -> bytes:  # runs on click, in a thread of its own: its failure is logged here
        try:
            return ficha_bytes(territory_id, key, version)
        except Exception:
            log.exception("the ficha of territory %s could not be made", territory_id)
            raise

    st.download_button(
        "Ficha territorial (PDF)",
        make,
        file_name=file_name,
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        key=f"ficha_{territory_id}",
    )
