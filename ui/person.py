"""Who is working: the name typed in the sidebar, recorded with every change.

Until people log in with accounts, a write needs a name; it is kept in a plain session key
(not a widget key) so it survives page changes.
"""

from __future__ import annotations

import logging

import streamlit as st

log = logging.getLogger(__name__)

ss = st.session_state


def person_name() -> str:
    """Sidebar "Su nombre", kept for the session; every save records it."""
    name = st.sidebar.text_input(
        "Su nombre",
        value=ss.get("editor", ""),
        key="ed_editor",
        placeholder="Nombre y apellido",
        help="Queda registrado en el historial de cada cambio.",
    )
    ss["editor"] = name.strip()
    return ss["editor"]


def ask_for_name(name: str) -> None:
    """Say, once at the top of a page that writes, that saving needs a name."""
    if not name:
        st.info(
            "Escriba **su nombre** en la barra lateral: queda en el historial de cada cambio y "
            "sin él no se puede guardar.",
            icon=":material/person:",
        )
