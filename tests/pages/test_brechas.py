"""The «Brechas territoriales» page driven with AppTest against the real test database."""

import pytest
from sqlalchemy import text

from geo.initiatives.demo import clear_demo, generate_demo
from tests.pages.conftest import app_as
from tests.support.actors import TESTER


@pytest.fixture
def app(engine, monkeypatch, accounts):
    with app_as(monkeypatch, accounts["concejo"], "pages/brechas.py", timeout=120) as at:
        yield at


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def scalar(engine, sql):
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def test_page_shows_population_matrix_and_gaps(app, engine):
    assert not app.exception
    assert app.title[0].value == "Brechas territoriales"
    assert metric(app, "Población de las UV") == "48.038"
    heat = app.dataframe[0].value
    assert heat.shape == (22, 9) and "UV 06 · Baquedano" in heat.index
    # A cell a planner can count: initiatives of E1 that name Domeyko.
    n = scalar(
        engine,
        "SELECT count(*) FROM initiative_territory it JOIN territory t "
        "ON t.id = it.territory_id JOIN initiative i ON i.id = it.initiative_id "
        "JOIN strategy s ON s.id = i.strategy_id "
        "WHERE t.code = 'DOMEYKO' AND s.code = 'E1'",
    )
    assert heat.loc["Domeyko", "E1"] == n > 0
    gaps = app.dataframe[1].value
    assert len(gaps) > 0 and gaps["Razón"].str.endswith(".").all()
    assert any("Cómo se calcula" in e.label for e in app.expander)
    assert any("área de cada manzana" in md.value for md in app.markdown)  # the method, in help


def test_metric_switch_changes_the_matrix(app):
    before = app.dataframe[0].value.loc["Domeyko", "E1"]
    app.selectbox(key="b_metric").set_value("por_mil").run()
    assert not app.exception
    after = app.dataframe[0].value.loc["Domeyko", "E1"]
    # Domeyko shows its district's rural population, 984 persons.
    assert after == pytest.approx(before * 1000 / 984)
    assert app.subheader[0].value.endswith("Iniciativas por 1.000 habitantes")


def test_shared_strategy_filter_and_gap_type(app, engine):
    app.multiselect(key="f_strategies").set_value(["E4"]).run()
    assert not app.exception
    e4 = scalar(
        engine,
        "SELECT count(*) FROM initiative i JOIN strategy s ON s.id = i.strategy_id WHERE s.code = 'E4'",
    )
    assert metric(app, "Iniciativas filtradas") == str(e4)
    gaps = app.dataframe[1].value
    assert set(gaps["Estrategia"]) <= {"E4", "—"}
    app.multiselect(key="b_gap_types").set_value(["sin_iniciativas"]).run()
    shown = app.dataframe[1].value
    assert len(shown) and set(shown["Brecha"]) == {"Sin iniciativas de la estrategia"}


def test_demo_notice_and_investment_with_demo_data(app, engine):
    generate_demo(engine, 40, seed=5, actor=TESTER)
    try:
        app.run()
        assert any("40 iniciativas sintéticas" in i.value for i in app.info)
        assert metric(app, "Inversión asignada") == "$ 0"  # hidden by default; the plan gives no amounts
        app.toggle(key="f_demo").set_value(True).run()
        assert any("se muestran 40 iniciativas sintéticas" in w.value for w in app.warning)
        assert metric(app, "Inversión asignada") != "$ 0"
    finally:
        clear_demo(engine, TESTER)


def test_official_figure_is_labelled_on_the_page(app, engine, tmp_path):
    from geo.territory.population_import import clear_official_population, import_official_population

    f = tmp_path / "oficial.csv"
    f.write_text("codigo;poblacion;fuente\n07;2500;Registro municipal 2024\n", encoding="utf-8")
    import_official_population(engine, f, TESTER)
    try:
        app.run()
        assert not app.exception
        pop = next(d.value for d in app.dataframe if "Origen" in d.value.columns)
        row = pop[pop["Territorio"] == "UV 07 · Ventanas"].iloc[0]
        assert row["Población"] == 2500 and row["Origen"] == "Cifra oficial municipal"
        assert row["Fuente"] == "Cifra oficial municipal: Registro municipal 2024"
        assert set(pop[pop["Territorio"] != "UV 07 · Ventanas"]["Origen"]) == {"Estimación"}
    finally:
        clear_official_population(engine, TESTER)
