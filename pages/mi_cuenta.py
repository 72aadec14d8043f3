"""Mi cuenta: who is logged in, and a change of one's own password."""

import streamlit as st

from ui import accounts
from ui.navigation import guard

guard(__file__)
st.title("Mi cuenta")
accounts.own_account()
st.subheader("Cambiar mi contraseña")
accounts.change_password_form()
