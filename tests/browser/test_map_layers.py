"""What a person sees on the maps, in real headless chromium: sites, legend, Spanish controls.

The served database has three of the plan's sites placed (a point, a line, a polygon), one
with HTML and Jinja typed into its source. The journeys read the maps of Mapa, Brechas
territoriales and Iniciativas (drawing map) as a person would: the sites layer and its
tooltips, the legend rows for sites and establishments, Leaflet's zoom buttons, the scale,
and the Leaflet.draw toolbar and hints, all in Spanish, with nothing fetched from outside.
"""

import re
import time

import pytest
from sqlalchemy import text

from tests.support.browser import (
    IFRAME,
    app_idle,
    chromium_page,
    drawn_initiatives,
    hide_layers,
    log_in,
    map_frame,
    map_layers,
    served_app,
)

pytestmark = pytest.mark.browser
EVIL = "<img src=x onerror=window.__sit_xss=1> {{ 7*7 }}"
SITES = {
    "VIVERO": "POINT(-70.7580 -28.5770)",
    "RIO-HUASCO": "LINESTRING(-70.7800 -28.5700, -70.7600 -28.5740, -70.7400 -28.5780)",
    "LADERA-AVDA-HUASCO": "POLYGON((-70.7700 -28.5900, -70.7650 -28.5900, -70.7650 -28.5850, "
    "-70.7700 -28.5850, -70.7700 -28.5900))",
}


@pytest.fixture(scope="module")
def server():
    with served_app("map_layers") as (base, engine):
        with engine.begin() as conn:
            for code, wkt in SITES.items():
                conn.execute(
                    text(
                        "UPDATE territory SET geom = ST_GeomFromText(:wkt, 4326), "
                        "source = source || CASE WHEN code = 'VIVERO' THEN :evil ELSE '' END "
                        "WHERE kind = 'sitio' AND code = :code"
                    ),
                    {"wkt": wkt, "code": code, "evil": "; ubicado por " + EVIL},
                )
            # A typed UV name reaches the filtered layers (territory tooltip, UV label), which
            # streamlit-folium swaps in as feature groups, not inside the map's own page.
            conn.execute(
                text(
                    "UPDATE territory SET name = name || ' ' || :evil "
                    "WHERE kind = 'unidad_vecinal' AND code = '06'"
                ),
                {"evil": EVIL},
            )
            # One initiative of the plan placed, with the same typed text in its name: it
            # reaches the map inside the compact encoding that the page decodes.
            conn.execute(
                text(
                    "UPDATE initiative SET geom = ST_SetSRID(ST_Point(-70.7610, -28.5760), 4326), "
                    "name = name || ' ' || :evil WHERE id = (SELECT min(id) FROM initiative)"
                ),
                {"evil": EVIL},
            )
        yield base, engine


@pytest.fixture
def page(server, browser):
    with chromium_page(browser, height=1200) as pg:
        yield pg


def go(pg, title: str, heading: str) -> None:
    """Open a page from the sidebar and wait for its title (exact: the map's «Iniciativas
    filtradas» heading is not the Iniciativas page). A click during a rerun is lost: wait
    for the run to end first."""
    app_idle(pg)
    pg.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    pg.get_by_role("heading", name=heading, exact=True).first.wait_for(timeout=120_000)


def only_localhost(pg) -> list[str]:
    return [
        u
        for u in pg.requests
        if not u.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:"))
    ]


def check_leaflet_controls(frame) -> None:
    """Zoom buttons and the scale as a person reads them: Spanish titles, metres only."""
    frame.locator("a.leaflet-control-zoom-in").wait_for(timeout=60_000)
    assert frame.locator("a.leaflet-control-zoom-in").get_attribute("title") == "Acercar"
    assert frame.locator("a.leaflet-control-zoom-out").get_attribute("title") == "Alejar"
    assert frame.locator("a.leaflet-control-layers-toggle").get_attribute("title") == "Capas"
    scale = frame.locator(".leaflet-control-scale-line")
    assert scale.count() == 1  # no second (imperial) line
    assert re.fullmatch(r"\d+ (m|km)", scale.inner_text().strip())
    assert not re.search(r"\b(mi|ft)\b", frame.locator(".leaflet-control-scale").inner_text())
    leaflet = frame.locator('.leaflet-control-attribution a[href="https://leafletjs.com"]')
    assert leaflet.get_attribute("title") == "Biblioteca JavaScript para mapas interactivos"


