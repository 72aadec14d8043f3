"""The uploaders' Spanish texts: built from their own types and cap, scoped to their key."""

from __future__ import annotations

import pytest

from geo.uploads import PHOTO_LIMITS
from ui.uploads import instructions, spanish_style


def test_the_line_names_the_cap_and_the_types():
    assert instructions(["xlsx", "csv"]) == "Máximo 50 MB · .xlsx o .csv"
    assert instructions(["xlsx"]) == "Máximo 50 MB · .xlsx"
    assert instructions(["zip", "gpkg", "geojson", "json"]) == "Máximo 50 MB · .zip, .gpkg, .geojson o .json"
    assert instructions(["jpg", "png"], PHOTO_LIMITS) == "Máximo 5 MB · .jpg o .png"


def test_the_style_reaches_only_its_own_uploader():
    style = spanish_style("upload", ["xlsx", "csv"])
    assert style.count(".st-key-upload ") == 4 and '"Máximo 50 MB · .xlsx o .csv"' in style
    with pytest.raises(ValueError):
        spanish_style('x"}</style><script>', ["xlsx"])
