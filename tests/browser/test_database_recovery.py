"""An open map survives the database dropping its connections or going away for a while.

The app is served on its own database; the journey opens the map with the demo initiatives,
then (1) PostgreSQL terminates every connection of the app, as a restart does, and the next
filter change redraws the map with no traceback; (2) the database refuses connections: the
next interaction shows the Spanish message with «Reintentar», and once the database is back
that button brings the map back in the same tab (no reload, no app restart).
"""

import pytest
from sqlalchemy import Engine, create_engine, text

from tests.support.browser import (
    app_idle,
    chromium_page,
    log_in,
    open_and_type,
    served_app,
    settle,
    switch_on,
    wait_for_drawn,
)

pytestmark = pytest.mark.browser
N_DEMO = 60
DEMO_SWITCH = "Incluir datos de demostración"
UNREACHABLE = "No se pudo conectar a la base de datos"


@pytest.fixture(scope="module")
def server():
    with served_app("recovery", ("demo", "generate", "--initiatives", str(N_DEMO), "--seed", "3")) as app:
        yield app


@pytest.fixture
def page(server, browser):
    with chromium_page(browser) as pg:
        yield pg


def database_name(engine: Engine) -> str:
    return str(engine.url.database)


def terminate_app_connections(engine: Engine) -> int:
    """What a PostgreSQL restart does to the app: every one of its connections is cut."""
    with engine.connect() as conn:
        n = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()"
            ),
            {"db": database_name(engine)},
        ).scalar()
    return int(n or 0)


def allow_connections(engine: Engine, allowed: bool) -> None:
    """Open or close the served database to every new connection (superusers included),
    and when closing, cut the connections the app holds; run from the ``postgres`` database."""
    engine.dispose()
    admin = create_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{database_name(engine)}" WITH ALLOW_CONNECTIONS {allowed}'))
            if not allowed:
                conn.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db"),
                    {"db": database_name(engine)},
                )
    finally:
        admin.dispose()


def choose_strategy(pg, code: str) -> None:
    box = pg.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").first
    open_and_type(pg, box, f"{code} ·")
    pg.keyboard.press("Enter")
    pg.keyboard.press("Escape")


def no_traceback(pg) -> None:
    assert pg.get_by_test_id("stException").count() == 0
    assert "Traceback" not in pg.inner_text("body")
    assert "OperationalError" not in pg.inner_text("body")


def strategy_count(engine: Engine, code: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM initiative i JOIN strategy s ON s.id = i.strategy_id "
                    "WHERE i.geom IS NOT NULL AND s.code = :code"
                ),
                {"code": code},
            ).scalar()
            or 0
        )


def test_the_map_answers_the_next_filter_change_after_its_connections_are_cut(server, page):
    base, engine = server
    e1 = strategy_count(engine, "E1")
    assert 0 < e1 < N_DEMO
    log_in(page, base, "secplac")
    switch_on(page, DEMO_SWITCH)
    assert wait_for_drawn(page, N_DEMO) == N_DEMO

    assert terminate_app_connections(engine) >= 1
    choose_strategy(page, "E1")
    assert wait_for_drawn(page, e1) == e1
    no_traceback(page)


def test_an_unreachable_database_shows_a_spanish_message_and_the_tab_recovers(server, page):
    base, engine = server
    e1 = strategy_count(engine, "E1")
    log_in(page, base, "secplac")
    switch_on(page, DEMO_SWITCH)
    assert wait_for_drawn(page, N_DEMO) == N_DEMO

    allow_connections(engine, False)
    try:
        # The next interaction meets the outage: a Spanish message, no traceback.
        choose_strategy(page, "E1")
        page.get_by_text(UNREACHABLE).wait_for(timeout=30_000)
        no_traceback(page)
        retry = page.get_by_role("button", name="Reintentar")
        app_idle(page)  # a click on the previous run's button, still on screen, is lost
        retry.click()  # still down: the same message, still no traceback
        app_idle(page)  # that run ends before the database is back (else it would recover by itself)
        page.get_by_text(UNREACHABLE).wait_for(timeout=30_000)
        no_traceback(page)
    finally:
        allow_connections(engine, True)

    # Back: the same tab works again on the next click, with the filters as the person left
    # them (demo data on, strategy E1 chosen during the outage), though not drawn meanwhile.
    app_idle(page)
    page.get_by_role("button", name="Reintentar").click()
    page.get_by_test_id("stSidebar").get_by_role("switch", name=DEMO_SWITCH).wait_for(timeout=60_000)
    settle(page)
    assert page.get_by_text(UNREACHABLE).count() == 0
    no_traceback(page)
    assert page.get_by_test_id("stSidebar").get_by_role("switch", name=DEMO_SWITCH).is_checked()
    assert wait_for_drawn(page, e1) == e1
    no_traceback(page)
