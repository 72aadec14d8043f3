"""The Streamlit app driven with AppTest against the real test database."""

import pytest
from sqlalchemy import text

from geo.initiatives.demo import clear_demo, generate_demo
from tests.conftest import app_test
from tests.support.actors import TESTER


@pytest.fixture
def app(engine, monkeypatch):
    with app_test(monkeypatch) as at:
        yield at


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def count(engine, sql):
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def test_map_page_shows_the_whole_plan(app, engine):
    app.run()
    assert not app.exception
    assert app.title[0].value == "Mapa del PLADECO 2014-2017"
    total = count(engine, "SELECT count(*) FROM initiative")
    assert metric(app, "Iniciativas filtradas") == f"{total:,}".replace(",", ".")
    assert metric(app, "Dibujadas en el mapa") == "0"  # the plan gives no coordinates
    assert not app.warning  # no demo notice without demo data


def test_strategy_filter_changes_the_counts_and_table(app, engine):
    app.run()
    app.multiselect(key="f_strategies").set_value(["E4"]).run()
    assert not app.exception
    e4 = count(
        engine,
        "SELECT count(*) FROM initiative i JOIN strategy s ON s.id = i.strategy_id WHERE s.code = 'E4'",
    )
    assert metric(app, "Iniciativas filtradas") == str(e4)
    table = app.dataframe[-1].value
    assert len(table) == e4 and set(table["Estrategia"].str[:2]) == {"E4"}
    assert app.subheader[-1].value == f"Iniciativas filtradas ({e4})"


def test_table_download_has_every_filtered_row(app, engine):
    import io

    import pandas as pd

    from ui.state import table_csv

    app.run()
    total = count(engine, "SELECT count(*) FROM initiative")
    shown = app.dataframe[-1].value
    csv = pd.read_csv(io.BytesIO(table_csv(shown)), sep=";", encoding="utf-8-sig")
    assert len(csv) == total
    assert "Código" in csv.columns and csv["Código"].iloc[0] == shown["Código"].iloc[0]


def test_plan_choices_follow_the_chosen_strategy(app):
    app.run()
    app.multiselect(key="f_strategies").set_value(["E2"]).run()
    options = app.multiselect(key="f_plans").options
    assert options and all(o.startswith("E2.") for o in options)


def test_demo_notice_on_every_page_while_demo_data_exists(app, engine):
    generate_demo(engine, 25, seed=8, actor=TESTER)
    try:
        app.run()
        assert any("Datos de demostración presentes" in w.value for w in app.warning)
        app.switch_page("pages/calidad.py").run()
        assert not app.exception
        assert any("Datos de demostración presentes" in w.value for w in app.warning)
        assert metric(app, "Iniciativas de demostración") == "25"
    finally:
        clear_demo(engine, TESTER)
    app.run()
    assert not any("Datos de demostración" in w.value for w in app.warning)


def test_quality_page_lists_unlocated_sites(app):
    app.run()
    app.switch_page("pages/calidad.py").run()
    assert not app.exception
    sites = app.dataframe[0].value
    assert "Chamonate" in set(sites["Sitio"])


def test_table_with_demo_and_catalogue_rows_mixes_known_and_unknown_amounts(app, engine):
    generate_demo(engine, 10, seed=3, actor=TESTER)
    try:
        app.run()
        assert not app.exception
        table = app.dataframe[-1].value
        assert "Sin información" in set(table["Monto"])
        assert any(m.startswith("$ ") for m in table["Monto"])
    finally:
        clear_demo(engine, TESTER)
