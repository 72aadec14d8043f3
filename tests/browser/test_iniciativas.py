"""Editing journey in real headless chromium: draw a point for an initiative, see it on the map.

Starts ``sit serve`` on its own database (the plan's catalogue, no demo data, so nothing is
drawn on the map at first), opens the Iniciativas page, picks an initiative, draws a point
with the vendored Leaflet.draw toolbar, saves, and then sees the point on the map page.
"""

from dataclasses import replace

import pytest
from sqlalchemy import text

from geo.initiatives.form import update_initiative
from geo.initiatives.read import load_initiative
from geo.store.actor import Actor
from tests.support.browser import (
    IFRAME,
    app_idle,
    choose,
    chromium_page,
    draw_point,
    log_in,
    map_layers,
    served_app,
    settle,
    wait_until,
)

pytestmark = pytest.mark.browser
CODE = "E1.P1.G1.01"


@pytest.fixture(scope="module")
def server():
    with served_app("browser_edit") as app:
        yield app


@pytest.fixture
def page(server, browser):
    with chromium_page(browser) as pg:
        yield pg


def open_initiative(page, base: str, code: str) -> None:
    """Log in as «Ana Rojas» (secplac), open the Iniciativas page from the sidebar, pick ``code``."""
    log_in(page, base, "secplac")
    app_idle(page)  # a sidebar click during a rerun is lost
    page.get_by_test_id("stSidebarNav").get_by_text("Iniciativas", exact=True).click()
    # exact: the map's «Iniciativas filtradas» heading is not this page's.
    page.get_by_role("heading", name="Iniciativas", exact=True).wait_for(timeout=60_000)
    search = page.get_by_role("textbox", name="Buscar por código o nombre")
    search.fill(code)
    search.press("Enter")
    choose(page, "Iniciativa", code)
    page.get_by_role("textbox", name="Código *").and_(page.locator(f'[value="{code}"]')).wait_for(
        timeout=30_000
    )
    settle(page, maps=2)  # the editor's map and the sites' map, the previous run's gone


def test_draws_a_point_for_an_initiative_and_sees_it_on_the_map_page(server, page):
    base, engine = server
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM initiative WHERE geom IS NOT NULL")).scalar() == 0

    open_initiative(page, base, CODE)
    frame = page.frame_locator(IFRAME).first
    drawn = page.get_by_role("radio", name="Usar lo dibujado en el mapa")
    draw_point(frame, drawn.is_checked)

    page.get_by_role("button", name="Guardar", exact=True).click()
    page.get_by_text(f"Guardado: {CODE}").wait_for(timeout=30_000)
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT ST_GeometryType(i.geom) AS kind, i.version, "
                "(SELECT count(*) FROM initiative_territory it JOIN territory t ON t.id = it.territory_id "
                " WHERE it.initiative_id = i.id AND ST_Intersects(t.geom, i.geom)) AS linked_under, "
                "(SELECT user_name FROM audit_log a WHERE a.row_id = i.id::text "
                " AND a.table_name = 'initiative' ORDER BY a.id DESC LIMIT 1) AS who "
                "FROM initiative i WHERE i.code = :c"
            ),
            {"c": CODE},
        ).one()
    assert row.kind == "ST_Point" and row.version == 2
    assert row.linked_under >= 1 and row.who == "Ana Rojas"

    log_in(page, base, "concejo")  # a new session: a viewer sees the point on the map
    drawn_metric = page.get_by_test_id("stMetric").filter(has_text="Dibujadas en el mapa")
    drawn_metric.wait_for(timeout=60_000)
    assert wait_until(lambda: drawn_metric.inner_text().strip().endswith("1"), 30)
    assert wait_until(lambda: len(map_layers(page, "sit-iniciativa")) == 1, 60)

    outside = [
        u
        for u in page.requests
        if not u.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:"))
    ]
    assert outside == []


def test_places_a_site_sin_ubicar_and_it_leaves_the_quality_list(server, page):
    base, engine = server
    log_in(page, base, "secplac", "/iniciativas")  # a deep link: log in there, then the page
    page.get_by_role("heading", name="Sitios nombrados por el plan").wait_for(timeout=60_000)
    choose(page, "Sitio", "Chamonate")
    settle(page, maps=2)
    site_map = page.frame_locator(IFRAME).nth(1)
    save = page.get_by_role("button", name="Guardar la ubicación del sitio")
    draw_point(site_map, save.is_enabled)  # picking the site remounted its map
    save.click()
    page.get_by_text("Sitio «Chamonate» ubicado").wait_for(timeout=30_000)
    with engine.connect() as conn:
        kind = conn.execute(
            text("SELECT ST_GeometryType(geom) FROM territory WHERE kind = 'sitio' AND code = 'CHAMONATE'")
        ).scalar()
    assert kind == "ST_Point"
    log_in(page, base, "concejo", "/calidad")
    page.get_by_role("heading", name="Sitios sin ubicar").wait_for(timeout=60_000)
    page.get_by_text("Vivero", exact=True).first.wait_for(state="attached", timeout=30_000)
    assert page.get_by_text("Chamonate", exact=True).count() == 0

    # Placed by mistake: back to "sin ubicar", and the history shows both steps.
    log_in(page, base, "secplac", "/iniciativas")
    page.get_by_role("heading", name="Sitios nombrados por el plan").wait_for(timeout=60_000)
    choose(page, "Sitio", "Chamonate")
    # While the run is under way the previous run's panel can still be on screen beside the new one.
    page.get_by_text("Historial de ubicaciones").first.wait_for(timeout=30_000)
    app_idle(page)  # a click on the previous run's button, still on screen, is lost
    assert page.get_by_text("Historial de ubicaciones").count() == 1
    page.get_by_role("button", name="Devolver a «sin ubicar»").click()
    page.get_by_text("Sitio «Chamonate» devuelto a «sin ubicar»").wait_for(timeout=30_000)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT action, user_name FROM audit_log WHERE table_name = 'territory' AND row_id = "
                "(SELECT id::text FROM territory WHERE kind = 'sitio' AND code = 'CHAMONATE') ORDER BY id"
            )
        ).all()
    assert [tuple(r)[0] for r in rows][-2:] == ["ubicar_sitio", "quitar_ubicacion_sitio"]
    assert {r.user_name for r in rows[-2:]} == {"Ana Rojas"}


OTHER = "E1.P1.G1.02"  # not CODE: the journey above counts CODE's versions


def test_saving_twice_after_a_conflict_keeps_the_form_and_shows_no_traceback(server, page):
    """Issue 10: the second «Guardar» after a conflict showed a traceback and the form vanished
    (Streamlit keeps a selectbox's choice as its label, and the other person renamed it)."""
    base, engine = server
    open_initiative(page, base, OTHER)
    with engine.connect() as conn:
        iid = conn.execute(text("SELECT id FROM initiative WHERE code = :c"), {"c": OTHER}).scalar_one()
        opened = load_initiative(conn, iid)
    pedro = Actor("Pedro Soto", "otra sesión", role="secplac")
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
