"""Main journey in a real headless browser (Debian chromium via Playwright).

Starts the app with ``sit serve`` on its own database (with demo data, which is hidden
until the sidebar switch shows it), opens the map, changes a filter, sees the number of
drawn initiative features change, clicks a territory, and records that no request left
localhost.
"""

import math

import pytest
from sqlalchemy import text

from layers.assets import MAP_CSS, MAP_JS, STATIC_URL_PREFIX
from layers.styles import strategy_colour
from tests.support.browser import (
    IFRAME,
    app_idle,
    choose,
    chromium_page,
    drawn_initiatives,
    hide_layers,
    log_in,
    map_frame,
    map_layers,
    open_and_type,
    served_app,
    server_log_tail,
    switch_on,
    wait_for_drawn,
)
from ui.frame import SHOW_REST
from ui.paged_table import TABLE_CLASS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server():
    with served_app("browser", ("demo", "generate", "--initiatives", "300", "--seed", "1")) as app:
        yield app


@pytest.fixture
def page(server, browser):
    with chromium_page(browser) as pg:
        yield pg


#: The map's view as the planner left it (streamlit-folium exposes the map as window.map).
VIEW_JS = "() => ({zoom: window.map.getZoom(), center: window.map.getCenter()})"


def open_with_demo(pg, base: str) -> None:
    """Open the map and show the demo initiatives (the only ones with a geometry here)."""
    log_in(pg, base, "secplac")
    switch_on(pg, "Incluir datos de demostración")


def drawn(pg, cls: str) -> int:
    return len(map_layers(pg, cls))


def test_filter_changes_drawn_initiatives_and_nothing_leaves_localhost(server, page):
    base, engine = server
    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM initiative WHERE geom IS NOT NULL")).scalar()
        e1 = conn.execute(
            text(
                "SELECT count(*) FROM initiative i JOIN strategy s "
                "ON s.id = i.strategy_id WHERE i.geom IS NOT NULL "
                "AND s.code = 'E1'"
            )
        ).scalar()
        e1_all = conn.execute(
            text(
                "SELECT count(*) FROM initiative i JOIN strategy s ON s.id = i.strategy_id "
                "WHERE s.code = 'E1' AND i.archived_at IS NULL"
            )
        ).scalar()
    assert 0 < e1 < total == 300

    frames: list[int] = []  # what the browser receives over Streamlit's websocket
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(len(payload))))
    log_in(page, base, "secplac")
    page.get_by_text("no se muestran").wait_for(timeout=60_000)
    assert drawn_initiatives(page) == drawn(page, "sit-iniciativa") == 0  # demo hidden by default
    # The planner zooms in; the filters below must not reload the map nor lose that view.
    map_frame(page).locator(".leaflet-control-zoom-in").click()
    iframe = page.locator(IFRAME).element_handle()
    view = map_frame(page).locator("body").evaluate(VIEW_JS)
    assert view["zoom"] == 14
    switch_on(page, "Incluir datos de demostración")
    assert wait_for_drawn(page, total) == total
    assert drawn(page, "sit-iniciativa") == total  # the signal counts what is on screen
    assert drawn(page, "sit-territorio") > 0
    page.get_by_text("se muestran 300 iniciativas sintéticas").wait_for(timeout=10_000)

    app_idle(page)
    the_map = max(frames)  # the map's message: every initiative and shape, sent once
    received = len(frames)
    strategy = page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").first
    open_and_type(page, strategy, "E1 ·")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    assert wait_for_drawn(page, e1) == e1
    assert drawn(page, "sit-iniciativa") == e1
    assert iframe.evaluate("(a, b) => a === b", page.locator(IFRAME).element_handle())  # not remounted
    assert map_frame(page).locator("body").evaluate(VIEW_JS) == view
    # The figures, the map and the table agree on the same selection.
    figure = page.get_by_test_id("stMetric").filter(has_text="Dibujadas en el mapa")
    assert figure.get_by_test_id("stMetricValue").inner_text() == str(e1)
    filtered = page.get_by_test_id("stMetric").filter(has_text="Iniciativas filtradas")
    assert filtered.get_by_test_id("stMetricValue").inner_text() == str(e1_all)
    page.get_by_text(f"de {e1_all}, en el orden del plan").wait_for(timeout=10_000)
    app_idle(page)
    # The change sent its selection, figures and table, not the map again.
    assert sum(frames[received:]) < the_map / 3, (sum(frames[received:]), the_map)

    outside = [
        u
        for u in page.requests
        if not u.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:"))
    ]
    assert outside == []
    # The map links Leaflet and its plugins, not the rest of folium's map assets (jQuery,
    # Bootstrap, icon fonts, awesome markers: layers.locale.spanish_map drops them).
    prefix = STATIC_URL_PREFIX + "/"
    vendored = {u.split(prefix, 1)[1].split("/")[0] for u in page.requests if prefix in u}
    folium_extras = {
        rel.split("/")[0] for name, rel in (*MAP_JS, *MAP_CSS) if name not in ("leaflet", "leaflet_css")
    }
    assert "leaflet-1.9.3" in vendored
    assert {"jquery-3.7.1", "bootstrap-5.2.2", "fontawesome-free-6.2.0", "bootstrap-3.4.1"} <= folium_extras
    assert not vendored & folium_extras


