"""Baseline for bench_map.py: the smallest Streamlit page (a title), same server config.

Its load time in the same browser setup is the floor any Streamlit page pays on this
machine (Streamlit's own JS bundle, websocket session, first script run).
"""

import streamlit as st

st.set_page_config(page_title="SIT PLADECO Vallenar", layout="wide")
st.title("Línea base")
