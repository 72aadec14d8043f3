"""Workshop journey in real headless chromium: a facilitator creates a workshop, draws a point,
records a need in three actions, sees it on the map at once, and edits it; nothing leaves localhost.
"""

import pytest
from sqlalchemy import text

from layers.needs import NEED_CLASS, NEEDS_ATTRIBUTE
from tests.support.browser import (
    IFRAME,
    app_idle,
    chromium_page,
    draw_point,
    log_in,
    map_layers,
    pick,
    served_app,
    settle,
    wait_until,
)

pytestmark = pytest.mark.browser
TYPED = "Falta luminaria en el pasaje <b>Los Aromos</b> {{ 7*7 }}"


@pytest.fixture(scope="module")
def server():
    with served_app("browser_talleres") as app:
        yield app


@pytest.fixture
def page(server, browser):
    with chromium_page(browser) as pg:
        yield pg


def needs_on_map(page) -> int | None:
    """The count the workshop's map signals (``data-sit-needs``), None before it is drawn."""
    container = page.frame_locator(IFRAME).first.locator(f".leaflet-container[{NEEDS_ATTRIBUTE}]")
    if container.count() == 0:
        return None
    return int(container.first.get_attribute(NEEDS_ATTRIBUTE) or "-1")


def test_a_facilitator_records_a_need_on_the_map_and_edits_it(server, page):
    base, engine = server
    log_in(page, base, "facilitador", "/talleres")
    page.get_by_role("heading", name="Talleres participativos", exact=True).wait_for(timeout=60_000)

    # A new workshop for UV 05.
    page.get_by_text("Nuevo taller", exact=True).click()
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Crear taller"))
    form.get_by_role("textbox", name="Lugar").fill("Sede social Carrera")
    territories = form.get_by_test_id("stMultiSelect")
    pick(page, territories, "UV 05", "UV 05 · Carrera")
    form.get_by_role("button", name="Crear taller").click()
    page.get_by_text("creado.").wait_for(timeout=60_000)
    app_idle(page)
    assert wait_until(lambda: needs_on_map(page) == 0, 60)

    # Draw a point, then three actions: kind, text, «Guardar».
    capture = page.get_by_test_id("stForm").filter(has_text="Nueva necesidad en lo dibujado")
    settle(page)
    draw_point(page.frame_locator(IFRAME).first, lambda: capture.count() > 0)
    capture.get_by_text("Propuesta", exact=True).click()
    capture.get_by_role("textbox", name="Texto").fill(TYPED)
    capture.get_by_role("button", name="Guardar", exact=True).click()
    page.get_by_text("registrada.").wait_for(timeout=60_000)

    # On the map at once, coloured as a proposal; the typed text stored as typed.
    assert wait_until(lambda: needs_on_map(page) == 1, 60)
    assert wait_until(lambda: len(map_layers(page, NEED_CLASS)) == 1, 30)
    (dot,) = map_layers(page, NEED_CLASS)
    page.mouse.move(dot["x"], dot["y"])  # its tooltip shows the text as typed, inert
    tip = page.frame_locator(IFRAME).first.locator(".leaflet-tooltip", has_text="Necesidad")
    tip.wait_for(timeout=30_000)
    assert "<b>Los Aromos</b> {{ 7*7 }}" in tip.inner_text()
    assert tip.locator("b", has_text="Los Aromos").count() == 0
    page.mouse.move(1, 1)
    with engine.connect() as conn:
        need = conn.execute(
            text("SELECT id, kind, text, votes, version, GeometryType(geom) AS g, origin FROM need")
        ).one()
        who = conn.execute(
            text("SELECT user_name FROM audit_log WHERE action = 'registrar_necesidad' AND row_id = :r"),
            {"r": str(need.id)},
        ).scalar()
    assert (need.kind, need.text, need.votes, need.version, need.g, need.origin) == (
        "propuesta",
        TYPED,
        0,
        1,
        "POINT",
        "taller",
    )
    assert who == "Federico Facilitador"
    assert page.get_by_text("Los Aromos").count() >= 1  # in the table, as typed
    assert page.locator("b", has_text="Los Aromos").count() == 0  # never as HTML

    # Edit it: text and votes.
    app_idle(page)
    page.get_by_role("tab", name="Editar").click()
    edit = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Guardar la necesidad"))
    edit.get_by_role("textbox", name="Texto").fill("Falta luminaria en el pasaje Los Aromos")
    edit.get_by_role("spinbutton", name="Votos").fill("7")
    edit.get_by_role("button", name="Guardar la necesidad").click()
    page.get_by_text("guardada.").wait_for(timeout=60_000)
    with engine.connect() as conn:
        edited = conn.execute(
            text("SELECT text, votes, version FROM need WHERE id = :i"), {"i": need.id}
        ).one()
    assert tuple(edited) == ("Falta luminaria en el pasaje Los Aromos", 7, 2)
    assert wait_until(lambda: needs_on_map(page) == 1, 60)

    outside = [
        u
        for u in page.requests
        if not u.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:"))
    ]
    assert outside == []
