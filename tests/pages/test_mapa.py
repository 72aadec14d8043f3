"""The Streamlit app driven with AppTest against the real test database."""

from html.parser import HTMLParser

import pandas as pd
import pytest
from sqlalchemy import text

from geo.domain import format_clp
from geo.initiatives.demo import clear_demo, generate_demo
from tests.pages.conftest import app_as
from tests.support.actors import TESTER
from ui.frame import SHOW_REST
from ui.paged_table import TABLE_CLASS
from ui.plan_map import MAP_KEY, RUN_BY_MAP


@pytest.fixture
def app(engine, monkeypatch, accounts):
    with app_as(monkeypatch, accounts["concejo"]) as at:
        yield at


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def shown_table(at) -> pd.DataFrame:
    """The rows of the page's HTML table as the browser reads them (entities decoded)."""
    html = next(h.value for h in at.html if TABLE_CLASS in h.value)
    parser = _TableParser()
    parser.feed(html)
    header, *rows = parser.rows
    return pd.DataFrame(rows, columns=header)


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def count(engine, sql):
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def _table(app) -> list:
    """The table under the map (an html element; the map's selection is another, styles only)."""
    return [h for h in app.html if TABLE_CLASS in h.value]


def test_a_sessions_first_map_page_draws_the_map_before_the_rest(app):
    """The app fixture's first run (ui/frame.py: the map first); any run the map did not ask
    for brings the rest (in the browser: the map's report; tests/browser/test_mapa.py)."""
    assert app.title[0].value == "Mapa del PLADECO 2014-2017"
    assert [type(e).__name__ for e in app.main if type(e).__name__ == "UnknownElement"]  # the map
    assert not app.sidebar.multiselect and not app.metric and not _table(app)  # filters, figures, table
    assert not app.main.selectbox  # the base map's choice: a space holds its place
    assert [b.label for b in app.main.button] == [SHOW_REST]  # under the map, if it never says it is drawn
    app.run()
    assert len(app.sidebar.multiselect) == 5 and len(app.metric) == 5 and _table(app)
    assert "Mapa base" in [s.label for s in app.main.selectbox]
    app.switch_page("pages/calidad.py").run()
    app.switch_page("pages/mapa.py").run()
    assert len(app.sidebar.multiselect) == 5 and len(app.metric) == 5  # then at once


def _map_reports(app, value):
    """What Streamlit does before the run a new value of the map starts: streamlit-folium keeps
    the value under the map's key, then calls the map's on_change (ui.plan_map)."""
    app.session_state[MAP_KEY] = value
    app.session_state[RUN_BY_MAP] = True
    app.run()


def test_the_map_first_waits_for_the_maps_report_that_its_initiatives_are_drawn(app):
    # streamlit-folium reports once when the map is created, before the initiatives are drawn.
    _map_reports(app, {"last_active_drawing": None})
    assert not app.sidebar.multiselect and not app.metric and app.main.button[0].label == SHOW_REST
    _map_reports(app, {"last_active_drawing": None, "sit_drawn": 12})  # layers/js/initiatives.js
    assert len(app.sidebar.multiselect) == 5 and len(app.metric) == 5 and _table(app)
    assert not [b for b in app.main.button if b.label == SHOW_REST]


def test_a_report_of_the_map_after_the_page_changed_goes_back_to_that_page(app):
    """The person left the map before it reported; the browser sent the report as a rerun of
    the Mapa page, and Streamlit kept it over the person's page change (ui/frame.py)."""
    app.switch_page("pages/calidad.py").run()
    assert app.title[0].value == "Calidad de datos"
    app.switch_page("pages/mapa.py")
    _map_reports(app, {"last_active_drawing": None, "sit_drawn": 12})
    assert not app.exception
    assert app.title[0].value == "Calidad de datos"
    # The person's own way back to the map draws it whole.
    app.run()
    app.switch_page("pages/mapa.py").run()
    assert app.title[0].value == "Mapa del PLADECO 2014-2017" and len(app.metric) == 5


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
    table = shown_table(app)
    assert set(table["Estrategia"].str[:2]) == {"E4"}
    assert f"de {e4}, en el orden del plan." in app.caption[-1].value
    assert app.subheader[-1].value == f"Iniciativas filtradas ({e4})"


