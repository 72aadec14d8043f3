"""Every read-only table goes through ``ui.tables.show_table``, which says missing values in Spanish."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from geo.domain import NO_INFO

ROOT = Path(__file__).resolve().parents[2]


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


def test_no_page_calls_the_grid_directly():
    # st.dataframe writes a missing value as «None»: a table drawn without show_table would.
    direct = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("pages", "ui")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.name != "tables.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bst\.dataframe\(", line)
    ]
    assert not direct, direct
