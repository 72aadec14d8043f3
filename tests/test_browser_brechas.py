"""«Brechas territoriales» in real chromium: the legend follows the metric, a click lists."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import derived_url, free_port, recreate_database, run_sit
from tests.test_browser import ARGS, CHROMIUM, IFRAME

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server():
    url = derived_url("brechas")
    recreate_database(url)
    run_sit("setup", url=url)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env["DATABASE_URL"] = url
    proc = subprocess.Popen([str(Path(sys.executable).parent / "sit"), "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if urllib.request.urlopen(base + "/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.terminate()
        pytest.fail("the app did not start")
    engine = create_engine(url)
    yield base, engine
    engine.dispose()
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1500, "height": 1200})
        yield pg
        browser.close()


def legend(pg) -> str:
    # While Streamlit reruns, the old map iframe may linger next to the new one: read the last.
    return pg.frame_locator(IFRAME).last.locator(".sit-legend").inner_text(timeout=60_000)


def choose(pg, label: str, option: str) -> None:
    pg.get_by_test_id("stSelectbox").filter(has_text=label).click()
    pg.get_by_role("option", name=option).click()


def test_metric_changes_legend_and_click_lists_initiatives(server, page):
    base, engine = server
    page.goto(base)
    # Through the router's navigation (a deep link to /brechas skips app.py: see report).
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
        n = conn.execute(text(
            "SELECT count(*) FROM initiative_territory it JOIN territory t ON t.id = it.territory_id "
            "WHERE t.kind = 'unidad_vecinal' AND t.code = :c"), {"c": code}).scalar()
    shown = page.get_by_test_id("stMetric").filter(
        has_text="Iniciativas vinculadas (con los filtros)").inner_text()
    assert shown.split()[-1] == str(n)
