"""The Actividad page with AppTest: the console's rows, filters, paging, before and after, who may see it.

The page reads a sibling database holding the history of :mod:`tests.support.activity`,
committed, so ``sit activity`` (another process) reads the same rows.
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import create_engine
from streamlit.testing.v1 import AppTest

from geo import settings
from geo.accounts.users import create_user, find_account
from geo.activity.tables import activity_table
from geo.settings import PROJECT_ROOT
from tests import conftest
from tests.conftest import run_sit, set_up_database
from tests.pages.conftest import app_as
from tests.support.activity import CODE, FAST, PASSWORD, write_scenario
from tests.support.actors import TESTER
from ui import auth

ANA = "Ana Rojas (arojas)"
PATRICIO = "Patricio Vega (nombre escrito, sin cuenta)"


@pytest.fixture(scope="module")
def world():
    url = set_up_database("pages_activity")
    engine = create_engine(url)
    with engine.begin() as conn:
        carmen = create_user(conn, TESTER, "concejal", "Carmen Concejal", "concejo", PASSWORD, hasher=FAST)
        story = write_scenario(conn)
    ana = find_account(engine, "arojas")
    engine.dispose()
    return url, story, ana, carmen


def open_as(monkeypatch, world, account):
    url = world[0]
    monkeypatch.setattr(conftest, "database_url_for_tests", lambda: url)
    return app_as(monkeypatch, account, "pages/actividad.py")


@pytest.fixture
def page(monkeypatch, world):
    with open_as(monkeypatch, world, world[2]) as at:
        assert not at.exception, at.exception
        yield at


def shown(at) -> pd.DataFrame:
    return at.dataframe[0].value


def cli_rows(url, *args):
    return json.loads(run_sit("activity", "--json", *args, url=url).stdout)


def test_the_first_page_is_what_sit_activity_gives_newest_first(page, world):
    rows = cli_rows(world[0])
    assert len(rows) > 25  # the load of the catalogue and the base pack, and the story
    pd.testing.assert_frame_equal(shown(page).reset_index(drop=True), activity_table(rows[:25]))
    assert any(f"de {len(rows):,}".replace(",", ".") in c.value for c in page.caption)
    first = shown(page).iloc[0]
    assert (
        first["Quién"] == ANA and first["Acción"] == "Ubicar sitio" and first["Objeto"] == "Chamonate (Sitio)"
    )


def test_the_next_page_follows(page, world):
    rows = cli_rows(world[0])
    page.number_input(key="act_page").set_value(2).run()
    assert not page.exception
    assert list(shown(page)["N.º"]) == [r["id"] for r in rows[25:50]]


def test_before_and_after_of_each_field_and_the_typed_name_of_old_rows(page, world):
    page.selectbox(key="act_kind").select("initiative").run()
    page.text_input(key="act_ref").input(CODE).run()
    table = shown(page)
    assert list(table["Quién"][:2]) == [ANA, PATRICIO]
    assert set(table["Cambios (antes → después)"].iloc[0].split(" · ")) == {
        "Estado: Idea → Perfil",
        "Financiamiento: (vacío) → FNDR, 2016, $ 12.500.000, Aprobado",
    }
    assert table["Cambios (antes → después)"].iloc[1] == "Estado: Sin información → Idea"
    assert table["Fecha"].iloc[1] == "10-03-2025 12:00"
    pd.testing.assert_frame_equal(
        table.reset_index(drop=True), activity_table(cli_rows(world[0], "--objeto", f"initiative:{CODE}"))
    )


def test_each_filter_narrows_the_table(page, world):
    url = world[0]
    page.selectbox(key="act_person").select("Patricio Vega").run()
    assert list(shown(page)["Quién"]) == [PATRICIO]
    page.selectbox(key="act_person").select("arojas").run()
    table = shown(page)
    assert set(table["Quién"]) == {ANA} and set(table["Acción"]) == {"Editar iniciativa", "Ubicar sitio"}
    page.selectbox(key="act_action").select("ubicar_sitio").run()
    assert list(shown(page)["Acción"]) == ["Ubicar sitio"]
    page.selectbox(key="act_person").select(None).run()
    page.selectbox(key="act_action").select(None).run()
    page.date_input(key="act_since").set_value(date(2025, 3, 10)).run()
    page.date_input(key="act_until").set_value(date(2025, 3, 10)).run()
    assert list(shown(page)["Quién"]) == [PATRICIO]
    page.date_input(key="act_since").set_value(None).run()
    page.date_input(key="act_until").set_value(None).run()
    page.selectbox(key="act_kind").select("app_user").run()
    table = shown(page)
    assert list(table["Objeto"]) == ["arojas", "concejal"]
    pd.testing.assert_frame_equal(
        table.reset_index(drop=True), activity_table(cli_rows(url, "--objeto", "app_user"))
    )
    page.text_input(key="act_ref").input("nadie").run()
    assert not page.dataframe and any("Sin actividad" in i.value for i in page.info)


def test_a_role_without_the_right_gets_no_activity_even_at_the_page_s_own_address(monkeypatch, world):
    # The file run directly, as Streamlit serves it before any session called st.navigation.
    monkeypatch.setenv("DATABASE_URL", world[0])
    settings.get_settings.cache_clear()
    try:
        at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "actividad.py"), default_timeout=60)
        at.session_state[auth.SESSION_KEY] = auth.SignedIn.of(world[3])
        at.session_state[auth.SEEN_KEY] = auth.clock()
        at.run()
    finally:
        settings.get_settings.cache_clear()
    assert not at.exception
    assert not at.dataframe and not at.selectbox
    assert any("No autorizado: el rol Concejo" in e.value for e in at.error)


def test_a_date_range_backwards_is_refused_in_spanish(page):
    page.date_input(key="act_since").set_value(date(2025, 3, 11)).run()
    page.date_input(key="act_until").set_value(date(2025, 3, 10)).run()
    assert not page.exception and not page.dataframe
    assert any("La fecha «desde» es posterior a la fecha «hasta»" in e.value for e in page.error)