#: Whether Leaflet animated a pan or a zoom of the map since it was created.
GLIDED_JS = (
    "() => Boolean((window.map._panAnim && window.map._panAnim._duration) || window.map._animateToZoom)"
)


#: Records, in the page, what the sidebar held when the map first said it was drawn.
_AT_FIRST_DRAW = """(() => {
  if (window !== window.top) return;
  const timer = setInterval(() => {
    const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
    const box = frame && frame.contentDocument && frame.contentDocument.querySelector("[data-sit-drawn]");
    if (!box) return;
    window.__atFirstDraw = {
      filters: document.querySelectorAll('[data-testid="stMultiSelect"]').length,
      figures: document.querySelectorAll('[data-testid="stMetric"]').length,
      mapTop: frame.getBoundingClientRect().top,
      mapWidth: frame.getBoundingClientRect().width,
    };
    clearInterval(timer);
  }, 10);
})();"""


def test_a_first_visit_draws_the_map_first_and_the_rest_around_it(server, page):
    """The session's first Mapa page: the map alone, then filters, figures and table, the map
    neither replaced, moved nor resized (ui/frame.py, issue 9)."""
    base, _ = server
    page.context.add_init_script(_AT_FIRST_DRAW)
    sent: list[int] = []  # what the browser sends to the app (each a run's request or a widget's value)
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(len(payload))))
    log_in(page, base, "secplac")
    page.wait_for_function("() => window.__atFirstDraw", timeout=60_000)
    first = page.evaluate("window.__atFirstDraw")
    assert first["filters"] == first["figures"] == 0  # the map came first
    # It opened in its frame: no glide at load, which ends in the canvas drawn a second time
    # (layers/view.py). Leaflet 1.9.3 notes a pan it animated in its PosAnimation's
    # duration, a zoom it animated in _animateToZoom.
    assert map_frame(page).locator("body").evaluate(GLIDED_JS) is False
    iframe = page.locator(IFRAME).element_handle()
    page.locator(f".{TABLE_CLASS}").wait_for(timeout=30_000)
    assert page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").count() == 5
    assert page.get_by_test_id("stMetric").count() == 5
    assert iframe.evaluate("(a, b) => a === b", page.locator(IFRAME).element_handle())  # not remounted
    assert abs(page.locator(IFRAME).bounding_box()["y"] - first["mapTop"]) <= 2  # the figures took its space
    assert page.locator(IFRAME).bounding_box()["width"] == first["mapWidth"]  # nor resized
    # Later pages and reruns draw everything at once.
    page.get_by_test_id("stSidebarNav").get_by_text("Brechas territoriales").click()
    page.get_by_role("heading", name="Brechas territoriales").wait_for(timeout=60_000)
    app_idle(page)
    before = len(sent)
    page.get_by_test_id("stSidebarNav").get_by_text("Mapa del PLADECO").click()
    page.get_by_test_id("stMetric").first.wait_for(timeout=60_000)
    assert page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").count() == 5
    # That map has nothing to report: once drawn it sends nothing, so the app does not run
    # again (a run that, after a click on another page, could bring the person back here).
    drawn_initiatives(page)
    page.wait_for_timeout(2_000)
    app_idle(page)
    assert len(sent) - before == 1, sent[before:]  # the click on «Mapa del PLADECO» only


