"""Download buttons of the reports: the Ficha territorial, and a workshop's kit, template and acta."""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st

from geo.initiatives.filters import MapFilters
from geo.investment.lines import InvestmentFilters
from geo.investment.tables import XLSX_MIME
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


# --- workshops (issue 12): the paper kit, its capture template, the acta -----------------------


@st.cache_data(show_spinner=False, max_entries=8)
def kit_bytes(workshop_id: int, territory_id: int, version: str) -> bytes:
    """The kit's PDF (A3 map with grid, A4 capture sheet) of a workshop for one territory."""
    from geo.reports.kit import kit_pdf

    with engine().connect() as conn:
        return kit_pdf(conn, workshop_id, territory_id)


@st.cache_data(show_spinner=False, max_entries=8)
def capture_template_bytes(workshop_id: int, territory_id: int, version: str) -> bytes:
    """The capture spreadsheet template of a workshop for one territory."""
    from geo.workshops.capture import capture_template

    with engine().connect() as conn:
        return capture_template(conn, workshop_id, territory_id)


def _logged(make: Callable[[], bytes], what: str) -> Callable[[], bytes]:
    def run() -> bytes:  # runs on click, in a thread of its own: its failure is logged here
        try:
            return make()
        except Exception:
            log.exception("%s could not be made", what)
            raise

    return run


def workshop_kit_buttons(workshop_id: int, territory_id: int, territory_label: str, version: str) -> None:
    """«Kit en papel (PDF)» and «Plantilla de captura (.xlsx)» of a workshop for one of its territories.

    For roles that record needs or download reports; made on click. ``version``: the data version
    (a new limit or new initiatives give a new kit).
    """
    if not (auth.can("workshops") or auth.can("reports")):
        return
    slug = normalize(territory_label).replace(" ", "_")
    cols = st.columns(2)
    with cols[0]:
        st.download_button(
            "Kit en papel (PDF)",
            _logged(
                lambda: kit_bytes(workshop_id, territory_id, version), f"the kit of workshop {workshop_id}"
            ),
            file_name=f"kit_taller_{workshop_id}_{slug}.pdf",
            mime="application/pdf",
            icon=":material/picture_as_pdf:",
            on_click="ignore",
            key=f"kit_{workshop_id}_{territory_id}",
            help="Mapa A3 con cuadrícula, iniciativas numeradas y código QR; hoja de captura A4.",
        )
    with cols[1]:
        st.download_button(
            "Plantilla de captura (.xlsx)",
            _logged(
                lambda: capture_template_bytes(workshop_id, territory_id, version),
                f"the capture template of workshop {workshop_id}",
            ),
            file_name=f"captura_taller_{workshop_id}_{slug}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            icon=":material/table_view:",
            on_click="ignore",
            key=f"captura_{workshop_id}_{territory_id}",
            help="Donde se escriben las hojas de captura llenadas a mano; se importa en «Importar captura».",
        )


@st.cache_data(show_spinner=False, max_entries=8)
def acta_bytes(workshop_id: int, version: str) -> bytes:
    """The acta's PDF of a workshop (``version``: the workshop's fingerprint or the data version)."""
    from geo.reports.acta import acta_pdf

    with engine().connect() as conn:
        return acta_pdf(conn, workshop_id)


def workshop_acta_button(workshop_id: int, version: str) -> None:
    """«Acta del taller (PDF)»: attendance, needs by kind and strategy with the map, needs versus the plan.

    ``version`` must change when the workshop or its needs change (e.g.
    ``geo.workshops.queries.workshop_stamp``), so the acta is never an old one.
    """
    if not (auth.can("workshops") or auth.can("reports")):
        return
    st.download_button(
        "Acta del taller (PDF)",
        _logged(lambda: acta_bytes(workshop_id, version), f"the acta of workshop {workshop_id}"),
        file_name=f"acta_taller_{workshop_id}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        key=f"acta_{workshop_id}",
    )


@st.cache_data(show_spinner=False, max_entries=8)
def avance_bytes(cut_id: int) -> tuple[bytes, bytes]:
    """The «Informe de avance» PDF and its xlsx annex of a closed cut (frozen: cached by its id)."""
    from geo.reports.avance import avance_annex, avance_pdf

    with engine().connect() as conn:
        return avance_pdf(conn, cut_id), avance_annex(conn, cut_id)


def avance_buttons(cut_id: int) -> None:
    """«Informe de avance (PDF)» and «Anexo de iniciativas (.xlsx)» of a closed cut, made on click.

    For roles that download reports (every account).
    """
    if not auth.can("reports"):
        return
    name = f"informe_avance_pladeco_corte_{cut_id}"
    files = (
        ("Informe de avance (PDF)", f"{name}.pdf", "application/pdf", ":material/picture_as_pdf:"),
        ("Anexo de iniciativas (.xlsx)", f"{name}_anexo.xlsx", XLSX_MIME, ":material/table_view:"),
    )
    for i, (column, (label, file_name, mime, icon)) in enumerate(zip(st.columns(2), files, strict=True)):
        column.download_button(
            label,
            _logged(lambda i=i: avance_bytes(cut_id)[i], f"file {i} of the progress report of cut {cut_id}"),
            file_name=file_name,
            mime=mime,
            icon=icon,
            on_click="ignore",
            key=f"avance_{i}_{cut_id}",
        )
