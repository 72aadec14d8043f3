"""Text from a file is shown as text in real chromium: no image, link, LaTeX or outside request.

The population source of an official figure comes from the municipality's CSV. Streamlit
renders captions as Markdown, so an unescaped ``![x](http://...)`` made the browser fetch
that address, ``$x^2$`` became KaTeX and a bare URL a link.
"""

import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.support.browser import IFRAME, chromium_page, log_in, served_app

pytestmark = pytest.mark.browser

HOSTILE = "![x](http://203.0.113.1/x.png) $x^2$ http://203.0.113.1"


@pytest.fixture(scope="module")
def server():
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "oficial.csv"
        rows = "".join(f"{n:02d};2500;{HOSTILE}\n" for n in range(1, 16))  # every UV of the base pack
        csv.write_text("codigo;poblacion;fuente\n" + rows, encoding="utf-8")
        with served_app("hostile_text", ("population", "import", str(csv))) as app:
            yield app


@pytest.fixture
def page(server, browser):
    with chromium_page(browser, height=1200) as pg:
        yield pg


def test_a_hostile_population_source_is_plain_text_on_brechas(server, page):
    base, _ = server
    log_in(page, base, "secplac")
    page.get_by_test_id("stSidebarNav").get_by_text("Brechas territoriales").click()
    page.frame_locator(IFRAME).last.locator("path.sit-brecha").first.wait_for(timeout=90_000)
    time.sleep(1)
    page.frame_locator(IFRAME).last.locator("path.sit-brecha").first.click(force=True)
    caption = page.get_by_test_id("stCaptionContainer").filter(has_text="Fuente de la población")
    caption.first.wait_for(timeout=30_000)
    time.sleep(1)  # let any image the Markdown might have produced start loading

    # Shown exactly as the file says it, and nothing of it interpreted.
    shown = caption.first.inner_text().strip().replace("\u2060", "")  # the invisible word joiner
    assert shown == "Fuente de la población: Cifra oficial municipal: " + HOSTILE
    assert caption.first.locator("img, a, .katex").count() == 0, caption.first.inner_html()
    main = page.get_by_test_id("stMain")
    assert main.locator('img[src*="203.0.113.1"], a[href*="203.0.113.1"]').count() == 0
    assert main.locator(".katex").count() == 0
    outside = [u for u in page.requests if urlparse(u).hostname not in ("127.0.0.1", "localhost", None)]
    assert not [u for u in outside if not u.startswith(("data:", "blob:"))], outside