def hover_texts(pg, targets) -> list[str]:
    """The tooltip a person reads with the mouse on each target (see ``map_layers``)."""
    texts = []
    for t in targets:
        pg.mouse.move(t["x"], t["y"])
        tip = map_frame(pg).locator(".leaflet-tooltip").last
        tip.wait_for(timeout=10_000)
        texts.append(tip.inner_text())
        pg.mouse.move(1, 1)
        tip.wait_for(state="detached", timeout=10_000)
    return texts


def test_map_draws_placed_sites_with_tooltip_legend_and_spanish_controls(server, page):
    base, _ = server
    log_in(page, base, "secplac")
    drawn_initiatives(page)
    frame = map_frame(page)
    hide_layers(page, "Establecimientos de salud", "Establecimientos educacionales")
    sites = map_layers(page, "sit-sitio")
    assert len(sites) == 3  # point, line and polygon
    texts = hover_texts(page, sites)
    assert any("Vivero" in t for t in texts) and any("Río Huasco" in t for t in texts)
    assert all("Sitio del plan" in t and "Fuente" in t for t in texts)
    # Typed text is shown as text: neither HTML nor Jinja ran.
    vivero = next(t for t in texts if "Vivero" in t)
    assert EVIL in vivero
    label = frame.locator(".sit-uv-label").filter(has_text="UV 06")
    assert EVIL in label.inner_text()  # shown as text in the swapped-in UV names
    assert frame.locator("body").evaluate("() => window.__sit_xss === undefined")

    legend = frame.locator(".sit-legend").inner_text()
    for row in (
        "Sitios del plan",
        "Establecimientos educacionales",
        "Establecimientos de salud",
        "Fuera de funcionamiento",
    ):
        assert row in legend
    page.locator(IFRAME).first.screenshot(path="/tmp/sit_map_layers_sites.png")
    # The sites layer can be switched off from the layer control.
    layers = frame.locator(".leaflet-control-layers")
    layers.hover()
    layers.get_by_text("Sitios del plan", exact=True).click()
    deadline = time.time() + 10
    while time.time() < deadline and map_layers(page, "sit-sitio"):
        time.sleep(0.2)
    assert map_layers(page, "sit-sitio") == []
    check_leaflet_controls(frame)
    assert only_localhost(page) == []


def test_a_typed_initiative_name_is_shown_as_text_in_its_tooltip(server, page):
    base, _ = server
    log_in(page, base, "secplac")
    assert drawn_initiatives(page) == 1
    frame = map_frame(page)
    dots = map_layers(page, "sit-iniciativa")
    assert len(dots) == 1
    (tip,) = hover_texts(page, dots)
    assert EVIL in tip and "Código" in tip and "Estado" in tip
    assert frame.locator("body").evaluate("() => window.__sit_xss === undefined")
    assert only_localhost(page) == []


def test_clicking_a_site_opens_its_detail(server, page):
    base, _ = server
    log_in(page, base, "secplac")
    drawn_initiatives(page)
    hide_layers(page, "Establecimientos de salud", "Establecimientos educacionales")
    vivero = next(t for t in map_layers(page, "sit-sitio") if t["props"].get("codigo") == "VIVERO")
    page.mouse.click(vivero["x"], vivero["y"])
    page.get_by_role("heading", name="Vivero").wait_for(timeout=30_000)
    page.get_by_text("Iniciativas vinculadas (con los filtros)").wait_for(timeout=10_000)
    page.get_by_text("fuente: PLADECO 2014-2017").wait_for(timeout=10_000)
    assert page.get_by_test_id("stMetric").filter(has_text="Población").count() == 0  # a site has none


