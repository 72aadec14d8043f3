"""The Streamlit app driven with AppTest against the real test database."""

import pandas as pd
import pytest
from sqlalchemy import text

from geo.initiatives.demo import clear_demo, generate_demo
from tests.pages.conftest import app_as
from tests.support.actors import TESTER


@pytest.fixture
def app(engine, monkeypatch, accounts):
    with app_as(monkeypatch, accounts["concejo"]) as at:
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
    assert "demostración" not in notices(app)  # no demo notice without demo data


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
    assert set(table["Estrategia"].str[:2]) == {"E4"}
    assert f"de {e4}." in app.caption[-1].value
    assert app.subheader[-1].value == f"Iniciativas filtradas ({e4})"


def test_table_shows_one_page_and_keeps_the_page_in_range_when_filters_shrink_it(app, engine):
    from ui.paged_table import PAGE_ROWS

    total = count(engine, "SELECT count(*) FROM initiative")
    last = -(-total // PAGE_ROWS)
    app.run()
    assert len(app.dataframe[-1].value) == PAGE_ROWS
    assert f"Filas 1–{PAGE_ROWS} de {total:,}".replace(",", ".") in app.caption[-1].value
    app.number_input(key="mapa_tabla_pagina").set_value(last).run()
    rest = total - (last - 1) * PAGE_ROWS
    assert len(app.dataframe[-1].value) == rest
    first_of_last = app.dataframe[-1].value["Código"].iloc[0]
    assert first_of_last not in set(app.dataframe[-1].value["Código"].iloc[1:])
    app.multiselect(key="f_strategies").set_value(["E4"]).run()  # fewer rows than that page
    assert not app.exception
    e4 = count(
        engine,
        "SELECT count(*) FROM initiative i JOIN strategy s ON s.id = i.strategy_id WHERE s.code = 'E4'",
    )
    assert app.number_input(key="mapa_tabla_pagina").value == -(-e4 // PAGE_ROWS)
    assert len(app.dataframe[-1].value) == e4 - (-(-e4 // PAGE_ROWS) - 1) * PAGE_ROWS


def test_plan_choices_follow_the_chosen_strategy(app):
    app.run()
    app.multiselect(key="f_strategies").set_value(["E2"]).run()
    options = app.multiselect(key="f_plans").options
    assert options and all(o.startswith("E2.") for o in options)


def notices(at) -> str:
    return " ".join(e.value for e in [*at.warning, *at.info])


def test_demo_data_is_hidden_by_default_and_the_notice_says_how_to_show_it(app, engine):
    real = count(engine, "SELECT count(*) FROM initiative")
    generate_demo(engine, 25, seed=8, actor=TESTER)
    try:
        app.run()
        assert not app.exception
        assert app.toggle(key="f_demo").value is False
        assert metric(app, "Iniciativas filtradas") == f"{real:,}".replace(",", ".")
        hidden = notices(app)
        assert "25 iniciativas sintéticas" in hidden and "no se muestran" in hidden
        assert "«Incluir datos de demostración»" in hidden
        assert not app.warning  # hidden demo data is information, not a warning

        app.toggle(key="f_demo").set_value(True).run()
        assert metric(app, "Iniciativas filtradas") == f"{real + 25:,}".replace(",", ".")
        shown = " ".join(w.value for w in app.warning)
        assert "se muestran 25 iniciativas sintéticas" in shown and "junto a las reales" in shown
        assert "`sit demo clear`" in shown

        app.switch_page("pages/calidad.py").run()
        assert not app.exception
        assert "se muestran 25 iniciativas sintéticas" in " ".join(w.value for w in app.warning)
        assert metric(app, "Iniciativas de demostración") == "25"
    finally:
        clear_demo(engine, TESTER)
    app.run()
    assert "demostración" not in notices(app)


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
        app.toggle(key="f_demo").set_value(True).run()
        assert not app.exception
        table = app.dataframe[-1].value  # the catalogue comes first, then the demo rows
        app.number_input(key="mapa_tabla_pagina").set_value(
            app.number_input(key="mapa_tabla_pagina").max
        ).run()
        table = pd.concat([table, app.dataframe[-1].value])
        assert "Sin información" in set(table["Monto"])
        assert any(m.startswith("$ ") for m in table["Monto"])
    finally:
        clear_demo(engine, TESTER)
