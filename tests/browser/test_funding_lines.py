"""The funding lines journey in real chromium: a planner adds a line to an initiative in the
Iniciativas form (a wrong amount first, refused naming the line and the field), saves it, and
the council sees the money on «Inversión por territorio».
"""

import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import text

from geo.initiatives.filters import MapFilters
from geo.investment.attribution import investment_report
from geo.investment.labels import millions, money
from geo.investment.lines import InvestmentFilters
from tests.browser.test_iniciativas import open_initiative
from tests.support.browser import app_idle, chromium_page, served_app

pytestmark = pytest.mark.browser
CODE = "E1.P1.G1.01"
SHOTS = None


@pytest.fixture(scope="module")
def server():
    with served_app("browser_funding") as app:
        yield app


@pytest.fixture
def page(server, browser):
    with chromium_page(browser, height=1600) as pg:
        yield pg


def grid(page):
    """The funding lines' table (the form's data editor: the one with «Add row»)."""
    frames = page.get_by_test_id("stDataFrame")
    for n in range(frames.count()):
        frames.nth(n).hover()
        if frames.nth(n).get_by_role("button", name="Add row").count():
            return frames.nth(n)
    raise AssertionError("no data editor")


#: Where the columns of the lines' table are, from its left edge (px; see ui/initiatives/funding).
COLUMN_X = {"source": 75, "source_detail": 158, "year": 225, "amount_clp": 303, "stage": 395}
HEADER, ROW = 36, 35


def type_cell(page, g, row: int, column: str, value: str) -> None:
    """Type ``value`` into a cell (every edit reruns the app: wait for it before the next one).

    The cell's editor is opened with a double click: a text cell's editor (a textarea in the
    grid's portal) is filled, replacing what it held; a list cell is filtered by the typed
    text and chosen with Enter, which may open the next (new, blank: no line) row's editor,
    closed with Escape.
    """
    app_idle(page)
    g.scroll_into_view_if_needed()  # a message above may have moved it
    box = g.bounding_box()
    x, y = box["x"] + COLUMN_X[column], box["y"] + HEADER + ROW * row + ROW / 2
    page.mouse.click(x, y)
    page.mouse.dblclick(x, y)
    if column in ("source", "stage"):
        time.sleep(0.6)
        page.keyboard.type(value)
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
    else:
        editor = page.locator("#portal textarea").first
        editor.wait_for(timeout=5_000)
        editor.fill(value)
        editor.press("Enter")
    time.sleep(1.5)  # the edit's rerun starts a moment later: an edit sent during it is lost
    app_idle(page)


def shown_in(g, value: str) -> bool:
    """Whether the grid shows ``value`` (its canvas has accessible cells)."""
    return g.get_by_text(value, exact=True).count() > 0


def fill_row(page, g, values: dict[str, str]) -> None:
    """Type a row's values, then type again any the grid does not show (an edit sent while the
    previous one's rerun runs can be dropped under load)."""
    for _ in range(3):
        missing = {c: v for c, v in values.items() if not shown_in(g, v)}
        if not missing:
            return
        for column, value in missing.items():
            try:
                type_cell(page, g, 0, column, value)
            except PlaywrightTimeout:  # the editor did not open (a rerun redrew the grid): again
                page.keyboard.press("Escape")
    raise AssertionError(f"the grid never showed {missing}")


def test_a_line_typed_in_the_form_is_saved_and_its_money_shows_on_inversion(server, page):
    base, engine = server
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM funding_line")).scalar() == 0  # the plan has none
    open_initiative(page, base, CODE)
    g = grid(page)
    g.scroll_into_view_if_needed()
    g.get_by_role("button", name="Add row").click()
    fill_row(
        page,
        g,
        {
            "source": "Sectorial",
            "source_detail": "MINVU",
            "year": "2016",
            "amount_clp": "doce millones",
            "stage": "Aprobado",
        },
    )
    page.get_by_role("button", name="Guardar", exact=True).click()
    # Refused, naming the line and the field; nothing written.
    page.get_by_text("línea 1, Monto (CLP): no se entiende «doce millones»").wait_for(timeout=30_000)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM funding_line")).scalar() == 0

    fill_row(page, g, {"amount_clp": "$ 12.500.000"})
    page.get_by_text("Total de las líneas: $ 12.500.000").wait_for(timeout=30_000)
    app_idle(page)
    page.get_by_role("button", name="Guardar", exact=True).click()
    page.get_by_text(f"Guardado: {CODE} (versión 2)").wait_for(timeout=30_000)
    with engine.connect() as conn:
        line = conn.execute(
            text(
                "SELECT f.source, f.source_detail, f.year, f.amount_clp, f.stage FROM funding_line f "
                "JOIN initiative i ON i.id = f.initiative_id WHERE i.code = :c"
            ),
            {"c": CODE},
        ).one()
        report = investment_report(conn, InvestmentFilters(MapFilters()))
    assert tuple(line) == ("sectorial", "MINVU", 2016, 12_500_000, "aprobado")
    assert report.total_clp == 12_500_000

    # The council's page: the new money, in millions and to the peso, split over the UVs.
    app_idle(page)
    page.get_by_test_id("stSidebarNav").get_by_text("Inversión por territorio", exact=True).click()
    page.get_by_role("heading", name="Inversión por territorio").wait_for(timeout=90_000)
    total = page.get_by_test_id("stMetric").filter(has_text="Inversión filtrada")
    total.wait_for(timeout=60_000)
    assert millions(12_500_000) in total.inner_text()
    page.get_by_text(f"estas filas dan {money(12_500_000)}").first.wait_for(timeout=30_000)
