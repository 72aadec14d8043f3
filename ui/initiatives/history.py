"""The editor's lifecycle and history: archive or restore, every change, every status."""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
import streamlit as st

from geo.domain import FIELD_LABELS, format_datetime, status_label
from geo.errors import ConflictError, DataError, ValidationError
from geo.store.initiatives import set_archived
from ui import auth
from ui.initiatives import data as editor_data
from ui.initiatives.editor import FLASH
from ui.messages import flash, refused
from ui.state import engine
from ui.tables import show_table

log = logging.getLogger(__name__)
ss = st.session_state


def archive_panel(data: dict[str, Any], expected_version: int) -> None:
    """Archive an active initiative (with a reason) or restore an archived one."""
    archived = data["archived_at"] is not None
    iid = data["id"]
    if archived:
        st.warning(
            f"Iniciativa **archivada** el {format_datetime(data['archived_at'])}: no aparece en los "
            "mapas, los conteos ni las exportaciones. Restáurela para volver a editarla.",
            icon=":material/inventory_2:",
        )
        clicked = st.button("Restaurar la iniciativa", key="ed_restore", icon=":material/unarchive:")
        reason = None
    else:
        with st.expander("Archivar esta iniciativa"):
            st.caption(
                "Archivar no borra nada: la iniciativa sale de mapas, conteos y exportaciones, conserva "
                "su historial y se puede restaurar."
            )
            reason = st.text_input("Motivo (queda en el historial)", key=f"ed_archive_reason_{iid}")
            clicked = st.button("Archivar", key="ed_archive", icon=":material/archive:")
    if not clicked:
        return
    try:
        actor = auth.actor("página Iniciativas")
        result = set_archived(engine(), actor, iid, not archived, expected_version, reason)
    except ValidationError as exc:
        st.error(refused(exc, " ".join(f"{FIELD_LABELS.get(f, f)}: {m}" for f, m in exc.errors.items())))
        return
    except (ConflictError, DataError) as exc:
        st.error(refused(exc))
        return
    ss.setdefault("ed_opened", {})[iid] = result.version
    flash(FLASH, f"Iniciativa {'restaurada' if archived else 'archivada'} (versión {result.version}).")
    st.rerun()


def history_tables(initiative_id: int) -> None:
    """Every change (who, when, each field before -> after) and the status history."""
    changes = editor_data.changes(initiative_id)
    st.subheader("Historial de cambios")
    if changes:
        show_table(
            pd.DataFrame(
                [
                    {
                        "Fecha": h["when"],
                        "Por": h["by"],
                        "Cómo": h["via"] or "—",
                        "Acción": h["action"],
                        "Cambios": " · ".join(h["lines"]),
                    }
                    for h in changes
                ]
            ),
            hide_index=True,
            width="stretch",
            column_config={"Cambios": st.column_config.TextColumn(width="large")},
        )
    else:
        st.caption("Sin cambios registrados.")
    rows = editor_data.history(initiative_id)
    st.subheader("Historial de estados")
    if not rows:
        st.caption("Sin cambios de estado registrados.")
        return
    show_table(
        pd.DataFrame(
            [
                {
                    "Fecha": format_datetime(r["changed_at"]),
                    "Por": r["by"],
                    "De": status_label(r["from_status"]) if r["from_status"] else "—",
                    "A": status_label(r["to_status"]),
                    "Comentario": r["comment"] or "",
                }
                for r in rows
            ]
        ),
        hide_index=True,
        width="stretch",
    )
