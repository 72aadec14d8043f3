"""Streamlit glue of the capture import: upload a filled capture sheet, preview it, confirm it.

:func:`capture_import_panel` is drawn by the Talleres page for an open workshop: the file is
read and validated by :mod:`geo.workshops.capture` (nothing written), the preview lists the
needs it will create and every rejected row (with the error workbook to download), and
«Registrar necesidades» records them all through the store, as the logged-in account.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.errors import DataError
from geo.uploads import check_upload_size, size_hint
from geo.workshops.capture import CapturePlan, apply_capture, plan_capture, registered
from layers.sanitize import clean_markdown
from ui import auth
from ui.messages import refused
from ui.state import engine
from ui.tables import show_table
from ui.uploads import file_input

log = logging.getLogger(__name__)


def _plan(workshop_id: int, name: str, data: bytes) -> CapturePlan:
    check_upload_size(name, len(data))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "captura.xlsx"
        path.write_bytes(data)
        with engine().connect() as conn:
            return plan_capture(
                conn, auth.actor("página Talleres: importar captura"), path, workshop_id, name
            )


def preview_table(plan: CapturePlan) -> pd.DataFrame:
    """The needs the file will create, one row each (texts as typed: the table shows them inert)."""
    return pd.DataFrame(
        [
            {
                "Fila": r.row,
                "Celda": r.cell,
                "Tipo": r.kind,
                "Estrategia": r.strategy_label,
                "Texto": r.text,
                "Votos": r.votes,
                "Estado": "ya importada (no se repite)" if r.already else "nueva",
            }
            for r in plan.rows
        ]
    )


def capture_import_panel(workshop_id: int) -> None:
    """Upload, preview and confirm a capture spreadsheet of ``workshop_id`` (roles that record needs)."""
    if not auth.can("workshops"):
        return
    upload = file_input(
        "Planilla de captura llenada (.xlsx)",
        type=["xlsx"],
        key=f"captura_subida_{workshop_id}",
        help=f"La plantilla de captura del taller con las filas escritas. {size_hint()}",
    )
    if upload is None:
        return
    try:
        plan = _plan(workshop_id, upload.name, upload.getvalue())
    except DataError as exc:
        st.error(refused(exc))
        return
    counts = plan.counts()
    st.markdown(
        clean_markdown(f"{plan.file} · {plan.territory.label}: ")
        + ", ".join(f"**{n}** {clean_markdown(k)}" for k, n in counts.items())
    )
    if plan.rows:
        show_table(preview_table(plan), hide_index=True, width="stretch")
    if plan.errors:
        st.error("\n".join(f"- {clean_markdown(m)}" for m in plan.messages()))
        st.download_button(
            "Descargar errores por fila (.xlsx)",
            plan.error_workbook(),
            file_name="errores_captura.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"captura_errores_{workshop_id}",
        )
        st.info(
            "No se registra nada mientras haya filas con errores: corríjalas y suba la planilla de nuevo."
        )
        return
    if not plan.new:
        st.info("Todas las necesidades de esta planilla ya estaban importadas.")
        return
    n_new = len(plan.new)
    label = "Registrar 1 necesidad" if n_new == 1 else f"Registrar {n_new} necesidades"
    if st.button(label, type="primary", key=f"captura_ok_{workshop_id}"):
        try:
            ids = apply_capture(engine(), plan, auth.actor(f"página Talleres: planilla {plan.file}"))
        except DataError as exc:
            st.error(refused(exc))
            return
        st.cache_data.clear()
        st.success(f"{registered(len(ids))} desde {clean_markdown(plan.file)}.")