def test_table_shows_one_page_and_keeps_the_page_in_range_when_filters_shrink_it(app, engine):
    from ui.paged_table import PAGE_ROWS

    total = count(engine, "SELECT count(*) FROM initiative")
    last = -(-total // PAGE_ROWS)
    app.run()
    assert len(shown_table(app)) == PAGE_ROWS
    assert f"Filas 1–{PAGE_ROWS} de {total:,}".replace(",", ".") in app.caption[-1].value
    app.number_input(key="mapa_tabla_pagina").set_value(last).run()
    rest = total - (last - 1) * PAGE_ROWS
    assert len(shown_table(app)) == rest
    first_of_last = shown_table(app)["Código"].iloc[0]
    assert first_of_last not in set(shown_table(app)["Código"].iloc[1:])
    app.multiselect(key="f_strategies").set_value(["E4"]).run()  # fewer rows than that page
    assert not app.exception
    e4 = count(
        engine,
        "SELECT count(*) FROM initiative i JOIN strategy s ON s.id = i.strategy_id WHERE s.code = 'E4'",
    )
    assert app.number_input(key="mapa_tabla_pagina").value == -(-e4 // PAGE_ROWS)
    assert len(shown_table(app)) == e4 - (-(-e4 // PAGE_ROWS) - 1) * PAGE_ROWS


def test_sorting_orders_every_row_not_only_the_page_shown(app, engine):
    from ui.paged_table import PAGE_ROWS

    with engine.connect() as conn:
        names = [r[0] for r in conn.execute(text("SELECT name FROM initiative"))]
    app.run()
    app.selectbox(key="mapa_tabla_pagina_orden").set_value("Iniciativa").run()
    app.checkbox(key="mapa_tabla_pagina_desc").check().run()
    assert not app.exception

    def folded(name: str) -> str:  # what a reader expects: case and accents do not count
        import unicodedata

        text = name.casefold().replace("ñ", "n\uffff")
        return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))

    expected = sorted(names, key=folded, reverse=True)[:PAGE_ROWS]
    assert [folded(n) for n in shown_table(app)["Iniciativa"]] == [folded(n) for n in expected]
    assert "ordenadas por Iniciativa" in app.caption[-1].value
    app.number_input(key="mapa_tabla_pagina").set_value(2).run()
    app.selectbox(key="mapa_tabla_pagina_orden").set_value("Código").run()
    assert app.number_input(key="mapa_tabla_pagina").value == 1  # a new order starts at page 1


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
        table = shown_table(app)  # the catalogue comes first, then the demo rows
        app.number_input(key="mapa_tabla_pagina").set_value(
            app.number_input(key="mapa_tabla_pagina").max
        ).run()
        table = pd.concat([table, shown_table(app)])
        # The catalogue has no funding lines: "sin montos informados", never "$ 0".
        assert "sin montos informados" in set(table["Monto"]) and "$ 0" not in set(table["Monto"])
        assert any(m.startswith("$ ") for m in table["Monto"])
        assert any("FNDR" in s or "Municipal" in s for s in table["Fuente de financiamiento"])
    finally:
        clear_demo(engine, TESTER)


def test_sorting_by_amount_puts_the_largest_first_and_the_unknown_last(app, engine):
    generate_demo(engine, 40, seed=5, actor=TESTER)
    try:
        app.run()
        app.toggle(key="f_demo").set_value(True).run()
        app.selectbox(key="mapa_tabla_pagina_orden").set_value("Monto").run()
        app.checkbox(key="mapa_tabla_pagina_desc").check().run()
        assert not app.exception
        with engine.connect() as conn:
            largest = conn.execute(
                text(
                    "SELECT max(t) FROM "
                    "(SELECT sum(amount_clp) AS t FROM funding_line GROUP BY initiative_id) s"
                )
            ).scalar()
        first = shown_table(app)["Monto"].iloc[0]
        assert first == format_clp(largest)
        app.number_input(key="mapa_tabla_pagina").set_value(
            app.number_input(key="mapa_tabla_pagina").max
        ).run()
        assert shown_table(app)["Monto"].iloc[-1] == "sin montos informados"  # never $ 0, and last
    finally:
        clear_demo(engine, TESTER)
