"""The territory panel (map and Brechas) shows the same population as Brechas, with its source.

The panel used to read ``territory.population`` (only set by an official import) and said
"población sin información" for a UV whose estimate Brechas showed. Both now come from
``population_table``: the test reads the Brechas page's population table and the panel,
drawn with AppTest against the real test database, for the same UV.
"""

import re

import pytest
from sqlalchemy import text

from geo import settings
from geo.domain import format_int
from geo.territory.population_import import clear_official_population, import_official_population
from layers.sanitize import clean_markdown
from tests.conftest import database_url_for_tests
from tests.pages.conftest import app_as
from tests.support.actors import TESTER


def panel(territory_id: int) -> None:
    from geo.initiatives.filters import MapFilters
    from ui import state
    from ui.initiatives.details import show_territory

    show_territory(territory_id, MapFilters(), state.data_version())


@pytest.fixture
def open_panel(engine, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DATABASE_URL", database_url_for_tests())
    settings.get_settings.cache_clear()

    def run(territory_id: int) -> AppTest:
        at = AppTest.from_function(panel, args=(territory_id,), default_timeout=120)
        at.run()
        assert not at.exception
        return at

    yield run
    settings.get_settings.cache_clear()


def brechas_population(monkeypatch) -> dict:
    """Territory label -> (population, source) as the Brechas page lists them (to the public)."""
    monkeypatch.setenv("SIT_PUBLIC_READ", "1")
    with app_as(monkeypatch, None, "pages/brechas.py", timeout=120) as at:
        assert not at.exception
        table = next(d.value for d in at.dataframe if "Origen" in d.value.columns)
    return {r["Territorio"]: (r["Población"], r["Fuente"]) for _, r in table.iterrows()}


def territory_id(engine, kind: str, code: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT id FROM territory WHERE kind = :k AND code = :c"), {"k": kind, "c": code}
        ).scalar_one()


def shown(at) -> tuple[str, str]:
    value = next(m.value for m in at.metric if m.label == "Población")
    source = next(c.value for c in at.caption if c.value.startswith("Fuente de la población: "))
    return value, source.removeprefix("Fuente de la población: ")


def unescape(markdown: str) -> str:
    return markdown.replace("\\", "")


@pytest.mark.parametrize(
    ("kind", "code", "label"),
    [("unidad_vecinal", "06", "UV 06 · Baquedano"), ("localidad", "DOMEYKO", "Domeyko")],
)
def test_panel_shows_the_population_brechas_shows(engine, monkeypatch, open_panel, kind, code, label):
    population, source = brechas_population(monkeypatch)[label]
    assert population > 0 and source.startswith("Estimación Censo 2017")
    value, panel_source = shown(open_panel(territory_id(engine, kind, code)))
    assert value == format_int(population)  # es-CL: 1.234
    assert unescape(panel_source) == source


def test_an_official_figure_replaces_the_estimate_in_both(engine, monkeypatch, open_panel, tmp_path):
    f = tmp_path / "oficial.csv"
    f.write_text("codigo;poblacion;fuente\n07;12500;Registro municipal 2024\n", encoding="utf-8")
    import_official_population(engine, f, TESTER)
    try:
        population, source = brechas_population(monkeypatch)["UV 07 · Ventanas"]
        assert population == 12500
        value, panel_source = shown(open_panel(territory_id(engine, "unidad_vecinal", "07")))
        assert value == "12.500"
        assert unescape(panel_source) == source == "Cifra oficial municipal: Registro municipal 2024"
    finally:
        clear_official_population(engine, TESTER)


def test_a_site_has_no_population_line_but_its_source(engine, open_panel):
    at = open_panel(territory_id(engine, "sitio", "VIVERO"))
    assert not [m for m in at.metric if m.label == "Población"]
    assert any("PLADECO 2014-2017" in c.value for c in at.caption)


def test_a_hostile_population_source_is_shown_as_text(engine, open_panel, tmp_path):
    """The source comes from a file: its Markdown image, LaTeX and bare URL stay text."""
    hostile = "![x](http://203.0.113.1/x.png) $x^2$ http://203.0.113.1"
    f = tmp_path / "oficial.csv"
    f.write_text(f"codigo;poblacion;fuente\n07;2500;{hostile}\n", encoding="utf-8")
    import_official_population(engine, f, TESTER)
    try:
        _, source = shown(open_panel(territory_id(engine, "unidad_vecinal", "07")))
        assert source == clean_markdown("Cifra oficial municipal: " + hostile)
        assert not re.search(r"(?<!\\)[!\[\]$]", source) and "http://" not in source
    finally:
        clear_official_population(engine, TESTER)
