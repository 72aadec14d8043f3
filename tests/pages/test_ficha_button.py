"""The «Ficha territorial (PDF)» button: for the roles that download reports, made on click."""

import io

import pypdf
import pytest

from geo import settings
from tests.conftest import database_url_for_tests

UV_05 = "SELECT id FROM territory WHERE kind = 'unidad_vecinal' AND code = '05'"


def button(territory_id: int, signed_in) -> None:
    import streamlit as st

    from geo.initiatives.filters import MapFilters
    from ui import auth, state
    from ui.reports import ficha_button

    if signed_in is not None:
        st.session_state[auth.SESSION_KEY] = signed_in
        st.session_state[auth.SEEN_KEY] = auth.clock()
    ficha_button(territory_id, MapFilters(), state.data_version())


@pytest.fixture
def draw(engine, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DATABASE_URL", database_url_for_tests())
    settings.get_settings.cache_clear()

    def run(territory_id: int, account):
        from ui import auth

        signed_in = auth.SignedIn.of(account) if account is not None else None
        at = AppTest.from_function(button, args=(territory_id, signed_in), default_timeout=60)
        at.run()
        assert not at.exception
        return [b for b in at.get("download_button") if b.label == "Ficha territorial (PDF)"]

    yield run
    settings.get_settings.cache_clear()


def test_concejo_gets_the_button_and_the_public_does_not(engine, accounts, draw):
    from sqlalchemy import text

    with engine.connect() as conn:
        uv = conn.execute(
            text("SELECT id FROM territory WHERE kind = 'unidad_vecinal' AND code = '05'")
        ).scalar()
        site = conn.execute(text("SELECT id FROM territory WHERE kind = 'sitio' LIMIT 1")).scalar()
    assert len(draw(uv, accounts["concejo"])) == 1
    assert draw(uv, None) == []
    assert draw(site, accounts["concejo"]) == []  # a site has no ficha


def test_the_button_makes_the_one_page_pdf(engine, monkeypatch):
    from sqlalchemy import text

    from geo.initiatives.filters import MapFilters
    from geo.investment.lines import InvestmentFilters
    from ui.reports import ficha_bytes

    monkeypatch.setenv("DATABASE_URL", database_url_for_tests())
    settings.get_settings.cache_clear()
    with engine.connect() as conn:
        uv = conn.execute(
            text("SELECT id FROM territory WHERE kind = 'unidad_vecinal' AND code = '05'")
        ).scalar()
    pdf = ficha_bytes(uv, InvestmentFilters(MapFilters()).key(), "v")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1 and "UV 05 · Carrera" in reader.pages[0].extract_text()
    settings.get_settings.cache_clear()


def test_the_inversion_page_offers_the_ficha_of_the_chosen_territory_only(engine, monkeypatch, accounts):
    from sqlalchemy import text

    from tests.pages.conftest import app_as

    with engine.connect() as conn:
        uv = conn.execute(text(UV_05)).scalar()
    with app_as(monkeypatch, accounts["concejo"], "pages/inversion.py", timeout=120) as at:
        assert not at.exception
        at.selectbox(key="inv_territory").set_value(uv).run()
        assert not at.exception
        buttons = [b for b in at.get("download_button") if b.label == "Ficha territorial (PDF)"]
        assert len(buttons) == 1
        at.selectbox(key="inv_territory").set_value("comunal").run()  # a row that is no territory
        assert not [b for b in at.get("download_button") if b.label == "Ficha territorial (PDF)"]
