"""The Actividad page in real chromium: who may see it, the account in each row, a filter, the download.

``sit serve`` on its own database. Before accounts, a person typed a hostile name (Markdown
that would fetch an outside image) and changed an initiative; then Ana Rojas (secplac),
logged in, changed it again. Ana opens Actividad from the sidebar, downloads the rows
(the workbook is built when the button is pressed), picks the typed name in «Persona» and
downloads again; a concejo account is not offered the page.
"""

from __future__ import annotations

import io
from urllib.parse import urlparse

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from geo.accounts.users import find_account
from geo.store.actor import Actor
from geo.store.funding import FundingLineValues
from geo.store.initiatives import InitiativeChange, save_initiatives
from tests.support.browser import app_idle, chromium_page, log_in, served_app, sidebar_pages

pytestmark = pytest.mark.browser
CODE = "E1.P1.G1.01"
TYPED = "![x](http://203.0.113.1/x.png) Pedro"
DOWNLOAD = "Descargar la actividad filtrada (Excel)"


@pytest.fixture(scope="module")
def server():
    with served_app("browser_activity") as (base, engine):
        with engine.begin() as conn:
            iid = conn.execute(text("SELECT id FROM initiative WHERE code = :c"), {"c": CODE}).scalar_one()
            save_initiatives(
                conn,
                Actor(TYPED, "página Iniciativas", role="secplac"),
                [InitiativeChange(values={"status": "idea"}, id=iid)],
            )
        ana = find_account(engine, "ana")
        assert ana is not None
        save_initiatives(
            engine,
            Actor.account(ana.id, ana.full_name, ana.role, "página Iniciativas"),
            [
                InitiativeChange(
                    values={"status": "perfil"},
                    funding=[FundingLineValues("fndr", None, 2016, 12_500_000, "aprobado")],
                    id=iid,
                )
            ],
        )
        yield base, engine


@pytest.fixture
def page(server, browser):
    with chromium_page(browser) as pg:
        yield pg


def download(page) -> list[dict]:
    app_idle(page)  # the button of the last run, not a stale one
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=DOWNLOAD).click()
    ws = load_workbook(io.BytesIO(info.value.path().read_bytes()))["Actividad"]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)]


def test_secplac_sees_who_changed_what_and_downloads_it(server, page):
    base, _ = server
    log_in(page, base, "secplac")
    assert "Actividad" in sidebar_pages(page)
    page.get_by_test_id("stSidebarNav").get_by_text("Actividad", exact=True).click()
    page.get_by_role("heading", name="Actividad").wait_for(timeout=60_000)
    page.get_by_test_id("stDataFrame").first.wait_for(timeout=60_000)

    lines = download(page)
    ana = [li for li in lines if li["Cuenta"] == "ana"]
    assert {(li["Quién"], li["Campo"], li["Antes"], li["Después"]) for li in ana} >= {
        ("Ana Rojas (ana)", "Estado", "Idea", "Perfil"),
        ("Ana Rojas (ana)", "Financiamiento", "(vacío)", "FNDR, 2016, $ 12.500.000, Aprobado"),
    }
    typed = [li for li in lines if li["Quién"] == f"{TYPED} (nombre escrito, sin cuenta)"]
    assert [(li["Campo"], li["Antes"], li["Después"]) for li in typed] == [
        ("Estado", "Sin información", "Idea")
    ]

    # Only the typed name's rows, once it is picked in «Persona».
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Persona", exact=True))
    box.click()
    page.get_by_role("option", name=f"{TYPED} (nombre escrito, sin cuenta)").click()
    page.get_by_test_id("stCaptionContainer").filter(has_text="Filas 1–1 de 1.").wait_for(timeout=60_000)
    assert [li["Quién"] for li in download(page)] == [f"{TYPED} (nombre escrito, sin cuenta)"]

    # The typed Markdown stayed text: no image, no outside request.
    main = page.get_by_test_id("stMain")
    assert main.locator('img[src*="203.0.113.1"], a[href*="203.0.113.1"]').count() == 0
    outside = [u for u in page.requests if urlparse(u).hostname not in ("127.0.0.1", "localhost", None)]
    assert not [u for u in outside if not u.startswith(("data:", "blob:"))], outside


def test_a_concejo_account_is_not_offered_the_page(server, page):
    base, _ = server
    log_in(page, base, "concejo")
    assert "Actividad" not in sidebar_pages(page)
