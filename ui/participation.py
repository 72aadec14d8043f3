"""Streamlit glue of residents' phone participation: the phone page, the QR and the queue.

- :func:`phone_page`: all of ``pages/participar.py``: no sidebar, large touch targets; a
  resident with the workshop's code places a point on a small map (or chooses a place by
  name), writes a need with its kind and strategy, and sends it (as a participant actor:
  :func:`geo.store.participation.submit_need`).
- :func:`participation_qr`: the QR code of the phone page's address and the short code, an SVG
  drawn inline as an image (``data:`` URL: ``st.html`` drops ``<svg>``), large enough for a
  projector.
- :func:`participation_panel`: the facilitator's controls on the Talleres page: open or close
  participation, the QR, and the queue of pending needs to accept or reject.

Every text a person typed is shown inert: Markdown-escaped (``clean_markdown``), or in a
table, or HTML-escaped in the QR's caption.
"""

from __future__ import annotations

import base64
import html
import logging
from urllib.parse import urlsplit

import streamlit as st

from geo.domain import NEED_KINDS, OTHER_STRATEGY
from geo.errors import DataError
from geo.reports.kit import qr_svg, strategies
from geo.settings import get_settings
from geo.store.participation import (
    accept_need,
    close_participation,
    open_participation,
    open_workshop,
    participant,
    participation_url,
    pending_needs,
    reject_need,
    submit_need,
)
from geo.workshops.phone import participation_state, point_wkb, workshop_area, workshop_places
from layers.participation_map import phone_map
from layers.sanitize import clean_markdown
from ui import auth
from ui.folium_map import show_folium
from ui.messages import refused
from ui.state import engine

log = logging.getLogger(__name__)

ss = st.session_state

#: The phone page: no sidebar (nor its toggle), and large touch targets.
PHONE_CSS = """
<style>
section[data-testid="stSidebar"], div[data-testid="stSidebarCollapsedControl"],
button[data-testid="stExpandSidebarButton"], [data-testid="stSidebarNav"] { display: none !important; }
div.block-container { padding-top: 1.2rem; max-width: 40rem; }
.stButton button, .stFormSubmitButton button { min-height: 3.2rem; font-size: 1.15rem; }
div[data-baseweb="select"] > div, textarea { font-size: 1.1rem !important; min-height: 3rem; }
div[data-testid="stRadio"] label { font-size: 1.15rem; min-height: 2.8rem; }
</style>
"""


def _base_url() -> str:
    """The app's address for phones: ``sit serve --lan``'s, else the one this browser uses."""
    configured = get_settings().lan_url
    if configured:
        return configured
    try:
        parts = urlsplit(st.context.url or "")
    except Exception:  # noqa: BLE001 - no request context (AppTest): a neutral default
        parts = urlsplit("")
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else "http://127.0.0.1:8501"


def participation_qr(code: str) -> None:
    """The QR code of the phone page for ``code`` (inline SVG) with the short code and the address."""
    url = participation_url(_base_url(), code)
    # st.html drops <svg> elements (its sanitiser), so the SVG goes in as an image's data URL.
    svg = base64.b64encode(qr_svg(url, scale=8, fluid=True).encode("utf-8")).decode("ascii")
    st.html(
        '<div class="sit-participacion-qr" '
        'style="display:flex;gap:1.5rem;align-items:center;flex-wrap:wrap">'
        '<div style="width:min(320px,80vw)"><img alt="Código QR de la participación" '
        'style="width:100%;height:auto;image-rendering:pixelated" '
        f'src="data:image/svg+xml;base64,{svg}"/></div>'
        '<div><div style="font-size:1.2rem">Participe desde su teléfono: escanee el código o abra</div>'
        f'<div style="font-size:1.3rem;font-weight:bold;word-break:break-all">{html.escape(url)}</div>'
        '<div style="font-size:1.2rem;margin-top:0.8rem">Código del taller</div>'
        f'<div class="sit-codigo" style="font-size:3.2rem;font-weight:bold;letter-spacing:0.3rem">'
        f"{html.escape(code)}</div></div></div>"
    )


def participation_panel(workshop_id: int) -> None:
    """The facilitator's phone participation: open/close, the QR, and the queue to accept or reject."""
    if not auth.can("workshops"):
        return
    with engine().connect() as conn:
        state = participation_state(conn, workshop_id)
        queue = pending_needs(conn, workshop_id) if state else []
    if state is None:
        return
    who = auth.actor("página Talleres: participación por teléfono")
    try:
        if state.participation_open and state.code:
            participation_qr(state.code)
            if st.button("Cerrar la participación por teléfono", key=f"part_cerrar_{workshop_id}"):
                close_participation(engine(), who, workshop_id)
                st.rerun()
        elif state.workshop_open:
            if st.button(
                "Abrir la participación por teléfono", type="primary", key=f"part_abrir_{workshop_id}"
            ):
                open_participation(engine(), who, workshop_id)
                st.rerun()
        else:
            st.caption("El taller está cerrado: la participación por teléfono terminó con él.")
        _queue(workshop_id, queue, who)
    except DataError as exc:
        st.error(refused(exc))


