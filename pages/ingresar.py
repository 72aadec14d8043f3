"""Ingresar: the login form (usuario, contraseña), the only page before logging in."""

import streamlit as st

from ui import auth
from ui.navigation import guard

guard(__file__)
st.title("Ingresar")
st.caption(
    "SIT PLADECO Vallenar. Ingrese con la cuenta que le entregó el administrador del sistema; "
    "la sesión se cierra al cerrar la pestaña o al recargar la página."
)
if auth.login_form():
    st.rerun()  # the router now gives this session the pages of its role
