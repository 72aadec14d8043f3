"""The first visit after ``sit serve`` starts shows the app's own menu, never Streamlit's list of
``pages/`` files (ui/launch.py): on a projector, or to the public, a second of «app»,
«actividad», «usuarios» is what people see of a fresh server."""

import time

import pytest

from tests.support.browser import chromium_page, served_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server():
    # Nothing has opened a session yet: the first page below is the server's first run.
    with served_app("first_session", env={"SIT_PUBLIC_READ": "1"}) as app:
        yield app


def test_the_first_visit_after_the_server_starts_shows_only_the_apps_menu(server, browser):
    base, _ = server
    menus: list[str] = []
    with chromium_page(browser) as page:
        page.goto(base + "/")
        heading = page.get_by_role("heading", name="Mapa del PLADECO 2014-2017", exact=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            nav = page.get_by_test_id("stSidebarNav")
            if nav.count():
                text = " | ".join(nav.inner_text().split("\n"))
                if not menus or menus[-1] != text:
                    menus.append(text)
            if heading.count() and menus:
                break
            page.wait_for_timeout(20)
    assert menus, "no menu was drawn"
    assert all("Mapa del PLADECO" in m for m in menus), menus
    for raw in ("app", "usuarios", "actividad", "mi cuenta"):
        assert not any(raw in m.lower().split(" | ") for m in menus), (raw, menus)