def _queue(workshop_id: int, queue: list[dict], who: object) -> None:
    st.subheader(f"Enviadas por teléfono, por revisar ({len(queue)})")
    if not queue:
        st.caption("No hay necesidades pendientes.")
        return
    for need in queue:
        with st.container(border=True):
            kind = NEED_KINDS.get(need["kind"], need["kind"])
            st.markdown(f"**{clean_markdown(kind)}** · {clean_markdown(need['strategy'] or OTHER_STRATEGY)}")
            st.markdown(clean_markdown(need["text"]))
            a, r = st.columns(2)
            if a.button("Aceptar", key=f"part_ok_{need['id']}", type="primary", width="stretch"):
                accept_need(engine(), who, need["id"])  # type: ignore[arg-type]
                st.rerun()
            if r.button("Rechazar", key=f"part_no_{need['id']}", width="stretch"):
                reject_need(engine(), who, need["id"])  # type: ignore[arg-type]
                st.rerun()


def _device() -> str:
    """What the page knows of the phone: its address on the network and its browser."""
    try:
        ip = st.context.ip_address or ""
        agent = st.context.headers.get("User-Agent", "")
    except Exception:  # noqa: BLE001 - no request context (AppTest)
        ip, agent = "", ""
    return f"{ip}|{agent}"


def phone_page() -> None:
    """The phone participation page: code, place, kind, strategy, text, «Enviar»."""
    st.html(PHONE_CSS)
    st.title("Participe en el taller")
    code = st.query_params.get("codigo") or ss.get("part_codigo") or ""
    if not code:
        typed = st.text_input("Código del taller (está en la pantalla)", key="part_codigo_escrito")
        code = typed.strip()
    with engine().connect() as conn:
        workshop = open_workshop(conn, code)
        if workshop is None:
            if code:
                st.error(
                    "Ese código no corresponde a un taller que esté recibiendo necesidades ahora. "
                    "Revise el código en la pantalla del taller."
                )
            return
        places = workshop_places(conn, workshop.id)
        area = workshop_area(conn, workshop.id)
        plan = strategies(conn)
    ss["part_codigo"] = workshop.code
    territories = ", ".join(workshop.territories)
    st.markdown(
        f"**Taller {workshop.id}** · {clean_markdown(workshop.place)} · {workshop.held_on:%d-%m-%Y}  \n"
        f"{clean_markdown(territories)}"
    )
    _thanks()
    st.markdown("**1. ¿Dónde?** Toque el mapa, o elija un lugar por su nombre.")
    chosen = ss.get("part_punto")
    out = show_folium(
        phone_map(area, chosen),
        height=300,
        use_container_width=True,
        key="part_mapa",
        returned_objects=["last_clicked"],
    )
    clicked = (out or {}).get("last_clicked")
    if clicked and (clicked["lng"], clicked["lat"]) != chosen:
        ss["part_punto"] = (clicked["lng"], clicked["lat"])
        ss["part_lugar"] = None
        st.rerun()
    labels = [p.label for p in places]
    named = st.selectbox(
        "Lugar por nombre", labels, index=None, placeholder="Elegir un lugar…", key="part_lugar"
    )
    st.markdown("**2. ¿Qué es?**")
    kind = st.radio("Tipo", list(NEED_KINDS), format_func=NEED_KINDS.get, horizontal=True, key="part_tipo")
    ids = {f"{s['code']} · {s['name']}": int(s["id"]) for s in plan}
    options = list(ids)
    strategy = st.selectbox(
        "Tema del PLADECO (estrategia)", [*options, OTHER_STRATEGY], index=len(options), key="part_estrategia"
    )
    sent = ss.get("part_enviadas", 0)
    body = st.text_area("Escriba la necesidad", max_chars=1000, key=f"part_texto_{sent}", height=140)
    if not st.button("Enviar necesidad", type="primary", width="stretch", key="part_enviar"):
        return
    point: tuple[float, float] | None = ss.get("part_punto")
    if named:
        place = next(p for p in places if p.label == named)
        point = (place.lon, place.lat)
    if point is None:
        st.error("Falta el lugar: toque el mapa o elija un lugar por su nombre.")
        return
    strategy_id = ids.get(strategy)
    try:
        submit_need(
            engine(),
            participant(workshop.code),
            workshop.code,
            _device(),
            kind,
            strategy_id,
            body,
            point_wkb(*point),
        )
    except DataError as exc:
        st.error(refused(exc))
        return
    ss.pop("part_punto", None)
    ss["part_enviadas"] = sent + 1
    ss["part_gracias"] = True
    st.rerun()


def _thanks() -> None:
    if ss.pop("part_gracias", False):
        st.success(
            "¡Gracias! Su necesidad llegó al equipo del taller, que la revisará antes de mostrarla. "
            "Puede enviar otra."
        )
