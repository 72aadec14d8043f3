"""Logging in, the pages of each role, the idle limit, logout, Mi cuenta and Usuarios (AppTest).

The browser journeys (tests/browser/test_accounts.py) check what only a browser shows: the
sidebar, deep links on a fresh server, two sessions at once.
"""

from __future__ import annotations

import ast

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from geo.accounts.login import REFUSED
from geo.accounts.users import create_user, find_account, set_active
from geo.settings import PROJECT_ROOT
from geo.store.actor import Actor
from tests.conftest import app_test
from tests.pages.conftest import FAST, PAGE_ACCOUNTS, app_as
from tests.support.browser import PAGES_OF
from ui import auth, navigation

ADMIN = Actor.system("pruebas automáticas")


def titles(at) -> list[str]:
    return [t.value for t in at.title]


def test_every_page_is_in_the_table_and_guards_itself_before_anything_else():
    """The first statement of each file of pages/ (after its constants) is guard(__file__) or
    page_frame(__file__)."""
    files = sorted(p.relative_to(PROJECT_ROOT).as_posix() for p in (PROJECT_ROOT / "pages").glob("*.py"))
    assert files == sorted(e.file for e in navigation.PAGES)
    for file in files:
        tree = ast.parse((PROJECT_ROOT / file).read_text(encoding="utf-8"))
        body = [
            n
            for n in tree.body
            if not isinstance(n, ast.Import | ast.ImportFrom)
            and not (isinstance(n, ast.Assign | ast.Expr) and isinstance(n.value, ast.Constant))
        ]
        first = body[0]
        call = first.value if isinstance(first, ast.Expr | ast.Assign) else None
        assert isinstance(call, ast.Call), file
        assert isinstance(call.func, ast.Name) and call.func.id in ("guard", "page_frame"), file
        assert [a.id for a in call.args if isinstance(a, ast.Name)] == ["__file__"], file


def _visible(role: str | None, public_read: bool = False) -> list[str]:
    """The sidebar: the pages the session may open, less those never listed (the phone page)."""
    return [
        e.title
        for e in navigation.PAGES
        if e.audience != navigation.EVERYONE and navigation.may_open(e, role, role is not None, public_read)
    ]


def test_the_table_gives_each_role_its_pages():
    assert _visible(None) == ["Ingresar"]
    assert _visible(None, public_read=True) == [
        "Mapa del PLADECO",
        "Brechas territoriales",
        "Inversión por territorio",
        "Ingresar",
    ]
    for role, pages in PAGES_OF.items():
        assert _visible(role) == pages, role


@pytest.mark.parametrize(
    "page", ["iniciativas", "capas", "planillas", "usuarios", "calidad", "mapa", "inversion", "talleres"]
)
def test_a_page_run_alone_with_nobody_logged_in_runs_none_of_its_queries(engine, monkeypatch, page):
    """What Streamlit does with a deep link before any session called st.navigation."""

    def no_database(url):
        raise AssertionError("the page reached the database")

    monkeypatch.setattr("ui.state._engine", no_database)
    at = AppTest.from_file(f"../../pages/{page}.py", default_timeout=60)
    at.run()
    assert not at.exception
    assert titles(at) == ["No autorizado"]
    assert any("No autorizado" in e.value for e in at.error)
    # Only the login form: no widget of the page itself.
    assert [w.label for w in at.text_input] == ["Usuario", "Contraseña"]
    assert not at.file_uploader and not at.dataframe and not at.metric


def login(at, username: str, password: str):
    at.text_input(key="login_user").input(username)
    at.text_input(key="login_password").input(password)
    next(b for b in at.button if b.label == "Ingresar").click().run()
    return at