def test_leaving_the_map_before_it_reports_keeps_the_page_the_person_chose(server, browser):
    """The map reports that it is drawn after the person has gone to another page: that page
    is drawn whole and stays (the report must not stop it or bring the map back)."""
    base, _ = server
    for _ in range(3):  # the report lands at a different moment of the new page's run
        with chromium_page(browser) as page:
            log_in(page, base, "secplac")
            page.locator(IFRAME).wait_for(timeout=60_000)  # the map alone, about to report
            page.get_by_test_id("stSidebarNav").get_by_text("Brechas territoriales").click()
            page.get_by_role("heading", name="Brechas territoriales").wait_for(timeout=60_000)
            page.wait_for_timeout(2_500)  # past the map's report
            app_idle(page)
            assert page.get_by_role("heading", name="Brechas territoriales").count() == 1
            assert page.get_by_role("heading", name="Mapa del PLADECO 2014-2017").count() == 0
            assert page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").count() == 5
            assert page.locator(IFRAME).count() == 1  # Brechas' own map, drawn
    assert "Couldn't find fragment" not in server_log_tail(base, lines=400)


def test_a_map_that_never_draws_leaves_a_button_for_the_rest_of_the_page(server, page):
    """Leaflet blocked: the map cannot say it is drawn; the button under it brings the rest."""
    base, _ = server
    page.route("**/leaflet.js", lambda route: route.abort())
    log_in(page, base, "secplac")
    button = page.get_by_role("button", name=SHOW_REST)
    button.wait_for(timeout=30_000)
    assert page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").count() == 0
    button.click()
    page.locator(f".{TABLE_CLASS}").wait_for(timeout=30_000)
    # Each kind of element shows once its script has arrived: the table's (html) may be first.
    page.get_by_test_id("stMetric").nth(4).wait_for(timeout=30_000)
    page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").nth(4).wait_for(timeout=30_000)
    assert page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").count() == 5
    assert page.get_by_test_id("stMetric").count() == 5
    assert page.get_by_role("button", name=SHOW_REST).count() == 0


def test_clicking_a_territory_shows_its_details(server, page):
    base, _ = server
    open_with_demo(page, base)
    drawn_initiatives(page)
    # Turn the initiatives layer off so the click lands on the territory underneath.
    hide_layers(
        page, "Iniciativas con ubicación", "Establecimientos de salud", "Establecimientos educacionales"
    )
    uv = next(t for t in map_layers(page, "sit-territorio") if t["inside"])
    page.mouse.move(uv["x"], uv["y"])  # its tooltip: name and the filtered count
    tip = map_frame(page).locator(".leaflet-tooltip").last
    tip.wait_for(timeout=10_000)
    assert uv["props"]["nombre"] in tip.inner_text() and "Iniciativas vinculadas" in tip.inner_text()
    page.mouse.click(uv["x"], uv["y"])
    page.get_by_role("heading", name=uv["props"]["nombre"]).wait_for(timeout=30_000)
    page.get_by_text("Iniciativas vinculadas (con los filtros)").wait_for(timeout=30_000)


def test_clicking_an_initiative_shows_plan_status_amount_and_territories(server, page):
    base, engine = server
    open_with_demo(page, base)
    drawn_initiatives(page)
    dot = [d for d in map_layers(page, "sit-iniciativa") if d["inside"] and d["point"]][5]
    page.mouse.move(dot["x"], dot["y"])  # the tooltip names the initiative under the mouse
    tip = map_frame(page).locator(".leaflet-tooltip").last
    tip.wait_for(timeout=10_000)
    page.mouse.click(dot["x"], dot["y"])
    heading = page.get_by_role("heading", name="DEMO-1-")
    heading.wait_for(timeout=30_000)
    code = heading.inner_text().strip().split()[0]
    assert code in tip.inner_text()
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT p.name AS plan, i.status, "
                "(SELECT sum(f.amount_clp) FROM funding_line f WHERE f.initiative_id = i.id) AS total, "
                "(SELECT min(f.source) FROM funding_line f WHERE f.initiative_id = i.id) AS source "
                "FROM initiative i JOIN plan p ON p.id = i.plan_id WHERE i.code = :c"
            ),
            {"c": code},
        ).one()
    from geo.domain import FUNDING_LINE_SOURCES, status_label
    from geo.investment.labels import money

    # The amount is the sum of the demo initiative's funding lines; a source of them is named.
    shown = (row.plan, status_label(row.status), money(row.total), "Territorios")
    for value in shown:
        # st.dataframe draws on a canvas; its cells exist as accessible (hidden) grid cells.
        page.get_by_text(value, exact=True).first.wait_for(state="attached", timeout=10_000)
    page.get_by_text(FUNDING_LINE_SOURCES[row.source]).first.wait_for(state="attached", timeout=10_000)


