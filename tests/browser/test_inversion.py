"""«Inversión por territorio» in real chromium: ranking, map, UV 05's initiatives, the download,
and the public's view without anybody's name (one server, demo portfolio shown by default)."""

import io
import re
import time

import pytest
from openpyxl import load_workbook

from geo.initiatives.filters import MapFilters
from geo.investment.attribution import investment_report, territory_investment
from geo.investment.labels import millions, money
from geo.investment.lines import InvestmentFilters
from tests.support.browser import (
    ACCOUNTS,
    IFRAME,
    app_idle,
    choose,
    chromium_page,
    log_in,
    served_app,
    settle,
)

pytestmark = pytest.mark.browser

UV05 = "UV 05 · Carrera"
DOWNLOAD = "Descargar iniciativas (Excel)"


@pytest.fixture(scope="module")
def server():
    demo = ("demo", "generate", "--initiatives", "300", "--seed", "1")
    with served_app("inversion", demo, env={"SIT_PUBLIC_READ": "1", "SIT_SHOW_DEMO": "1"}) as app:
        yield app


@pytest.fixture
def page(server, browser):
    with chromium_page(browser, height=1400) as pg:
        yield pg


def library(engine):
    filters = InvestmentFilters(MapFilters(include_demo=True))
    with engine.connect() as conn:
        report = investment_report(conn, filters)
        return report, territory_investment(conn, report.find("UV 05").key, filters)


def ranking_and_map(pg) -> None:
    """Wait for the ranking chart and the choropleth with the UV names written on it."""
    pg.get_by_role("heading", name="Inversión por territorio").wait_for(timeout=90_000)
    pg.locator("[data-testid='stVegaLiteChart'], [data-testid='stArrowVegaLiteChart']").first.wait_for(
        timeout=90_000
    )
    frame = pg.frame_locator(IFRAME).last
    frame.locator("path.sit-brecha").first.wait_for(timeout=90_000)
    assert "Carrera" in frame.locator(".sit-uv-label").all_inner_texts().__str__()
    assert "sit-legend" in frame.locator(".sit-legend").first.evaluate("e => e.className")


def choose_uv05(pg) -> None:
    choose(pg, "Territorio (o haga clic en el mapa)", UV05)
    pg.get_by_test_id("stMetric").filter(has_text="Inversión atribuida").wait_for(timeout=60_000)
    app_idle(pg)


def test_secplac_sees_the_ranking_the_map_and_downloads_uv05(server, page):
    base, engine = server
    report, detail = library(engine)
    log_in(page, base, "secplac", "/ingresar")  # public_read: the pages open without logging in
    page.get_by_test_id("stSidebarNav").get_by_text("Inversión por territorio", exact=True).click()
    ranking_and_map(page)
    total = page.get_by_test_id("stMetric").filter(has_text="Inversión filtrada").inner_text()
    assert millions(report.total_clp) in total
    assert f"estas filas dan {money(report.total_clp)}" in page.inner_text("body")
    # A click on the map chooses the territory: UV 15, the large rural one (UVs are drawn by
    # code, so it is the 15th path; the city's UVs are too small at this frame to aim at).
    settle(page)
    page.frame_locator(IFRAME).last.locator("path.sit-brecha").nth(14).click(force=True)
    chosen = page.get_by_test_id("stSelectbox").filter(has_text="Territorio (o haga clic en el mapa)")
    deadline = time.time() + 60  # the chosen option is the value of the box's input
    while time.time() < deadline and chosen.locator("input").input_value() != "UV 15 · Domeincachi":
        time.sleep(0.3)
    assert chosen.locator("input").input_value() == "UV 15 · Domeincachi"
    page.get_by_test_id("stMetric").filter(has_text="Inversión atribuida").wait_for(timeout=60_000)
    choose_uv05(page)
    shown = page.get_by_test_id("stMetric").filter(has_text="Inversión atribuida").inner_text()
    assert money(detail.row.attributed_clp) in shown
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=DOWNLOAD).click()
    ws = load_workbook(io.BytesIO(info.value.path().read_bytes()))["Iniciativas"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    assert [r["Código"] for r in rows] == [i.code for i in detail.initiatives] and rows
    assert rows[0]["Atribuido al territorio"] == detail.initiatives[0].attributed_clp
    assert all(not u.startswith(("http://", "https://")) or "127.0.0.1" in u for u in page.requests)


def test_the_public_sees_the_figures_and_no_names(server, page):
    base, engine = server
    report, detail = library(engine)
    page.goto(base + "/inversion")
    ranking_and_map(page)
    choose_uv05(page)
    body = page.inner_text("body")
    assert money(detail.row.attributed_clp) in body
    for username, full_name, _ in ACCOUNTS.values():
        assert full_name not in body and f"({username})" not in body
    assert page.get_by_role("button", name=re.compile("Descargar")).count() == 0
