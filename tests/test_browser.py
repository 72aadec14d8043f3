"""Main journey in a real headless browser (Debian chromium via Playwright).

Starts the app with ``sit serve`` on its own database, opens the map, changes a filter,
sees the number of drawn initiative features change, clicks a territory, and records
that no request left localhost.
"""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import derived_url, free_port, recreate_database, run_sit

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


@pytest.fixture(scope="module")
def server():
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: scripts/test.sh installs it (apt-get install chromium)")
    url = derived_url("browser")
    recreate_database(url)
    run_sit("setup", url=url)
    run_sit("demo", "generate", "--initiatives", "300", "--seed", "1", url=url)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env["DATABASE_URL"] = url
    sit = Path(sys.executable).parent / "sit"
    proc = subprocess.Popen([str(sit), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
        pg = browser.new_page(viewport={"width": 1500, "height": 1100})
        requests: list[str] = []
        pg.on("request", lambda r: requests.append(r.url))
        pg.requests = requests
        yield pg
        browser.close()


def drawn(pg, cls: str) -> int:
    return pg.frame_locator(IFRAME).locator(f"path.{cls}").count()


def wait_for_count(pg, cls: str, expected: int, timeout: float = 60) -> int:
    deadline = time.time() + timeout
    n = -1
    while time.time() < deadline:
        n = drawn(pg, cls)
        if n == expected:
            return n
        time.sleep(0.3)
    return n


def test_filter_changes_drawn_initiatives_and_nothing_leaves_localhost(server, page):
    base, engine = server
    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM initiative WHERE geom IS NOT NULL")).scalar()
        e1 = conn.execute(text("SELECT count(*) FROM initiative i JOIN strategy s "
                               "ON s.id = i.strategy_id WHERE i.geom IS NOT NULL "
                               "AND s.code = 'E1'")).scalar()
    assert 0 < e1 < total == 300

    page.goto(base)
    assert wait_for_count(page, "sit-iniciativa", total) == total
    assert drawn(page, "sit-territorio") > 0
    page.get_by_text("Datos de demostración presentes").wait_for(timeout=10_000)

    strategy = page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").first
    strategy.click()
    page.keyboard.type("E1 ·")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    assert wait_for_count(page, "sit-iniciativa", e1) == e1

    outside = [u for u in page.requests
               if not u.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:",
                                    "about:"))]
    assert outside == []


def test_clicking_a_territory_shows_its_details(server, page):
    base, _ = server
    page.goto(base)
    frame = page.frame_locator(IFRAME)
    frame.locator("path.sit-territorio").first.wait_for(timeout=60_000)
    # Turn the initiatives layer off so the click lands on the territory underneath.
    frame.locator(".leaflet-control-layers").hover()
    frame.get_by_text("Iniciativas con ubicación").click()
    frame.get_by_text("Establecimientos de salud").click()
    frame.get_by_text("Establecimientos educacionales").click()
    frame.locator("path.sit-territorio").nth(3).click(force=True)
    page.get_by_text("Iniciativas vinculadas (con los filtros)").wait_for(timeout=30_000)


def test_clicking_an_initiative_shows_plan_status_amount_and_territories(server, page):
    base, engine = server
    page.goto(base)
    frame = page.frame_locator(IFRAME)
    frame.locator("path.sit-iniciativa").first.wait_for(timeout=60_000)
    frame.locator("path.sit-iniciativa").nth(5).dispatch_event("click")
    heading = page.get_by_role("heading", name="DEMO-1-")
    heading.wait_for(timeout=30_000)
    code = heading.inner_text().strip()
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT p.name AS plan, i.status, i.amount_clp FROM initiative i "
            "JOIN plan p ON p.id = i.plan_id WHERE i.code = :c"), {"c": code}).one()
    from geo.domain import format_clp, status_label

    for value in (row.plan, status_label(row.status), format_clp(row.amount_clp), "Territorios"):
        # st.dataframe draws on a canvas; its cells exist as accessible (hidden) grid cells.
        page.get_by_text(value, exact=True).first.wait_for(state="attached", timeout=10_000)