#: What the map's canvas shows at a point of the map's container (RGBA), as ``shownAt(p)``.
_CANVAS_JS = """
  const canvas = map.getPanes().overlayPane.querySelector("canvas");
  const ctx = canvas.getContext("2d"), rect = canvas.getBoundingClientRect();
  const frame = map.getContainer().getBoundingClientRect(), scale = canvas.width / rect.width;
  const at = (v, from) => Math.round((v - from) * scale);
  const shownAt = p => Array.from(
    ctx.getImageData(at(frame.left + p.x, rect.left), at(frame.top + p.y, rect.top), 1, 1).data);
"""

#: For each initiative point on the map: where it is drawn (container pixels), the colour of
#: its strategy, what the map's canvas shows at its centre, and its closest neighbour (px).
POINTS_JS = (
    """() => {
  const map = window.map, out = [];
"""
    + _CANVAS_JS
    + """  map.eachLayer(l => {
    if (!l.sitPoints) return;
    l.sitPoints().forEach((pt, j) => {
      const p = map.latLngToContainerPoint(pt.latlng);
      out.push({x: p.x, y: p.y, id: pt.props.id, shown: shownAt(p),
                colour: l._palette[l._pts.colour[l._chosen[j]]]});
    });
  });
  const gap = (a, b) => Math.hypot(a.x - b.x, a.y - b.y);
  out.forEach(a => { a.near = Math.min(...out.filter(b => b !== a).map(b => gap(a, b))); });
  return out;
}"""
)


#: For each initiative line on the map: the middle of its first segment (container pixels),
#: what the canvas shows there, and its initiative.
LINES_JS = (
    """() => {
  const map = window.map, out = [];
"""
    + _CANVAS_JS
    + """  map.eachLayer(l => {
    const line = l instanceof L.Polyline && !(l instanceof L.Polygon);
    if (!line || l.options.className !== "sit-iniciativa") return;
    const ll = l.getLatLngs().flat(Infinity);
    const a = map.latLngToContainerPoint(ll[0]), b = map.latLngToContainerPoint(ll[1]);
    const p = {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2};
    out.push({x: p.x, y: p.y, id: l.feature.properties.id, shown: shownAt(p)});
  });
  return out;
}"""
)


def _rgb(colour: str) -> list[int]:
    return [int(colour[i : i + 2], 16) for i in (1, 3, 5)]


