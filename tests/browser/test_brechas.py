"""«Brechas territoriales» in real chromium: the legend follows the metric, a click lists."""

import time

import pytest
from sqlalchemy import text

from tests.support.browser import IFRAME, choose, chromium_page, log_in, served_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server():
    with served_app("brechas") as app:
        yield app


@pytest.fixture
def page(server, browser):
    with chromium_page(browser, height=1200) as pg:
        yield pg


def legend(pg) -> str:
    # While Streamlit reruns, the old map iframe may linger next to the new one: read the last.
    return pg.frame_locator(IFRAME).last.locator(".sit-legend").inner_text(timeout=60_000)


def test_metric_changes_legend_and_click_lists_initiatives(server, page):
    base, engine = server
    log_in(page, base, "secplac")
    page.get_by_test_id("stSidebarNav").get_by_text("Brechas territoriales").click()
    page.frame_locator(IFRAME).last.locator("path.sit-brecha").first.wait_for(timeout=90_000)
    before = legend(page)
    assert "Iniciativas vinculadas" in before and "Cuantiles" in before

    choose(page, "Indicador", "Iniciativas por 1.000 habitantes")
    deadline = time.time() + 60
    after = before
    while time.time() < deadline and "por 1.000" not in after:
        time.sleep(0.5)
        after = legend(page)
    assert "Iniciativas por 1.000 habitantes" in after and after != before
    choose(page, "Clases del mapa", "Cortes naturales (Jenks)")
    deadline = time.time() + 60
    while time.time() < deadline and "Jenks" not in legend(page):
        time.sleep(0.5)
    assert "Jenks" in legend(page)

    # Click the first UV drawn (UVs come before localities): its initiatives are listed.
    time.sleep(1)
    page.frame_locator(IFRAME).last.locator("path.sit-brecha").first.click(force=True)
    page.get_by_text("Iniciativas vinculadas (con los filtros)").wait_for(timeout=30_000)
    heading = page.get_by_role("heading", name="UV ").first.inner_text().strip()
    code = heading.split()[1]
    with engine.connect() as conn:
        n = conn.execute(
            text(
                "SELECT count(*) FROM initiative_territory it JOIN territory t ON t.id = it.territory_id "
                "WHERE t.kind = 'unidad_vecinal' AND t.code = :c"
            ),
            {"c": code},
        ).scalar()
    shown = (
        page.get_by_test_id("stMetric")
        .filter(has_text="Iniciativas vinculadas (con los filtros)")
        .inner_text()
    )
    assert shown.split()[-1] == str(n)

    # The panel's population is the figure of the population table (one source), es-CL.
    from geo.domain import format_int
    from geo.territory.population import population_table

    with engine.connect() as conn:
        row = next(
            r for r in population_table(conn).rows if r["kind"] == "unidad_vecinal" and r["code"] == code
        )
    label = page.get_by_test_id("stMetricLabel").get_by_text("Población", exact=True)
    figure = page.get_by_test_id("stMetric").filter(has=label).get_by_test_id("stMetricValue")
    assert figure.inner_text().strip() == format_int(row["population"])
    page.get_by_text("Fuente de la población: Estimación Censo 2017").wait_for(timeout=10_000)