def test_wrong_password_and_unknown_user_get_the_same_refusal_then_the_right_one_gets_in(
    engine, monkeypatch, accounts
):
    username, full_name, password = PAGE_ACCOUNTS["secplac"]
    with app_as(monkeypatch, None) as at:
        assert titles(at) == ["Ingresar"]
        login(at, username, "no-es-la-clave")
        assert [e.value for e in at.error] == [REFUSED]
        login(at, "nadie-con-ese-nombre", "no-es-la-clave")
        assert [e.value for e in at.error] == [REFUSED]
        login(at, username, password)
        assert not at.exception and not at.error
        assert titles(at) == ["Mapa del PLADECO 2014-2017"]
        assert any(full_name in m.value for m in at.sidebar.markdown)
        assert auth.SESSION_KEY in at.session_state


def test_an_idle_session_ends_and_says_why(engine, monkeypatch, accounts):
    now = [1_000_000.0]
    monkeypatch.setattr(auth, "clock", lambda: now[0])
    with app_as(monkeypatch, accounts["concejo"]) as at:
        assert titles(at) == ["Mapa del PLADECO 2014-2017"]
        now[0] += 7.9 * 3600  # still within 8 hours of the last interaction
        at.run()
        assert titles(at) == ["Mapa del PLADECO 2014-2017"]
        now[0] += 8 * 3600 + 1
        at.run()
        assert titles(at) == ["Ingresar"]
        assert any("más de 8 horas sin actividad" in w.value for w in at.warning)
        assert auth.SESSION_KEY not in at.session_state


def test_logout_forgets_the_session(engine, monkeypatch, accounts):
    with app_as(monkeypatch, accounts["secplac"], "pages/iniciativas.py") as at:
        at.text_input(key="ed_search").input("E1").run()
        at.button(key="_sit_logout").click().run()
        assert not at.exception
        assert titles(at) == ["Ingresar"]
        assert any("Sesión cerrada" in w.value for w in at.warning)
        assert "ed_search" not in at.session_state and auth.SESSION_KEY not in at.session_state


def test_a_disabled_account_loses_its_open_session(engine, monkeypatch, accounts):
    extra = create_user(
        engine, ADMIN, "apptest-temp", "Tomás Temporal", "concejo", "clave-temporal-1", hasher=FAST
    )
    try:
        with app_as(monkeypatch, extra) as at:
            assert titles(at) == ["Mapa del PLADECO 2014-2017"]
            set_active(engine, ADMIN, "apptest-temp", False)
            at.run()
            assert titles(at) == ["Ingresar"]
            assert any("desactivada" in w.value for w in at.warning)
    finally:
        _drop(engine, extra.id)


def _drop(engine, user_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("DELETE FROM audit_log WHERE user_id = :i OR (table_name = 'app_user' AND row_id = :s)"),
            {"i": user_id, "s": str(user_id)},
        )
        conn.execute(text("DELETE FROM app_user WHERE id = :i"), {"i": user_id})


def test_mi_cuenta_changes_the_own_password(engine, monkeypatch, accounts):
    extra = create_user(
        engine, ADMIN, "apptest-own", "Olga Propia", "facilitador", "clave-inicial-1", hasher=FAST
    )
    try:
        with app_as(monkeypatch, extra, "pages/mi_cuenta.py") as at:
            assert any("Olga Propia" in m.value for m in at.markdown)
            at.text_input(key="own_current").input("clave-equivocada")
            at.text_input(key="own_new").input("clave-nueva-2026")
            at.text_input(key="own_again").input("clave-nueva-2026")
            next(b for b in at.button if b.label == "Cambiar mi contraseña").click().run()
            assert any("no es correcta" in e.value for e in at.error)
            at.text_input(key="own_current").input("clave-inicial-1")
            at.text_input(key="own_new").input("clave-nueva-2026")
            at.text_input(key="own_again").input("clave-nueva-2026")
            next(b for b in at.button if b.label == "Cambiar mi contraseña").click().run()
            assert not at.exception and not at.error
            assert any("Contraseña cambiada" in s.value for s in at.success)
            assert titles(at) == ["Mi cuenta"]  # this session goes on
        from geo.accounts.login import authenticate

        assert authenticate(engine, "apptest-own", "clave-nueva-2026").id == extra.id
    finally:
        _drop(engine, extra.id)


