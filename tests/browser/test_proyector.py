"""Modo proyector in a real browser at 1280x720 and 1920x1080: the map fills the screen, the
legend sits beside it, names and numbers are readable, reference layers switch on, nothing
leaves localhost."""

import pytest
from sqlalchemy import text

from tests.support.browser import (
    IFRAME,
    app_idle,
    choose,
    chromium_page,
    log_in,
    map_frame,
    served_app,
    switch_on,
)
from ui.projector import SCREENS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server():
    with served_app("proyector", ("demo", "generate", "--initiatives", "300", "--seed", "1")) as app:
        yield app


def busiest_uv(engine):
    """The UV with the most located demo initiatives: (label, how many are located, how many linked)."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                """
                SELECT t.code, t.name, count(*) AS linked,
                       count(*) FILTER (WHERE i.geom IS NOT NULL) AS located
                  FROM territory t
                  JOIN initiative_territory it ON it.territory_id = t.id
                  JOIN initiative i ON i.id = it.initiative_id AND i.archived_at IS NULL
                 WHERE t.kind = 'unidad_vecinal'
                 GROUP BY t.id ORDER BY located DESC, t.code LIMIT 1
                """
            )
        ).one()
    return f"UV {row.code} · {row.name}", row.located, row.linked


def box(locator):
    b = locator.bounding_box()
    assert b is not None
    return b


def overlaps(a, b) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("width,height", [(1280, 720), (1920, 1080)])
def test_the_projected_map_fills_the_screen_with_the_legend_beside_it(server, browser, width, height):
    base, engine = server
    label, located, linked = busiest_uv(engine)
    assert located > 0
    with chromium_page(browser, width=width, height=height) as page:
        log_in(page, base, "facilitador")
        switch_on(page, "Incluir datos de demostración")
        app_idle(page)
        page.get_by_test_id("stSidebarNav").get_by_text("Modo proyector").click()
        screen = next(s for s, h in SCREENS.items() if s.startswith(str(width)))
        choose(page, "Pantalla", screen)
        choose(page, "Territorio", label)
        frame = map_frame(page)
        frame.locator(f'.leaflet-container[data-sit-proyector="{located}"]').wait_for(timeout=60_000)
        app_idle(page)
        assert not page.get_by_test_id("stSidebar").is_visible()  # no sidebar on the wall

        iframe = box(page.locator(IFRAME))
        legend = box(page.locator(".sit-proyector-leyenda"))
        share = iframe["width"] * min(iframe["height"], height - iframe["y"]) / (width * height)
        assert share >= 0.6, f"the map takes {share:.0%} of the screen"
        assert iframe["y"] + iframe["height"] <= height + 1  # the whole map without scrolling
        assert not overlaps(iframe, legend)  # the legend beside the map, never over it

        # Names and numbers at least 16 px, on the map and beside it.
        sizes = frame.locator(".sit-nombre div, .sit-numero div").evaluate_all(
            "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
        )
        assert len(sizes) >= located + 1 and min(sizes) >= 16
        assert frame.locator(".sit-numero").count() == located
        assert frame.locator(".sit-nombre", has_text=label).count() == 1
        legend_sizes = page.locator(".sit-proyector-leyenda div").evaluate_all(
            "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
        )
        assert min(legend_sizes) >= 16
        shown = page.locator(".sit-proyector-leyenda").inner_text()
        assert "1" in shown and ("más" in shown or linked <= 16)
        scale = frame.locator(".leaflet-control-scale-line").first.inner_text()
        assert scale.endswith(" m") or scale.endswith(" km")  # metric only

        # A reference layer switched on from the map's layer control.
        frame.locator(".leaflet-control-layers").hover()
        frame.get_by_text("Puntos críticos de invierno 2024 (SENAPRED)").click()
        frame.locator('.leaflet-container[data-sit-capas-dibujadas~="punto_critico"]').wait_for(
            timeout=30_000
        )
        assert not [
            u
            for u in page.requests
            if not u.startswith(base) and not u.startswith(("data:", "blob:", "about:"))
        ]


def test_a_workshops_needs_appear_on_the_wall_without_touching_it(server, browser):
    from geo.store.actor import Actor
    from geo.store.workshops import NeedDraft, WorkshopValues, create_workshop, record_needs
    from tests.support.workshops import point_in, strategy_id, territory_id

    base, engine = server
    actor = Actor.system("pruebas automáticas")
    with engine.begin() as conn:
        uv05 = territory_id(conn, "05")
        e1 = strategy_id(conn, "E1")
        where = point_in(conn, "05")
        name = conn.execute(text("SELECT name FROM territory WHERE id = :i"), {"i": uv05}).scalar_one()
    workshop = create_workshop(
        engine, actor, WorkshopValues("2026-12-05", "Sede social Carrera", [uv05], facilitator_name="Fede")
    )
    hostile = "<img src=x onerror=window.__sit_xss=1> {{ 7*7 }}"
    record_needs(engine, actor, workshop, [NeedDraft("problema", e1, hostile, 4, where)])
    with chromium_page(browser, width=1280, height=720) as page:
        log_in(page, base, "facilitador")
        # From the workshop's page: «Proyectar este taller» opens the wall on its territory.
        page.get_by_test_id("stSidebarNav").get_by_text("Talleres").click()
        page.get_by_role("heading", name="Taller del 05-12-2026 en Sede social Carrera").wait_for(
            timeout=60_000
        )
        app_idle(page)
        page.get_by_role("link", name="Proyectar este taller").click()
        page.wait_for_url("**/proyector?territorio=*", timeout=60_000)
        app_idle(page)
        for label, value in (
            ("Territorio", f"UV 05 · {name}"),
            ("Taller", "05-12-2026 · Sede social Carrera"),
        ):
            box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True))
            shown = box.locator("input").input_value() or box.inner_text()
            assert value in shown, shown
        frame = map_frame(page)
        needs = frame.locator("path.sit-necesidad")
        needs.first.wait_for(timeout=60_000)
        assert needs.count() == 1
        # Recorded elsewhere (the Talleres page, a phone accepted): on the wall within seconds.
        record_needs(engine, actor, workshop, [NeedDraft("propuesta", None, "Plaza con sombra", 2, where)])
        seen = []
        for _ in range(60):
            iframes = page.locator(IFRAME).count()
            drawn = map_frame(page).locator("path.sit-necesidad").count() if iframes == 1 else None
            seen.append((iframes, drawn))
            if drawn == 2:
                break
            page.wait_for_timeout(500)
        assert seen[-1] == (1, 2), seen
        # The facilitator opens participation: the wall shows the QR and the short code.
        from geo.store.participation import open_participation

        code = open_participation(engine, actor, workshop)
        page.locator(".sit-participacion-qr .sit-codigo").filter(has_text=code).wait_for(timeout=30_000)
        legend = page.locator(".sit-proyector-leyenda").inner_text()
        assert "Problema" in legend and "Propuesta" in legend
        assert page.evaluate("() => window.__sit_xss") is None
        assert not [u for u in page.requests if not u.startswith((base, "data:", "blob:", "about:"))]
