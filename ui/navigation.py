"""Which pages each role sees: the one table, the pages given to ``st.navigation``, the guard.

:data:`PAGES` says, for every file of ``pages/``, who may open it: a capability of
:mod:`geo.store.permissions`, any account (:data:`ACCOUNT`), also the public when
``public_read`` is on (:data:`PUBLIC`), or only people not logged in (:data:`ANONYMOUS`, the
login page). The router gives ``st.navigation`` the pages the session may see; every other
page of the table is registered at its own address as a hidden stand-in that only says
"No autorizado" (:func:`refusal`), so a direct URL shows that instead of falling back to
another page, and the page's file is never run.

Streamlit can still run a file of ``pages/`` directly: until some session of the process
has called ``st.navigation`` it serves ``pages/`` the old way (a deep link on the first
request after the server starts). So every page starts with :func:`guard` (or
:func:`ui.frame.page_frame`, which calls it) before anything of the page runs.
"""

from __future__ import annotations

import logging
import runpy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from geo.domain import ROLES
from geo.settings import PROJECT_ROOT, get_settings
from geo.store.permissions import allowed
from layers.sanitize import clean_markdown
from ui import auth

log = logging.getLogger(__name__)

#: Who may open a page, besides a capability name.
PUBLIC = "público"
ACCOUNT = "cuenta"
ANONYMOUS = "sin sesión"
#: Anyone, logged in or not, whatever ``public_read`` says: the phone participation page,
#: whose own key is a workshop's open code (checked by the page and the store). Never listed
#: in the sidebar.
EVERYONE = "cualquiera"

ss = st.session_state
#: Set by the router once it has checked the session in this run (see :func:`guard`).
CHECKED_KEY = "_sit_session_checked"

#: Title of the stand-in of a page the session may not see (also the browser tab's).
REFUSED_TITLE = "No autorizado"


@dataclass(frozen=True)
class PageEntry:
    """One page: its file, title, icon and who may open it."""

    file: str
    title: str
    icon: str
    audience: str
    """A capability of :data:`geo.store.permissions.CAPABILITIES`, or PUBLIC, ACCOUNT, ANONYMOUS."""
    wall: bool = False
    """Shown on a wall (the projector): no sidebar and no banners above the page."""

    @property
    def url_path(self) -> str:
        """Its address: the file's name (``pages/capas.py`` -> ``/capas``)."""
        return Path(self.file).stem


#: Every page, in the order of the sidebar.
PAGES: tuple[PageEntry, ...] = (
    PageEntry("pages/mapa.py", "Mapa del PLADECO", ":material/map:", PUBLIC),
    PageEntry("pages/brechas.py", "Brechas territoriales", ":material/query_stats:", PUBLIC),
    PageEntry("pages/inversion.py", "Inversión por territorio", ":material/payments:", PUBLIC),
    PageEntry("pages/calidad.py", "Calidad de datos", ":material/rule:", ACCOUNT),
    PageEntry("pages/proyector.py", "Modo proyector", ":material/co_present:", ACCOUNT, wall=True),
    # Everyone with an account reads the evaluation (the Concejo too); cuts need ``evaluation``.
    PageEntry("pages/evaluacion.py", "Evaluación del PLADECO", ":material/fact_check:", ACCOUNT),
    PageEntry("pages/iniciativas.py", "Iniciativas", ":material/edit_location_alt:", "initiatives"),
    # Facilitadores record workshops and needs; SECPLAC opens it to confirm which initiatives answer them.
    PageEntry("pages/talleres.py", "Talleres", ":material/groups:", "need_links"),
    PageEntry("pages/planillas.py", "Planillas", ":material/table_view:", "reports"),
    PageEntry("pages/capas.py", "Importar capas", ":material/upload_file:", "official_layers"),
    PageEntry("pages/actividad.py", "Actividad", ":material/history:", "activity"),
    PageEntry("pages/usuarios.py", "Usuarios", ":material/group:", "accounts"),
    PageEntry("pages/mi_cuenta.py", "Mi cuenta", ":material/account_circle:", ACCOUNT),
    PageEntry("pages/ingresar.py", "Ingresar", ":material/login:", ANONYMOUS),
    PageEntry("pages/participar.py", "Participar en el taller", ":material/smartphone:", EVERYONE),
)
_BY_FILE = {e.file: e for e in PAGES}
HOME = "pages/mapa.py"
LOGIN = "pages/ingresar.py"


def may_open(entry: PageEntry, role: str | None, logged_in: bool, public_read: bool) -> bool:
    """Whether a session (``role``; ``logged_in``) may open ``entry``."""
    if entry.audience == EVERYONE:
        return True
    if entry.audience == ANONYMOUS:
        return not logged_in
    if entry.audience == PUBLIC:
        return logged_in or public_read
    if entry.audience == ACCOUNT:
        return logged_in
    return logged_in and allowed(role, entry.audience)


