"""argparse's own words in Spanish for ``sit``: the usage line, the help's headings, the errors.

The descriptions and help texts of ``sit`` are Spanish, but argparse adds words of its own
around them ("usage:", "options", "error: the following arguments are required: ...").
argparse looks each of them up with gettext when it writes them (``argparse._``), so
:func:`speak_spanish` puts a Spanish catalogue in that place before the parser is built. A
message missing from :data:`MESSAGES` (another Python version, or a programming error such as
"conflicting subparser") stays as argparse writes it.

A required sub-command missing from the command line is named by its choices, as the usage
line names it, not by the internal ``dest`` (``{create,close,list,compare}``, not
``cut_command``): :func:`name_commands`.
"""

from __future__ import annotations

import argparse
import logging

log = logging.getLogger(__name__)

#: argparse's message -> Spanish (Python 3.11's messages that a person can see).
MESSAGES: dict[str, str] = {
    "usage: ": "uso: ",
    "positional arguments": "argumentos",
    "options": "opciones",
    "show this help message and exit": "muestra esta ayuda y termina",
    "%(prog)s: error: %(message)s\n": "%(prog)s: error: %(message)s\n",
    "the following arguments are required: %s": "faltan estos argumentos: %s",
    "unrecognized arguments: %s": "argumentos que no se reconocen: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "opción no válida: %(value)r (elija entre %(choices)s)"
    ),
    "argument %(argument_name)s: %(message)s": "argumento %(argument_name)s: %(message)s",
    "expected one argument": "falta su valor",
    "expected at most one argument": "admite a lo más un valor",
    "expected at least one argument": "falta al menos un valor",
    # %(type)s is the name of a Python function ("int"): not a word for the person.
    "invalid %(type)s value: %(value)r": "valor no válido: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": (
        "opción ambigua: %(option)s puede ser %(matches)s"
    ),
    "not allowed with argument %s": "no se puede usar junto con el argumento %s",
    "one of the arguments %s is required": "falta uno de estos argumentos: %s",
    "ignored explicit argument %r": "se ignoró el valor %r",
    "can't open '%(filename)s': %(error)s": "no se pudo abrir «%(filename)s»: %(error)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "orden desconocida %(parser_name)r (elija entre %(choices)s)"
    ),
}
#: ngettext's (singular, plural) -> Spanish (singular, plural).
PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("expected %s argument", "expected %s arguments"): ("falta %s valor", "faltan %s valores"),
}


def _gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    one, many = PLURALS.get((singular, plural), (singular, plural))
    return one if n == 1 else many


def speak_spanish() -> None:
    """Make argparse write its own words in Spanish (call before building the parser)."""
    argparse._ = _gettext  # type: ignore[attr-defined]
    argparse.ngettext = _ngettext  # type: ignore[attr-defined]


def name_commands(parser: argparse.ArgumentParser) -> None:
    """Name every group of sub-commands by its choices in messages (see the module's doc)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            if action.metavar is None:
                action.metavar = "{" + ",".join(action.choices) + "}"
            for child in dict.fromkeys(action.choices.values()):
                name_commands(child)
