"""``sit ... --json`` output: what ``json.dumps`` writes, and strict JSON for unknown numbers."""

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
    {"monto": 12_345_678_901, "per_capita": 1_234_567.5, "grande": 1.5e16},
]


@pytest.mark.parametrize("data", CASES, ids=range(len(CASES)))
def test_same_text_as_json_dumps(data):
    assert indented_json(data) == json.dumps(data, ensure_ascii=False, indent=2)


def test_small_numbers_read_back_the_same():
    data = {"share": 1e-5, "tiny": 2.5e-300, "values": [0.1, 1 / 3]}
    assert json.loads(indented_json(data)) == data


@pytest.mark.parametrize("bad", [math.nan, {"a": math.inf}, [{"b": -math.inf}]])
def test_nan_and_infinity_are_written_as_null_which_strict_parsers_read(bad):
    def refuse(token):
        raise AssertionError(f"not JSON: {token}")

    text = indented_json(bad)
    assert "null" in text
    json.loads(text, parse_constant=refuse)


def test_unknown_types_are_refused():
    with pytest.raises(TypeError, match="not JSON serializable"):
        indented_json({"a": object()})
