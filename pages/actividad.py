"""Actividad: the audit log, who changed what and when (administrador, secplac)."""

import pandas as pd
import streamlit as st

from geo.activity import latest_activity
from geo.domain import format_datetime
from ui import state
from ui.frame import page_frame

filters, version = page_frame()
st.title("Actividad")
st.caption("Quién cambió qué y cuándo, según el registro de auditoría (lo más reciente primero).")
with state.engine().connect() as conn:
    rows = latest_activity(conn)
st.dataframe(
    pd.DataFrame(
        [
            {
                "Cuándo": format_datetime(r["at"]),
                "Quién": r["who"],
                "Acción": r["action"],
                "Objeto": f"{r['table_name'] or ''} {r['row_id'] or ''}".strip(),
            }
            for r in rows
        ]
    ),
    hide_index=True,
    width="stretch",
)
