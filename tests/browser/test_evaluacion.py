"""«Evaluación del PLADECO» in real chromium: SECPLAC opens it from the sidebar, reads the demo
portfolio's progress, creates and closes a cut on the page, evaluates the cut and downloads its
«Informe de avance», whose text carries the figures shown; nothing leaves localhost."""

import io

import pypdf
import pytest

from geo.evaluation.report import evaluation
from geo.evaluation.tables import pct
from tests.support.browser import app_idle, chromium_page, log_in, served_app, wait_until

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server():
    demo = ("demo", "generate", "--initiatives", "200", "--seed", "3")
    with served_app("evaluacion", demo, env={"SIT_SHOW_DEMO": "1"}) as app:
        yield app


@pytest.fixture
def page(server, browser):
    with chromium_page(browser, height=1400) as pg:
        yield pg


def metric(pg, label: str) -> str:
    return pg.get_by_test_id("stMetric").filter(has_text=label).first.inner_text()


def press(pg, label: str) -> None:
    app_idle(pg)
    pg.get_by_role("button", name=label, exact=True).click()
    app_idle(pg)


def test_secplac_closes_a_cut_and_downloads_its_report(server, page):
    base, engine = server
    with engine.connect() as conn:
        live = evaluation(conn, None, with_demo=True).as_json()
    log_in(page, base, "secplac")
    page.get_by_test_id("stSidebarNav").get_by_text("Evaluación del PLADECO", exact=True).click()
    page.get_by_role("heading", name="Evaluación del PLADECO", exact=True).wait_for(timeout=90_000)
    app_idle(page)
    assert pct(live["summary"]["physical_pct"]) in metric(page, "Avance físico")
    assert live["summary"]["physical_pct"] is not None  # the demo portfolio has statuses

    page.get_by_role("tab", name="Cortes").click()
    page.get_by_label("Fecha de corte").fill("31-12-2015")
    page.get_by_text("Congelar también los datos de demostración").click()
    press(page, "Crear corte")
    page.get_by_text("Corte n.º 1 creado.").wait_for(timeout=60_000)
    if not page.get_by_role("button", name="Cerrar corte", exact=True).is_visible():
        page.get_by_role("tab", name="Cortes").click()
    press(page, "Cerrar corte")
    page.get_by_text("Corte n.º 1 cerrado").wait_for(timeout=60_000)

    page.get_by_test_id("stSelectbox").filter(has_text="Evaluar").click()
    page.get_by_role("option", name="Corte n.º 1: estado al 31-12-2015 (cerrada)").click()
    app_idle(page)
    with engine.connect() as conn:
        frozen = evaluation(conn, 1).as_json()
    shown = pct(frozen["summary"]["physical_pct"])
    assert wait_until(lambda: shown in metric(page, "Avance físico"))
    assert frozen["summary"] == live["summary"]  # frozen as it was: nobody edited in between

    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="Informe de avance (PDF)").click()
    pdf = info.value.path().read_bytes()
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert f"Avance físico del PLADECO {shown}" in text and "Corte n.º 1: estado al 31-12-2015" in text
    assert "Este corte incluye datos de demostración" in text  # announced, as on every page
    page.screenshot(path="/tmp/sit-evaluacion.png", full_page=True)
    for tab in ("Por estrategia y plan", "Territorial", "Social"):  # looked at, not asserted
        page.get_by_role("tab", name=tab).click()
        app_idle(page)
        page.screenshot(path=f"/tmp/sit-evaluacion-{tab.split()[0].lower()}.png", full_page=True)
    assert all(not u.startswith(("http://", "https://")) or "127.0.0.1" in u for u in page.requests)
