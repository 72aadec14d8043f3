"""Usuarios (administrador): the accounts, a new one, a password reset, disable or enable."""

import streamlit as st

from ui import accounts
from ui.messages import show_flash
from ui.navigation import guard

guard(__file__)
st.title("Usuarios")
st.caption(
    "Las mismas operaciones que `sit user` en la consola. Nadie recibe una contraseña por "
    "defecto: escriba una de al menos 10 caracteres y entréguela a la persona, que puede "
    "cambiarla en «Mi cuenta»."
)
show_flash("usuarios")
accounts.accounts_table()
tab_new, tab_reset, tab_active = st.tabs(["Nueva cuenta", "Restablecer contraseña", "Desactivar o activar"])
with tab_new:
    accounts.create_form()
with tab_reset:
    accounts.reset_form()
with tab_active:
    accounts.activation_form()
