"""One parser per kind of value a person types: amounts, years, text, CSV bytes.

The initiative form, the spreadsheet import and the population import all read values
through these functions, so a value means the same thing wherever it is typed. Each
parser raises :class:`ValueProblem` with a Spanish reason (without the field's name: the
caller says where: form field, or file, row and column).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import date, datetime
from typing import Any

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

log = logging.getLogger(__name__)

MAX_AMOUNT = 10**13
"""Ten trillion pesos: far above any municipal budget, so a larger amount is a typing slip."""

#: Longest text accepted per field; any other free text field takes up to ``DEFAULT_MAX_TEXT``.
#: (A 100 kB initiative name was once saved: every text that enters has a limit.)
TEXT_LIMITS: dict[str, int] = {
    "code": 60,
    "bip_code": 30,
    "name": 300,
    "source": 300,
    "territory_code": 60,
    "territory_name": 300,
}
DEFAULT_MAX_TEXT = 2000

#: Control characters refused in typed text (tab, line feed and carriage return are text).
#: PostgreSQL cannot store NUL, and GDAL and browsers silently cut a string at it.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

YEAR_RANGE = (1990, 2100)


class ValueProblem(ValueError):
    """A value that cannot be read; the message is the Spanish reason."""


# Pesos, es-CL: "12500000", "12.500.000", "12 500 000" (space or no-break space between
# thousands), optional "$" or "CLP" before or after, optional ",0"/",00" cents that are zero.
_AMOUNT = re.compile(r"^(\d{1,3}(?:\.\d{3})+|\d{1,3}(?: \d{3})+|\d+)(?:,0+)?$")
_CURRENCY = re.compile(r"^(?:\$|clp)\s*|\s*(?:\$|clp)$", re.I)


def parse_amount(value: object) -> int | None:
    """Whole pesos from a number cell or a text as people write it; blank is None.

    Accepted: ``12500000``, ``12.500.000``, ``$ 12.500.000``, ``$12.500.000``,
    ``12.500.000,00``, ``CLP 12.500.000``, ``12 500 000``. Refused with a reason: negative
    amounts, cents, thousands written with commas (``12,500,000`` reads as a decimal comma
    in Chile), words, and anything above :data:`MAX_AMOUNT`.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueProblem(f"no se entiende «{value}»: escriba pesos enteros, p. ej. $ 12.500.000.")
    if isinstance(value, (int, float)):
        if value != value:  # NaN: an empty spreadsheet cell read by pandas
            return None
        if value < 0:
            raise ValueProblem("no puede ser negativo.")
        if float(value) != int(value):
            raise ValueProblem(f"«{value}» tiene decimales: escriba pesos enteros, sin centavos.")
        return _capped(int(value), str(value))
    raw = str(value).strip()
    if not raw:
        return None
    text = _CURRENCY.sub("", raw.replace("\u00a0", " ").replace("\u202f", " ")).strip()
    text = re.sub(r"\s+", " ", text)
    if text.startswith("-"):
        raise ValueProblem("no puede ser negativo.")
    m = _AMOUNT.match(text)
    if m:
        return _capped(int(re.sub(r"[. ]", "", m.group(1))), raw)
    if re.fullmatch(r"\d+(?:[.,]\d+)*,\d*[1-9]\d*", text):
        raise ValueProblem(f"«{raw}» tiene centavos: escriba pesos enteros.")
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", text):
        raise ValueProblem(
            f"«{raw}» usa comas para los miles: en Chile se escribe con puntos, p. ej. 12.500.000."
        )
    raise ValueProblem(f"no se entiende «{raw}»: escriba pesos enteros, p. ej. 12500000 o $ 12.500.000.")


def parse_count(value: object) -> int | None:
    """A count of people or things: a whole number ≥ 0, thousands with dots or spaces; blank is None."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < 0 or float(value) != int(value):
            raise ValueProblem(f"se esperaba un número entero ≥ 0 y se encontró «{value}».")
        return int(value)
    raw = str(value).strip()
    if not raw:
        return None
    if re.fullmatch(r"\d{1,3}(?:[. \u00a0]\d{3})+|\d+", raw):
        return int(re.sub(r"\D", "", raw))
    raise ValueProblem(f"se esperaba un número entero ≥ 0 y se encontró «{raw}».")


def _capped(amount: int, raw: str) -> int:
    if amount > MAX_AMOUNT:
        raise ValueProblem(f"«{raw}» supera $ 10.000.000.000.000: revise los dígitos.")
    return amount


_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")


def parse_year(value: object) -> int | None:
    """A year from ``2016``, a date ``dd-mm-aaaa`` (or ``aaaa-mm-dd``) or a date cell; blank is None.

    Only the year is kept: the model records years, not dates.
    """
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        year = value.year
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != value:
            return None
        if float(value) != int(value):
            raise ValueProblem(f"«{value}» no es un año (escriba, p. ej., 2016).")
        year = int(value)
    else:
        raw = str(value).strip()
        if not raw:
            return None
        if re.fullmatch(r"\d{4}(?:\.0+)?", raw):
            year = int(raw.split(".")[0])
        elif m := _DATE.match(raw):
            year = _checked_date(int(m.group(3)), int(m.group(2)), int(m.group(1)), raw)
        elif m := _ISO_DATE.match(raw):
            year = _checked_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), raw)
        else:
            raise ValueProblem(f"«{raw}» no es un año ni una fecha: escriba 2016 o dd-mm-aaaa.")
    low, high = YEAR_RANGE
    if not low <= year <= high:
        raise ValueProblem(f"{year} está fuera del rango {low}-{high}.")
    return year


def _checked_date(year: int, month: int, day: int, raw: str) -> int:
    try:
        return date(year, month, day).year
    except ValueError:
        raise ValueProblem(f"la fecha «{raw}» no existe (formato dd-mm-aaaa).") from None


def parse_date(value: object) -> date | None:
    """A date from ``dd-mm-aaaa`` (or ``/``, ``.``), ``aaaa-mm-dd`` or a date cell; blank is None.

    Refused: a date that does not exist, or a year outside :data:`YEAR_RANGE`.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day = value
    else:
        raw = str(value).strip()
        if not raw:
            return None
        if m := _DATE.match(raw):
            parts = int(m.group(3)), int(m.group(2)), int(m.group(1))
        elif m := _ISO_DATE.match(raw):
            parts = int(m.group(1)), int(m.group(2)), int(m.group(3))
        else:
            raise ValueProblem(f"«{raw}» no es una fecha: escriba dd-mm-aaaa (p. ej. 05-12-2026).")
        _checked_date(*parts, raw)
        day = date(*parts)
    low, high = YEAR_RANGE
    if not low <= day.year <= high:
        raise ValueProblem(f"el año {day.year} está fuera del rango {low}-{high}.")
    return day


