"""A refused save in real chromium: Spanish messages, never a traceback, the typed text kept.

Found when probed (issue 10): a second «Guardar» after a conflict showed a raw traceback and
the form disappeared.
"""

from dataclasses import replace

import pytest
from sqlalchemy import text

from geo.initiatives.form import update_initiative
from geo.initiatives.read import load_initiative
from geo.store.actor import Actor
from tests.browser.test_iniciativas import choose
from tests.support.browser import chromium_page, served_app, settle

pytestmark = pytest.mark.browser
CODE = "E1.P1.G1.01"


@pytest.fixture(scope="module")
def server():
    with served_app("editor_conflict") as app:
        yield app


@pytest.fixture
def page(server, browser):
    with chromium_page(browser) as pg:
        yield pg


def open_initiative(page, base):
    page.goto(base)  # through the router (a deep link can reach pages/ before app.py runs)
    page.get_by_test_id("stSidebarNav").get_by_text("Iniciativas", exact=True).click()
    page.get_by_role("heading", name="Iniciativas").wait_for(timeout=60_000)
    name = page.get_by_test_id("stSidebar").get_by_role("textbox", name="Su nombre")
    name.fill("Ana Rojas")
    name.press("Enter")
    page.get_by_text("Escriba su nombre").wait_for(state="detached", timeout=30_000)
    search = page.get_by_role("textbox", name="Buscar por código o nombre")
    search.fill(CODE)
    search.press("Enter")
    choose(page, "Iniciativa", CODE)
    page.get_by_role("textbox", name="Código *").and_(page.locator(f'[value="{CODE}"]')).wait_for(
        timeout=30_000
    )
    settle(page, maps=2)


def test_saving_twice_after_a_conflict_keeps_the_form_and_shows_no_traceback(server, page):
    base, engine = server
    open_initiative(page, base)
    with engine.connect() as conn:
        iid = conn.execute(text("SELECT id FROM initiative WHERE code = :c"), {"c": CODE}).scalar_one()
        opened = load_initiative(conn, iid)
    pedro = Actor("Pedro Soto", "otra sesión")
    update_initiative(engine, iid, replace(opened["input"], name="Nombre de Pedro"), opened["version"], pedro)
    name = page.get_by_role("textbox", name="Nombre *")
    name.fill("Nombre de Ana")
    name.press("Enter")
    save = page.get_by_role("button", name="Guardar", exact=True)
    for attempt in (1, 2):
        save.click()
        page.get_by_text("Pedro Soto guardó esta iniciativa").first.wait_for(timeout=30_000)
        settle(page, maps=2)
        assert page.get_by_test_id("stException").count() == 0, attempt
        assert "Traceback" not in page.inner_text("body"), attempt
        assert page.get_by_role("textbox", name="Nombre *").input_value() == "Nombre de Ana", attempt
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM initiative WHERE id = :i"), {"i": iid}).scalar() == (
            "Nombre de Pedro"
        )
