"""One parser per kind of value: the form and the spreadsheet read every spelling alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from geo.errors import ValidationError
from geo.initiatives.form import InitiativeInput, validate
from geo.initiatives.funding import FundingLineInput
from geo.sheets.importer import plan_import
from geo.values import (
    ValueProblem,
    decode_text,
    parse_amount,
    parse_count,
    parse_drawn_geometry,
    parse_text,
    parse_year,
    sniff_delimiter,
    text_limit,
)
from tests.support.sheets import line, row, workbook

#: How planners write amounts (and what they mean), from the issue's six spellings on.
SPELLINGS = {
    "12500000": 12_500_000,
    "12.500.000": 12_500_000,
    "$ 12.500.000": 12_500_000,
    "$12.500.000": 12_500_000,
    "12.500.000,00": 12_500_000,
    "CLP 12.500.000": 12_500_000,
    "12 500 000": 12_500_000,
    "12\u00a0500\u00a0000 CLP": 12_500_000,
    " ": None,
}
REFUSED = {
    "-5": "negativo",
    "12,5": "centavos",
    "12.500.000,50": "centavos",
    "12,500,000": "comas para los miles",
    "doce millones": "no se entiende",
    "$ 125.000.000.000.000.000": "revise los dígitos",
}


@pytest.mark.parametrize(("written", "pesos"), SPELLINGS.items())
def test_amount_spellings(written, pesos):
    assert parse_amount(written) == pesos


@pytest.mark.parametrize(("written", "why"), REFUSED.items())
def test_amounts_refused_with_a_reason(written, why):
    with pytest.raises(ValueProblem, match=why):
        parse_amount(written)


def test_the_form_and_the_spreadsheet_agree_on_every_spelling(conn, tmp_path):
    base = InitiativeInput(code="AMT", name="Plaza", kind="proyecto", strategy="E1", scope="comunal")
    form: dict[str, object] = {}
    for written in [*SPELLINGS, *REFUSED]:
        typed = (FundingLineInput("FNDR", None, 2016, written, "Aprobado"),)
        try:
            form[written] = validate(conn, replace(base, funding=typed))["funding"][0].amount_clp
        except ValidationError as exc:
            form[written] = "rechazado: " + exc.errors["funding"].removeprefix(
                "línea 1, Monto (CLP): "
            ).rstrip(".")
    written_all = [*SPELLINGS, *REFUSED]
    rows = [row(f"AMT-{n}") for n in range(len(written_all))]
    lines = [line(f"AMT-{n}", **{"Monto (CLP)": w}) for n, w in enumerate(written_all)]
    plan = plan_import(conn, workbook(rows, tmp_path / "montos.xlsx", lines=lines))
    sheet: dict[str, object] = {}
    for written, r in zip(written_all, plan.rows, strict=True):
        sheet[written] = "rechazado: " + r.errors[0].reason if r.errors else r.funding[0].amount_clp
    assert form == sheet
    assert sum(1 for v in sheet.values() if str(v).startswith("rechazado")) == len(REFUSED)


def test_years_and_dates():
    assert parse_year("2016") == parse_year(2016) == parse_year(2016.0) == 2016
    assert parse_year("31-12-2016") == parse_year("31/12/2016") == parse_year(date(2016, 12, 31)) == 2016
    assert parse_year("2016-12-31") == 2016 and parse_year("") is None
    with pytest.raises(ValueProblem, match="no existe"):
        parse_year("31-02-2016")
    with pytest.raises(ValueProblem, match="fuera del rango 1990-2100"):
        parse_year("1889")
    with pytest.raises(ValueProblem, match="no es un año"):
        parse_year("dos mil")


def test_text_counts_and_limits():
    assert parse_text("  Plaza  ") == "Plaza" and parse_text("   ") is None
    assert parse_text(2016.0) == "2016" and parse_text(date(2016, 3, 1)) == "01-03-2016"
    with pytest.raises(ValueProblem, match="tiene 61 caracteres; el máximo es 60"):
        parse_text("x" * 61, 60)
    assert parse_count("2.150") == parse_count("2 150") == parse_count(2150) == 2150
    with pytest.raises(ValueProblem, match="entero ≥ 0"):
        parse_count("-3")


def test_text_refuses_nul_and_control_characters_but_keeps_tabs_and_lines():
    with pytest.raises(ValueProblem, match="carácter NUL .* posición 6"):
        parse_text("Sede \x00social")
    with pytest.raises(ValueProblem, match="U\\+001B"):
        parse_text("a\x1b[31m")
    assert parse_text("una\tdos\r\ntres") == "una\tdos\r\ntres"
    assert text_limit("name") == 300 and text_limit("code") == 60 and text_limit("description") == 2000
    with pytest.raises(ValueProblem, match="tiene 100.000 caracteres; el máximo es 300"):
        parse_text("x" * 100_000, text_limit("name"))


def test_a_drawn_geometry_with_a_nul_is_refused():
    drawn = {
        "type": "Feature",
        "properties": {"x": "a\x00"},
        "geometry": {"type": "Point", "coordinates": [-70.76, -28.57]},
    }
    with pytest.raises(ValueProblem, match="NUL"):
        parse_drawn_geometry(drawn)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "x" * 100_000, "tiene 100.000 caracteres; el máximo es 300"),
        ("name", "Sede\x00social", "carácter NUL"),
        ("code", "C" * 61, "tiene 61 caracteres; el máximo es 60"),
        ("code", "A\x00B", "carácter NUL"),
        ("description", "d" * 2001, "el máximo es 2.000"),
        ("status_comment", "ok\x00", "carácter NUL"),
    ],
)
def test_the_form_refuses_long_or_nul_text_on_its_field(conn, field, value, message):
    base = InitiativeInput(code="TXT-1", name="Plaza", kind="proyecto", strategy="E1", scope="comunal")
    with pytest.raises(ValidationError) as err:
        validate(conn, replace(base, **{field: value}))
    assert message in err.value.errors[field]


def test_csv_bytes_and_separators():
    assert decode_text("Peñablanca".encode("cp1252"), "a.csv") == "Peñablanca"
    assert decode_text("\ufeffPeñablanca".encode(), "a.csv") == "Peñablanca"
    with pytest.raises(ValueProblem, match="no es un archivo de texto CSV"):
        decode_text(b"\x00\x01PK", "a.csv")
    assert sniff_delimiter("\ufeffcodigo;poblacion") == ";" and sniff_delimiter("codigo,poblacion") == ","
    assert sniff_delimiter("codigo") == ";"