def test_usuarios_creates_resets_and_disables_accounts_as_the_administrator(engine, monkeypatch, accounts):
    with app_as(monkeypatch, accounts["administrador"], "pages/usuarios.py") as at:
        assert titles(at) == ["Usuarios"]
        assert set(PAGE_ACCOUNTS[r][0] for r in PAGE_ACCOUNTS) <= set(at.dataframe[0].value["Usuario"])
        at.text_input(key="user_new_username").input("apptest-nuevo")
        at.text_input(key="user_new_name").input("Nelson Nuevo")
        at.selectbox(key="user_new_role").set_value("secplac")
        at.text_input(key="user_new_password").input("corta")
        at.text_input(key="user_new_again").input("corta")
        next(b for b in at.button if b.label == "Crear la cuenta").click().run()
        assert any("al menos 10 caracteres" in e.value for e in at.error)
        assert find_account(engine, "apptest-nuevo") is None
        at.text_input(key="user_new_password").input("clave-nueva-de-nelson")
        at.text_input(key="user_new_again").input("clave-nueva-de-nelson")
        next(b for b in at.button if b.label == "Crear la cuenta").click().run()
        assert not at.exception and not at.error
        created = find_account(engine, "apptest-nuevo")
        try:
            assert created is not None and created.role == "secplac" and created.full_name == "Nelson Nuevo"
            with engine.connect() as conn:
                who = conn.execute(
                    text("SELECT user_id FROM audit_log WHERE table_name = 'app_user' AND row_id = :i"),
                    {"i": str(created.id)},
                ).scalar()
            assert who == accounts["administrador"].id  # recorded under the administrator's account
            at.selectbox(key="user_reset_pick").set_value("apptest-nuevo").run()
            at.text_input(key="user_reset_password").input("otra-clave-de-nelson")
            at.text_input(key="user_reset_again").input("otra-clave-de-nelson")
            next(b for b in at.button if b.label == "Restablecer la contraseña").click().run()
            assert not at.error and any("restablecida" in s.value for s in at.success)
            at.selectbox(key="user_active_pick").set_value("apptest-nuevo").run()
            at.button(key="user_disable").click().run()
            assert not at.error and any("desactivada" in s.value for s in at.success)
            assert find_account(engine, "apptest-nuevo").active is False
        finally:
            if created is not None:
                _drop(engine, created.id)


def test_a_role_without_the_usuarios_page_cannot_reach_it(engine, monkeypatch, accounts):
    with app_test(monkeypatch) as at:
        at.session_state[auth.SESSION_KEY] = auth.SignedIn.of(accounts["secplac"])
        at.run()
        with pytest.raises(ValueError, match="navigation page"):
            at.switch_page("pages/usuarios.py")  # not registered for secplac


def _initiative_panel(initiative_id: int) -> None:
    from ui.initiatives.details import show_initiative

    show_initiative(initiative_id)


@pytest.mark.parametrize("role", ["concejo", None])
def test_the_map_panel_shows_the_history_to_accounts_and_no_names_to_the_public(
    engine, monkeypatch, accounts, role
):
    from geo import settings
    from tests.conftest import database_url_for_tests

    monkeypatch.setenv("DATABASE_URL", database_url_for_tests())
    settings.get_settings.cache_clear()
    with engine.connect() as conn:
        iid = conn.execute(text("SELECT id FROM initiative WHERE code = 'E4.P1.G4.08'")).scalar_one()
    at = AppTest.from_function(_initiative_panel, args=(iid,), default_timeout=60)
    if role:
        at.session_state[auth.SESSION_KEY] = auth.SignedIn.of(accounts[role])
    at.run()
    assert not at.exception
    assert not [b for b in at.button if b.label == "Editar"]  # neither may edit
    if role:
        assert [e.label for e in at.expander] == ["Historial de cambios y de estados"]
        assert any("Por" in d.value.columns for d in at.dataframe)
    else:
        assert not at.expander
        assert not any("Por" in d.value.columns for d in at.dataframe)
    settings.get_settings.cache_clear()