def parse_text(value: object, max_length: int = DEFAULT_MAX_TEXT) -> str | None:
    """Text as typed, surrounding spaces trimmed; blank is None.

    Refused: longer than ``max_length``, or holding a NUL or another control character
    (tab and line breaks are accepted).

    Spreadsheet cells that hold numbers or dates come back as the text a person sees:
    ``2016`` (not ``2016.0``) and ``dd-mm-aaaa``.
    """
    if value is None:
        return None
    if isinstance(value, float) and value == value and value == int(value):
        value = int(value)
    if isinstance(value, (datetime, date)):
        value = value.strftime("%d-%m-%Y")
    text = str(value).strip()
    if not text:
        return None
    if len(text) > max_length:
        raise ValueProblem(f"tiene {len(text):,} caracteres; el máximo es {max_length:,}.".replace(",", "."))
    if m := _CONTROL.search(text):
        what = "NUL" if m.group() == "\x00" else f"de control U+{ord(m.group()):04X}"
        raise ValueProblem(
            f"contiene un carácter {what} (invisible, no permitido) en la posición {m.start() + 1}."
        )
    return text


def text_limit(field: str) -> int:
    """The longest text accepted in ``field`` (see :data:`TEXT_LIMITS`)."""
    return TEXT_LIMITS.get(field, DEFAULT_MAX_TEXT)


def decode_text(data: bytes, name: str) -> str:
    """Bytes of an uploaded text file (CSV) as text: UTF-8 (BOM optional), else Windows-1252.

    Spreadsheets saved as CSV by Excel in es-CL are Windows-1252; Latin-1 is the last resort
    (it decodes anything). A file with NUL bytes is not text.

    Raises:
        ValueProblem: the file is binary (the message names it).
    """
    if b"\x00" in data[:4096]:
        raise ValueProblem(f"{name}: no es un archivo de texto CSV (contiene datos binarios).")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def sniff_delimiter(header_line: str) -> str:
    """The separator of a CSV from its header line: ``;`` (Excel es-CL), ``,`` or tab."""
    line = header_line.lstrip("\ufeff")
    best = max((";", ",", "\t"), key=line.count)
    return best if line.count(best) else ";"


def parse_drawn_geometry(value: Any) -> BaseGeometry:
    """A geometry drawn on the map (GeoJSON geometry or Feature, or shapely) in EPSG:4326.

    Refused: nothing drawn, malformed GeoJSON, an empty geometry, coordinates that are not
    longitude/latitude, a polygon that crosses itself.
    """
    if value is None:
        raise ValueProblem("no hay nada dibujado en el mapa.")
    if isinstance(value, dict) and "\\u0000" in json.dumps(value):  # JSON writes a NUL as \\u0000
        raise ValueProblem("el dibujo recibido contiene un carácter NUL (no permitido).")
    if isinstance(value, BaseGeometry):
        geom = value
    else:
        try:
            geom = shape(value.get("geometry", value) if isinstance(value, dict) else value)
        except Exception:  # noqa: BLE001 - any malformed GeoJSON gets the same message
            log.warning("translated to a Spanish message", exc_info=True)
            raise ValueProblem("el dibujo recibido no es una geometría GeoJSON válida.") from None
    if geom.is_empty:
        raise ValueProblem("la geometría está vacía.")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValueProblem("las coordenadas no son longitud/latitud (EPSG:4326).")
    if not geom.is_valid:
        raise ValueProblem("el polígono se cruza a sí mismo; dibújelo de nuevo sin cruces.")
    return geom


def parse_percent(value: object) -> int | None:
    """A whole percentage from 0 to 100 (``35``, ``35 %``); blank is None (not entered, never 0)."""
    if isinstance(value, str):
        value = value.strip().removesuffix("%").strip()
    pct = parse_count(value)
    if pct is not None and pct > 100:
        raise ValueProblem(f"se esperaba un porcentaje de 0 a 100 y se encontró «{pct}».")
    return pct