def test_each_initiative_is_drawn_in_its_colour_and_neighbours_keep_their_own_tooltip(server, page):
    """The initiatives are stamped on the map's canvas by one layer (layers/js/initiatives.js):
    each shows its strategy's colour where it stands, and moving the mouse from one onto a
    neighbour that touches it names the neighbour."""
    base, engine = server
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    open_with_demo(page, base)
    drawn_initiatives(page)
    map_layers(page, "sit-iniciativa")  # the frame centred and settled
    size = map_frame(page).locator("body").evaluate("() => window.map.getSize()")
    points = [
        p
        for p in map_frame(page).locator("body").evaluate(POINTS_JS)
        if 20 < p["x"] < size["x"] - 250 and 20 < p["y"] < size["y"] - 20  # clear of the legend
    ]
    alone = [p for p in points if p["near"] > 14]
    assert alone
    for p in alone:  # filled at 90 %, over a territory's shade or nothing: within 10 % of the colour
        assert p["shown"][3] >= 229
        expected = _rgb(p["colour"])
        assert all(abs(a - b) <= 26 for a, b in zip(p["shown"][:3], expected, strict=True)), p
    # Lines (roads, canals) in their strategy's colour, under the points.
    lines = [
        line
        for line in map_frame(page).locator("body").evaluate(LINES_JS)
        if 20 < line["x"] < size["x"] - 250
        and 20 < line["y"] < size["y"] - 20
        and all(math.dist((line["x"], line["y"]), (p["x"], p["y"])) > 12 for p in points)
    ]
    with engine.connect() as conn:
        position = dict(
            conn.execute(
                text("SELECT i.id, s.position FROM initiative i JOIN strategy s ON s.id = i.strategy_id")
            ).all()
        )
    assert lines
    coloured = [
        line
        for line in lines
        if all(
            abs(a - b) <= 26
            for a, b in zip(line["shown"][:3], _rgb(strategy_colour(position[line["id"]])), strict=True)
        )
    ]
    assert len(coloured) >= 0.8 * len(lines), lines  # a few cross another line or shape there
    # Two that touch, each centre out of the other's reach (radius 6 + 4.6 px of tolerance):
    # the mouse goes from one straight onto the other, never off the layer of points.
    a, b = next(
        (p, q)
        for p in points
        for q in points
        if p is not q
        and 11 <= math.dist((p["x"], p["y"]), (q["x"], q["y"])) <= 12.5
        and min(p["near"], q["near"]) >= 11  # no third one within reach
    )
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, code FROM initiative WHERE id IN (:a, :b)"), {"a": a["id"], "b": b["id"]}
        )
        code = dict(rows.all())
    frame_box = map_frame(page).locator(".leaflet-container").bounding_box()
    tip = map_frame(page).locator(".leaflet-tooltip").last
    for p in (a, b):
        x, y = frame_box["x"] + p["x"], frame_box["y"] + p["y"]
        page.mouse.move(x, y, steps=4)
        # Leaflet looks at the mouse at most every 32 ms: a person's hand stays on the point.
        page.wait_for_timeout(60)
        page.mouse.move(x + 0.5, y)
        tip.filter(has_text=code[p["id"]]).wait_for(timeout=10_000)
    assert errors == []  # Leaflet 1.9.3 threw on every hover over a group holding a layer group
    page.mouse.move(1, 1)


def test_table_sends_one_page_and_the_download_has_every_row(server, page):
    from ui.paged_table import PAGE_ROWS

    base, engine = server
    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM initiative")).scalar()
    open_with_demo(page, base)
    n = f"{total:,}".replace(",", ".")
    page.get_by_text(f"Filas 1–{PAGE_ROWS} de {n}").wait_for(timeout=60_000)
    rows = page.locator(f".{TABLE_CLASS} tbody tr")
    rows.nth(PAGE_ROWS - 1).wait_for(timeout=30_000)
    assert rows.count() == PAGE_ROWS  # one page: nothing more was sent
    # Sorted on every row, from the highest code down: the first row is the last code of all.
    with engine.connect() as conn:
        codes = [r[0] for r in conn.execute(text("SELECT code FROM initiative"))]
    app_idle(page)
    page.get_by_label("De mayor a menor").check(force=True)
    app_idle(page)
    choose(page, "Ordenar por", "Código")
    page.get_by_text(f"de {n}, ordenadas por Código").wait_for(timeout=30_000)
    top = max(codes, key=lambda c: c.casefold())
    page.locator(f".{TABLE_CLASS} tbody tr").first.locator("td").first.filter(has_text=top).wait_for(
        timeout=30_000
    )
    choose(page, "Ordenar por", "Orden del plan")
    page.get_by_text(f"de {n}, en el orden del plan").wait_for(timeout=30_000)
    pager = page.get_by_label("Página (de")
    pager.fill("2")
    pager.press("Enter")
    page.get_by_text(f"Filas {PAGE_ROWS + 1}–{2 * PAGE_ROWS} de {n}").wait_for(timeout=30_000)
    with page.expect_download() as info:
        page.get_by_role("button", name="Descargar iniciativas filtradas (CSV)").click()
    lines = open(info.value.path(), encoding="utf-8-sig").read().strip().splitlines()
    assert len(lines) == total + 1  # header and every filtered row