def _session() -> tuple[str | None, bool, bool]:
    who = auth.signed_in()
    return (who.role if who else None), who is not None, get_settings().public_read


def visible(file: str) -> bool:
    """Whether this session may open the page ``file`` (e.g. to draw a link to it)."""
    return may_open(_BY_FILE[file], *_session())


def entry_of(script: str) -> PageEntry:
    """The table's entry of a page script (its ``__file__``); a page missing from it is an error."""
    rel = Path(script).resolve().relative_to(PROJECT_ROOT).as_posix()
    if rel not in _BY_FILE:
        raise LookupError(f"{rel} is not in ui.navigation.PAGES: say who may open it there")
    return _BY_FILE[rel]


def refusal(entry: PageEntry) -> None:
    """What a session that may not open ``entry`` sees instead: "No autorizado", and a way in.

    Nobody logged in gets the login form here, and the same address leads to the page after
    logging in (if the account may see it). A session that has just ended (idle, logged
    out, account changed) gets the login form with the reason instead of "No autorizado".
    """
    who = auth.signed_in()
    if who is not None:
        st.title(REFUSED_TITLE)
        st.error(
            f"No autorizado: el rol {clean_markdown(ROLES.get(who.role, who.role))} no puede ver "
            f"«{entry.title}».",
            icon=":material/lock:",
        )
        try:
            st.page_link(HOME, label="Volver al mapa", icon=":material/map:")
        except StreamlitPageNotFoundError:  # the page ran alone, without the router's pages
            pass
        return
    if auth.NOTICE_KEY in ss:
        st.title("Ingresar")
    else:
        st.title(REFUSED_TITLE)
        st.error(
            f"No autorizado: para ver «{entry.title}» ingrese con una cuenta que tenga acceso.",
            icon=":material/lock:",
        )
    if auth.login_form(key="login_here"):
        st.rerun()


def _stand_in(entry: PageEntry) -> Callable[[], None]:
    def no_autorizado() -> None:
        refusal(entry)

    return no_autorizado


def pages_for_session() -> tuple[list, dict[str, object]]:
    """(the pages to give ``st.navigation``, the Page of each visible file) for this session.

    Pages the session may see are listed in the sidebar; every other page of the table is a
    hidden stand-in at the same address that only shows :func:`refusal`. For an account the
    login page stays reachable, hidden, and sends the person on to the map.
    """
    role, logged_in, public_read = _session()
    home = LOGIN if not (logged_in or public_read) else HOME
    pages: list = []
    by_file: dict[str, object] = {}
    for entry in PAGES:
        if entry.audience == EVERYONE:
            page = st.Page(entry.file, title=entry.title, icon=entry.icon, visibility="hidden")
            by_file[entry.file] = page
        elif may_open(entry, role, logged_in, public_read):
            page = st.Page(entry.file, title=entry.title, icon=entry.icon, default=entry.file == home)
            by_file[entry.file] = page
        elif entry.file == LOGIN:
            page = st.Page(entry.file, title=entry.title, icon=entry.icon, visibility="hidden")
            by_file[entry.file] = page
        else:
            page = st.Page(
                _stand_in(entry), title=REFUSED_TITLE, url_path=entry.url_path, visibility="hidden"
            )
        pages.append(page)
    return pages, by_file


def shows_login(page: object, by_file: dict[str, object]) -> bool:
    """Whether ``page`` (the one the router runs) draws the login form: the login page or a stand-in."""
    return page is by_file.get(LOGIN) or getattr(page, "title", "") == REFUSED_TITLE


def on_wall(page: object, by_file: dict[str, object]) -> bool:
    """Whether ``page`` (the one the router runs) is shown on a wall (:attr:`PageEntry.wall`)."""
    return any(e.wall and by_file.get(e.file) is page for e in PAGES)


def guard(script: str) -> PageEntry:
    """First thing every page does: stop here, with "No autorizado", unless this session may open it.

    When Streamlit runs the file directly (no session of the process has called
    ``st.navigation`` yet; AppTest does it on every run), turn that mode off, as
    ``st.navigation`` would, and run the router in its place, in this same run (so a click
    that started it is not lost): it gives this address its page, or its stand-in.
    """
    entry = entry_of(script)
    ctx = get_script_run_ctx()
    if PagesManager.uses_pages_directory and ctx is not None:
        log.info("%s was run without the router; running the router instead", entry.file)
        PagesManager.uses_pages_directory = False
        runpy.run_path(ctx.pages_manager.main_script_path, run_name="__main__")
        st.stop()
    if not ss.pop(CHECKED_KEY, False):  # the router did not run first (AppTest runs a page alone)
        auth.check_session()
    if entry.file == LOGIN and auth.signed_in() is not None:
        st.switch_page(HOME)  # already in: the login page leads on to the map
    if not visible(entry.file):
        log.info("refused %s to role %s", entry.file, auth.role() or "(nobody logged in)")
        refusal(entry)
        st.stop()
    return entry
