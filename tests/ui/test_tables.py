"""Every read-only table goes through ``ui.tables.show_table``, which says missing values in Spanish."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo.domain import NO_INFO


def _tables() -> None:
    import pandas as pd

    from ui.tables import show_table

    show_table(pd.DataFrame({"Monto": [1_000, None], "Nota": ["ok", None]}), hide_index=True)
    show_table(pd.DataFrame({"Avance": [None]}), placeholder="sin datos")


def test_a_missing_value_reads_sin_informacion_unless_the_table_says_better():
    at = AppTest.from_function(_tables).run()
    assert not at.exception
    first, second = at.dataframe
    assert first.value["Monto"].isna().sum() == 1 and first.value["Nota"].isna().sum() == 1
    assert first.proto.placeholder == NO_INFO
    assert second.proto.placeholder == "sin datos"
