"""Streamlit glue of «Mi cuenta» and «Usuarios»: forms over :mod:`geo.accounts` (as ``sit user``)."""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from geo.accounts.login import LoginRefused, change_own_password
from geo.accounts.passwords import MIN_LENGTH
from geo.accounts.users import Account, create_user, list_accounts, reset_password, set_active
from geo.domain import ROLES, format_datetime
from geo.errors import DataError, ValidationError
from layers.sanitize import clean_markdown
from ui import auth
from ui.messages import flash, refused, show_flash
from ui.state import engine
from ui.tables import show_table

log = logging.getLogger(__name__)

ss = st.session_state
VIA = "página Usuarios"
_PASSWORD_HELP = f"Al menos {MIN_LENGTH} caracteres; no use el nombre de usuario."


def _problem(exc: DataError) -> None:
    if isinstance(exc, ValidationError):
        st.error(refused(exc), icon=":material/error:")
    else:
        st.error(refused(exc), icon=":material/block:")


def own_account() -> None:
    """Name, username and role of the account logged in."""
    who = auth.signed_in()
    if who is None:
        return
    st.markdown(
        f"**{clean_markdown(who.full_name)}** · usuario «{clean_markdown(who.username)}» · "
        f"rol {clean_markdown(who.role_label)}"
    )


def change_password_form() -> None:
    """Current password, the new one twice; other sessions of the account end with the change."""
    who = auth.signed_in()
    if who is None:
        return
    show_flash("mi_cuenta")
    with st.form("own_password", clear_on_submit=True):
        current = st.text_input("Contraseña actual", type="password", key="own_current")
        new = st.text_input("Contraseña nueva", type="password", key="own_new", help=_PASSWORD_HELP)
        again = st.text_input("Repita la contraseña nueva", type="password", key="own_again")
        sent = st.form_submit_button("Cambiar mi contraseña", icon=":material/key:")
    if not sent:
        return
    if new != again:
        st.error("La contraseña nueva y su repetición no coinciden: no se cambió nada.")
        return
    try:
        account = change_own_password(engine(), who.username, current, new)
    except LoginRefused as exc:
        log.info("own password change refused (%s)", exc.reason)
        st.error("La contraseña actual no es correcta: no se cambió nada.", icon=":material/block:")
        return
    except DataError as exc:
        _problem(exc)
        return
    auth.remember_new_password(account)
    flash("mi_cuenta", "Contraseña cambiada. Las demás sesiones abiertas con esta cuenta se cerrarán.")
    st.rerun()


def _flash_and_rerun(message: str) -> None:
    flash("usuarios", message)
    st.rerun()


def _accounts() -> list[Account]:
    return list_accounts(engine())


def accounts_table() -> None:
    """Every account: name, role, unit, whether it is active or locked, when its password changed."""
    rows = _accounts()
    if not rows:
        st.info("No hay cuentas.")
        return
    show_table(
        pd.DataFrame(
            [
                {
                    "Usuario": a.username,
                    "Nombre": a.full_name,
                    "Rol": a.role_label,
                    "Unidad": a.unit or "",
                    "Activa": "Sí" if a.active else "No",
                    "Bloqueada hasta": format_datetime(a.locked_until) if a.locked_until else "",
                    "Contraseña cambiada": format_datetime(a.password_changed_at)
                    if a.password_changed_at
                    else "",
                }
                for a in rows
            ]
        ),
        hide_index=True,
        width="stretch",
    )


def create_form() -> None:
    """A new account with the password the administrator typed twice."""
    with st.form("user_new"):
        c1, c2 = st.columns(2)
        username = c1.text_input("Nombre de usuario", key="user_new_username", placeholder="mperez")
        full_name = c2.text_input("Nombre completo", key="user_new_name")
        c1, c2 = st.columns(2)
        roles = list(ROLES)
        role = c1.selectbox(
            "Rol",
            roles,
            index=roles.index("concejo"),  # the least power until the administrator chooses more
            format_func=ROLES.get,
            key="user_new_role",
        )
        unit = c2.text_input("Unidad (opcional)", key="user_new_unit")
        c1, c2 = st.columns(2)
        password = c1.text_input("Contraseña", type="password", key="user_new_password", help=_PASSWORD_HELP)
        again = c2.text_input("Repita la contraseña", type="password", key="user_new_again")
        sent = st.form_submit_button("Crear la cuenta", type="primary", icon=":material/person_add:")
    if not sent:
        return
    if password != again:
        st.error("La contraseña y su repetición no coinciden: no se creó la cuenta.")
        return
    try:
        account = create_user(engine(), auth.actor(VIA), username, full_name, role, password, unit or None)
    except DataError as exc:
        _problem(exc)
        return
    for key in ("user_new_username", "user_new_name", "user_new_unit", "user_new_password", "user_new_again"):
        ss.pop(key, None)
    _flash_and_rerun(
        f"Cuenta «{clean_markdown(account.username)}» creada con el rol {clean_markdown(account.role_label)}."
    )


def _pick(label: str, key: str) -> Account | None:
    accounts = {a.username: a for a in _accounts()}
    chosen = st.selectbox(
        label,
        list(accounts),
        index=None,
        key=key,
        placeholder="Elija una cuenta",
        format_func=lambda u: f"{u} · {accounts[u].full_name} ({accounts[u].role_label})",
    )
    return accounts.get(chosen) if chosen else None


def reset_form() -> None:
    """Set a new password on someone's account (also clears a lock); its open sessions end."""
    account = _pick("Cuenta", "user_reset_pick")
    with st.form("user_reset", clear_on_submit=True):
        password = st.text_input(
            "Contraseña nueva", type="password", key="user_reset_password", help=_PASSWORD_HELP
        )
        again = st.text_input("Repita la contraseña nueva", type="password", key="user_reset_again")
        sent = st.form_submit_button("Restablecer la contraseña", icon=":material/lock_reset:")
    if not sent:
        return
    if account is None:
        st.error("Elija la cuenta cuya contraseña quiere restablecer.")
        return
    if password != again:
        st.error("La contraseña nueva y su repetición no coinciden: no se cambió nada.")
        return
    try:
        reset_password(engine(), auth.actor(VIA), account.username, password, account.version)
    except DataError as exc:
        _problem(exc)
        return
    _flash_and_rerun(
        f"Contraseña de «{clean_markdown(account.username)}» restablecida; sus sesiones abiertas se cerrarán."
    )


def activation_form() -> None:
    """Disable an account (it can no longer log in; its open sessions end) or enable it again."""
    account = _pick("Cuenta", "user_active_pick")
    if account is None:
        return
    if account.active:
        st.caption(
            "Una cuenta desactivada no puede ingresar; sus sesiones abiertas terminan. Su historial "
            "se conserva."
        )
        clicked = st.button("Desactivar la cuenta", key="user_disable", icon=":material/person_off:")
    else:
        st.caption("La cuenta está desactivada.")
        clicked = st.button("Activar la cuenta", key="user_enable", icon=":material/person_check:")
    if not clicked:
        return
    try:
        set_active(engine(), auth.actor(VIA), account.username, not account.active, account.version)
    except DataError as exc:
        _problem(exc)
        return
    done = "activada" if not account.active else "desactivada"
    _flash_and_rerun(f"Cuenta «{clean_markdown(account.username)}» {done}.")
