"""``sit ... --json`` output: the fast indented encoder writes exactly what ``json.dumps`` does."""

import json
import math

import pytest

from geo.cli.common import indented_json

CASES = [
    {},
    [],
    'ñandú \n "citado" \u2028',
    -0.0,
    1e300,
    (1, 2),
    {"a": 1, "b": None, "c": [], "d": {}, "e": 0.1 + 0.2, "f": True},
    {
        "matrix": [{"id": 1, "by_status": {"idea": 2}, "n": 3}, {"id": 2, "by_status": {}}],
        "gaps": [[1], [[]]],
    },
    {7: "a", 2.5: "b", None: "c", False: "d", "e": {"f": [{"g": []}]}},
]


@pytest.mark.parametrize("data", CASES, ids=range(len(CASES)))
def test_same_text_as_json_dumps(data):
    assert indented_json(data) == json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)


@pytest.mark.parametrize("bad", [math.nan, {"a": math.inf}, [{"b": -math.inf}]])
def test_nan_is_refused_like_json_dumps(bad):
    with pytest.raises(ValueError, match="Out of range float"):
        indented_json(bad)


def test_unknown_types_are_refused():
    with pytest.raises(TypeError, match="not JSON serializable"):
        indented_json({"a": object()})
