"""«Inversión por territorio» driven with AppTest: the page shows the library's figures."""

import pytest

from geo.initiatives.demo import clear_demo, generate_demo
from geo.initiatives.filters import MapFilters
from geo.investment.attribution import investment_report, territory_investment
from geo.investment.labels import NO_AMOUNTS, millions, money
from geo.investment.lines import InvestmentFilters
from geo.investment.tables import initiatives_table, rows_table
from layers.sanitize import clean_markdown
from tests.pages.conftest import app_as
from tests.support.actors import TESTER


@pytest.fixture(scope="module")
def demo(engine):
    generate_demo(engine, 200, seed=1, actor=TESTER)
    yield
    clear_demo(engine, TESTER)


@pytest.fixture
def app(engine, monkeypatch, accounts, demo):
    with app_as(monkeypatch, accounts["concejo"], "pages/inversion.py", timeout=120) as at:
        yield at


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_real_data_says_sin_montos_informados(app):
    assert not app.exception
    assert app.title[0].value == "Inversión por territorio"
    assert metric(app, "Inversión filtrada") == NO_AMOUNTS
    assert any(NO_AMOUNTS in i.value for i in app.info)
    assert "$ 0" not in str([d.value.to_dict() for d in app.dataframe])


def test_ranking_and_a_territory_are_the_library_figures(app, engine):
    app.toggle(key="f_demo").set_value(True).run()
    assert not app.exception
    filters = InvestmentFilters(MapFilters(include_demo=True))
    with engine.connect() as conn:
        report = investment_report(conn, filters)
        uv05 = report.find("UV 05")
        detail = territory_investment(conn, uv05.key, filters)
    assert metric(app, "Inversión filtrada") == millions(report.total_clp)
    # The exact total, to the peso, is what the UVs and the rows outside them add up to.
    exact = clean_markdown(money(report.total_clp))  # Markdown shows "\\$" as "$"
    assert any(f"estas filas dan {exact}" in c.value for c in app.caption)
    assert app.dataframe[0].value.equals(rows_table(report.ranking()))
    assert list(app.dataframe[0].value["Territorio"])[:1] == [report.ranking()[0].label]
    app.selectbox(key="inv_territory").set_value(uv05.key).run()
    assert not app.exception
    assert metric(app, "Inversión atribuida") == money(uv05.attributed_clp)
    shown = next(d.value for d in app.dataframe if "Atribuido al territorio" in d.value.columns)
    assert shown.equals(initiatives_table(detail)) and len(shown) == uv05.n_initiatives > 0
    assert any(b.label == "Descargar iniciativas (Excel)" for b in app.get("download_button"))


def test_line_filters_narrow_the_total(app, engine):
    app.toggle(key="f_demo").set_value(True).run()
    app.multiselect(key="inv_sources").set_value(["fndr"]).run()
    assert not app.exception
    demo = MapFilters(include_demo=True)
    with engine.connect() as conn:
        every = investment_report(conn, InvestmentFilters(demo)).total_clp
        fndr = investment_report(conn, InvestmentFilters(demo, sources=("fndr",))).total_clp
        spent = investment_report(
            conn, InvestmentFilters(demo, sources=("fndr",), stages=("ejecutado",))
        ).total_clp
    assert metric(app, "Inversión filtrada") == millions(fndr)
    app.multiselect(key="inv_stages").set_value(["ejecutado"]).run()
    assert metric(app, "Inversión filtrada") == millions(spent)
    assert 0 < spent < fndr < every  # each line filter narrows what is summed