def test_brechas_map_draws_sites_and_labels_them(server, page):
    base, _ = server
    log_in(page, base, "secplac")
    go(page, "Brechas territoriales", "Brechas territoriales")
    frame = page.frame_locator(IFRAME).last
    frame.locator("path.sit-brecha").first.wait_for(timeout=120_000)
    assert frame.locator("path.sit-sitio").count() == 3
    legend = frame.locator(".sit-legend").inner_text()
    assert "Sitios del plan" in legend and "Establecimientos de salud" in legend
    assert "Fuera de funcionamiento" in legend
    check_leaflet_controls(frame)
    assert only_localhost(page) == []


def test_drawing_tools_speak_spanish(server, page):
    base, _ = server
    log_in(page, base, "secplac")
    go(page, "Iniciativas", "Iniciativas")
    frame = page.frame_locator(IFRAME).first
    marker = frame.locator("a.leaflet-draw-draw-marker")
    marker.wait_for(timeout=90_000)
    assert marker.get_attribute("title") == "Dibujar un punto"
    assert frame.locator("a.leaflet-draw-draw-polygon").get_attribute("title") == "Dibujar un polígono"
    assert frame.locator("a.leaflet-draw-draw-polyline").get_attribute("title") == "Dibujar una línea"
    assert frame.locator("a.leaflet-draw-draw-rectangle").get_attribute("title") == "Dibujar un rectángulo"
    assert frame.locator("a.leaflet-draw-edit-remove").get_attribute("title") == "No hay figuras para borrar"
    check_leaflet_controls(frame)

    marker.click()
    assert frame.locator(".leaflet-draw-actions a").first.inner_text().strip() == "Cancelar"
    box = frame.locator(".leaflet-container").bounding_box()
    frame.locator(".leaflet-container").hover(position={"x": box["width"] / 2, "y": box["height"] / 3})
    hint = frame.locator(".leaflet-draw-tooltip")
    hint.wait_for(timeout=10_000)
    assert "Haga clic en el mapa para ubicar el punto." in hint.inner_text()
    page.screenshot(path="/tmp/sit_map_layers_draw.png")
    assert only_localhost(page) == []


def switch_layer(frame, title: str) -> None:
    """Tick ``title`` in the map's layer control (it opens under the mouse)."""
    frame.locator(".leaflet-control-layers").hover()
    frame.locator(".leaflet-control-layers-overlays label", has_text=title).locator("input").check()


def test_reference_layers_switch_on_with_their_legend_row_on_mapa_and_brechas(server, page):
    base, engine = server
    with engine.connect() as conn:
        critical = conn.execute(
            text("SELECT count(*) FROM reference_feature WHERE layer = 'punto_critico'")
        ).scalar()
    assert critical == 52
    log_in(page, base, "secplac")
    frame = map_frame(page)
    frame.locator(".leaflet-control-layers").wait_for(timeout=60_000)
    legend = frame.locator(".sit-legend")
    row = legend.locator('[data-sit-capa="punto_critico"]')
    assert row.is_hidden()  # off at first, and so is its legend row
    switch_layer(frame, "Puntos críticos de invierno 2024 (SENAPRED)")
    frame.locator('.leaflet-container[data-sit-capas-dibujadas~="punto_critico"]').wait_for(timeout=30_000)
    row.wait_for(state="visible", timeout=10_000)
    assert legend.locator('[data-sit-capa="canal"]').is_hidden()
    assert "Capas de referencia" in legend.inner_text()

    go(page, "Brechas territoriales", "Brechas territoriales")
    frame = page.frame_locator(IFRAME).last
    frame.locator("path.sit-brecha").first.wait_for(timeout=120_000)
    paths = frame.locator(".leaflet-overlay-pane path")
    before = paths.count()
    switch_layer(frame, "Puntos críticos de invierno 2024 (SENAPRED)")
    frame.locator('.leaflet-container[data-sit-capas-dibujadas~="punto_critico"]').wait_for(timeout=30_000)
    assert paths.count() == before + critical  # every point drawn (an SVG map)
    page.mouse.move(1, 1)  # the layer control closes
    point = paths.last.bounding_box()
    page.mouse.move(point["x"] + point["width"] / 2, point["y"] + point["height"] / 2)
    tip = frame.locator(".leaflet-tooltip").last
    tip.wait_for(timeout=10_000)
    assert "SENAPRED" in tip.inner_text() and "Puntos críticos" in tip.inner_text()
    assert only_localhost(page) == []
