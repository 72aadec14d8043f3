"""Streamlit elements that write English or «None» of their own are drawn through one wrapper each."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("call", "wrapper"),
    [
        # The grid writes a missing value as «None» (ui/tables.show_table).
        ("st.dataframe", "ui/tables.py"),
        # The uploader's button and line are English (ui/uploads.file_input).
        ("st.file_uploader", "ui/uploads.py"),
    ],
)
def test_pages_draw_these_only_through_their_wrapper(call, wrapper):
    pattern = re.compile(rf"\b{re.escape(call)}\(")
    direct = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("pages", "ui")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.relative_to(ROOT).as_posix() != wrapper
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not direct, direct
    assert pattern.search((ROOT / wrapper).read_text(encoding="utf-8"))
