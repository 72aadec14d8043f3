"""``sit`` writes argparse's own words in Spanish: usage, headings and errors, run as a user runs it."""

from __future__ import annotations

import pytest

from tests.conftest import run_sit


@pytest.fixture(scope="module")
def url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_a_missing_sub_command_is_named_by_its_choices_in_spanish(url):
    proc = run_sit("cut", url=url, check=False)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "uso: sit cut [-h] {create,close,list,compare} ...",
        "sit cut: error: faltan estos argumentos: {create,close,list,compare}",
    ]


def test_bad_values_and_unknown_options_are_refused_in_spanish(url):
    number = run_sit("demo", "generate", "--initiatives", "muchas", url=url, check=False)
    assert number.returncode == 2
    assert "error: argumento --initiatives: valor no válido: 'muchas'" in number.stderr
    unknown = run_sit("coverage", "--color", url=url, check=False)
    assert "sit: error: argumentos que no se reconocen: --color" in unknown.stderr
    choice = run_sit("cut", "borrar", url=url, check=False)
    assert "argumento {create,close,list,compare}: opción no válida: 'borrar'" in choice.stderr


def test_the_help_has_spanish_headings(url):
    text = run_sit("cut", "--help", url=url).stdout
    assert text.startswith("uso: sit cut")
    assert "\nargumentos:\n" in text and "\nopciones:\n" in text
    assert "-h, --help            muestra esta ayuda y termina" in text
    for english in ("usage:", "positional arguments", "options:", "show this help"):
        assert english not in text
