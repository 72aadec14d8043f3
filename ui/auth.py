"""Who is logged in: the account of this browser session, login, logout and the idle limit.

The session lives on the server, in ``st.session_state`` (one per browser tab's websocket):
nothing about it is stored in the browser, so reloading the page starts a new session and
asks to log in again (Streamlit cannot set a cookie without a component). Every run checks
it first (:func:`check_session`): a session idle for longer than ``session_idle_hours``
ends, and so does one whose account was disabled or whose password changed since (the
person sees why on the login form). A fragment's rerun (a click on a map) does not run the
router: the next full run checks. Pages write as the account (:func:`actor`); the store
checks the role again (:mod:`geo.store.permissions`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from datetime import datetime

import streamlit as st

from geo.accounts.login import LoginRefused, authenticate
from geo.accounts.users import Account, find_account
from geo.domain import ROLES
from geo.errors import DataError
from geo.settings import get_settings
from geo.store.actor import Actor
from geo.store.permissions import allowed
from layers.sanitize import clean_markdown
from ui.messages import refused
from ui.state import engine

log = logging.getLogger(__name__)

ss = st.session_state
#: Session keys: the account logged in, when it last did something, a notice for the login form.
SESSION_KEY = "_sit_account"
SEEN_KEY = "_sit_seen"
NOTICE_KEY = "_sit_auth_notice"

#: The clock of the idle limit (seconds); tests replace it instead of waiting hours.
clock = time.time


@dataclass(frozen=True)
class SignedIn:
    """The account of this session, as it was when the person logged in."""

    user_id: int
    username: str
    full_name: str
    role: str
    password_changed_at: datetime | None

    @classmethod
    def of(cls, account: Account) -> SignedIn:
        """The session's copy of ``account``."""
        return cls(account.id, account.username, account.full_name, account.role, account.password_changed_at)

    @property
    def role_label(self) -> str:
        """The role's Spanish name."""
        return ROLES.get(self.role, self.role)


def signed_in() -> SignedIn | None:
    """The account of this session (as checked at the start of this run), or None."""
    who = ss.get(SESSION_KEY)
    return who if isinstance(who, SignedIn) else None


def role() -> str | None:
    """The role of this session; None when nobody is logged in (the public, if allowed)."""
    who = signed_in()
    return who.role if who else None


def can(capability: str) -> bool:
    """Whether this session may ``capability`` (:data:`geo.store.permissions.CAPABILITIES`)."""
    return allowed(role(), capability)


def actor(via: str) -> Actor:
    """Who writes from a page: the logged-in account (with nobody logged in, an actor the store refuses)."""
    who = signed_in()
    if who is None:
        return Actor("sin sesión iniciada", via)
    return Actor.account(who.user_id, who.full_name, who.role, via)


def idle_text(hours: float) -> str:
    """``8 horas``, ``30 minutos``, ``20 segundos``: the idle limit as people say it."""
    seconds = round(hours * 3600)
    if seconds % 3600 == 0:
        n = seconds // 3600
        return f"{n} hora" if n == 1 else f"{n} horas"
    if seconds % 60 == 0:
        return f"{seconds // 60} minutos"
    return f"{seconds} segundos"


def end_session(notice: str | None = None) -> None:
    """Forget everything this session held (the account, what was typed, chosen or uploaded).

    The next person at the same browser starts clean; ``notice`` is shown on the login form.
    """
    for key in list(ss.keys()):
        del ss[key]
    if notice:
        ss[NOTICE_KEY] = notice


def check_session() -> SignedIn | None:
    """Check this session at the start of a run; return its account, or None.

    Ends it (with a notice for the login form) when it was idle longer than the setting,
    or when its account was disabled, removed or given a new password since the login.
    """
    who = signed_in()
    if who is None:
        return None
    now = clock()
    hours = get_settings().session_idle_hours
    if now - ss.get(SEEN_KEY, now) > hours * 3600:
        log.info("session of account %s ended after %s h idle", who.user_id, hours)
        end_session(
            f"Su sesión se cerró porque pasaron más de {idle_text(hours)} sin actividad. Ingrese de nuevo."
        )
        return None
    account = find_account(engine(), who.username)
    if account is None or account.id != who.user_id or not account.active:
        log.info("session of account %s ended: the account is disabled or gone", who.user_id)
        end_session("Su sesión terminó: la cuenta fue desactivada. Consulte al administrador.")
        return None
    if account.password_changed_at != who.password_changed_at:
        log.info("session of account %s ended: its password changed", who.user_id)
        end_session("Su sesión terminó porque la contraseña de la cuenta cambió. Ingrese con la nueva.")
        return None
    current = SignedIn.of(account)
    ss[SESSION_KEY], ss[SEEN_KEY] = current, now
    return current


def start_session(account: Account) -> None:
    """This session now belongs to ``account`` (whatever it held before is forgotten)."""
    end_session()
    ss[SESSION_KEY], ss[SEEN_KEY] = SignedIn.of(account), clock()
    log.info("session started for account %s", account.id)


def remember_new_password(account: Account) -> None:
    """Keep this session open after its own password change (other sessions of the account end)."""
    who = signed_in()
    if who is not None and who.user_id == account.id:
        ss[SESSION_KEY] = replace(who, password_changed_at=account.password_changed_at)


def show_notice() -> None:
    """Why the person is asked to log in again (idle, logged out, account changed), once."""
    notice = ss.pop(NOTICE_KEY, None)
    if notice:
        st.warning(clean_markdown(notice), icon=":material/lock_clock:")


def login_form(key: str = "login") -> bool:
    """The login form (usuario, contraseña); True when the person has just logged in.

    Every refusal is the one Spanish message of :mod:`geo.accounts.login`: it never says
    whether the username exists, nor that an account is locked.
    """
    column, _ = st.columns([2, 3])
    with column:
        return _login(key)


def _login(key: str) -> bool:
    show_notice()
    with st.form(key, enter_to_submit=True, clear_on_submit=True):
        username = st.text_input("Usuario", key=f"{key}_user", autocomplete="username")
        password = st.text_input("Contraseña", type="password", key=f"{key}_password")
        sent = st.form_submit_button("Ingresar", type="primary", icon=":material/login:")
    if not sent:
        return False
    try:
        account = authenticate(engine(), username, password)
    except LoginRefused as exc:
        log.info("login refused (%s)", exc.reason)
        st.error(clean_markdown(str(exc)), icon=":material/block:")
        return False
    except DataError as exc:
        st.error(refused(exc))
        return False
    start_session(account)
    return True


def sidebar_account(who: SignedIn) -> bool:
    """Who is logged in, with which role, and «Cerrar sesión»; True when it was pressed."""
    box = st.sidebar.container(border=True)
    box.markdown(f"**{clean_markdown(who.full_name)}**  \n{clean_markdown(who.role_label)}")
    return box.button("Cerrar sesión", key="_sit_logout", icon=":material/logout:")
