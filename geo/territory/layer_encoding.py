"""Text encodings of layer files: DBF attributes (``.cpg`` or detected) and GeoJSON.

Chilean agencies' Shapefiles are often written in Windows-1252/Latin-1, with or without a
``.cpg``; a GeoJSON must be UTF-8. The person can always say the encoding (``--encoding``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from geo.errors import DataError

log = logging.getLogger(__name__)

#: Aliases found in .cpg files mapped to Python codec names.
_CPG = {
    "utf-8": "UTF-8",
    "utf8": "UTF-8",
    "65001": "UTF-8",
    "1252": "CP1252",
    "cp1252": "CP1252",
    "windows-1252": "CP1252",
    "ansi 1252": "CP1252",
    "8859_1": "ISO-8859-1",
    "88591": "ISO-8859-1",
    "iso-8859-1": "ISO-8859-1",
    "iso88591": "ISO-8859-1",
    "latin1": "ISO-8859-1",
    "latin-1": "ISO-8859-1",
}

#: DBF language driver ids (header byte 29) that name a code page, as GDAL reads them.
_LDID = {
    0x01: "CP437",
    0x02: "CP850",
    0x03: "CP1252",
    0x57: "CP1252",
    0x58: "CP1252",
    0x59: "CP1252",
    0x64: "CP852",
    0x65: "CP866",
}


def codec_name(name: str) -> str:
    """Python codec for an encoding name as written in a .cpg or by a person."""
    key = name.strip().lower()
    if key in _CPG:
        return _CPG[key]
    try:
        "".encode(key)
    except LookupError as exc:
        raise DataError(f"Codificación desconocida «{name}» (use, por ejemplo, UTF-8 o latin1).") from exc
    return name.strip()


def _dbf_text(dbf: Path) -> bytes:
    """The record area of a DBF file (the bytes that hold the attribute values)."""
    data = dbf.read_bytes()
    if len(data) < 32:
        return b""
    header_len = int.from_bytes(data[8:10], "little")
    return data[header_len:]


def is_utf8(data: bytes) -> bool:
    """True when ``data`` decodes as strict UTF-8."""
    try:
        data.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        return False
    return True


def dbf_encoding(shp: Path, override: str | None, label: str) -> str:
    """Encoding of the Shapefile's DBF: option, ``.cpg``, DBF language byte, or detected.

    Detection: text that decodes as strict UTF-8 is UTF-8; anything else is taken as
    Windows-1252 (the Latin-1 superset that Chilean agencies' software writes). A statistical
    detector (charset-normalizer) was tried and cannot tell cp850 from cp1252 on the few
    accented letters of a DBF, so it is not used: other encodings need ``--encoding``.
    """
    if override:
        return codec_name(override)
    dbf = next((p for p in shp.parent.iterdir() if p.stem == shp.stem and p.suffix.lower() == ".dbf"), None)
    if dbf is None:
        raise DataError(f"{label}: falta el archivo «{shp.stem}.dbf» con los atributos de la capa.")
    records = _dbf_text(dbf)
    cpg = next((p for p in shp.parent.iterdir() if p.stem == shp.stem and p.suffix.lower() == ".cpg"), None)
    if cpg is not None:
        declared = cpg.read_text(encoding="ascii", errors="replace").strip()
        codec = codec_name(declared)
        if codec == "UTF-8" and not is_utf8(records):
            raise DataError(
                f"{label}: «{cpg.name}» declara la codificación {declared}, pero los textos de "
                f"«{dbf.name}» no son UTF-8 válido (probablemente Latin-1/Windows-1252). Corrija "
                "el .cpg o indique la codificación (opción --encoding latin1)."
            )
        return codec
    ldid = dbf.read_bytes()[29:30]
    if ldid and ldid[0] in _LDID:
        return _LDID[ldid[0]]
    return "UTF-8" if is_utf8(records) else "CP1252"


def json_encoding(ds: Path, override: str | None, label: str) -> str | None:
    """GeoJSON is UTF-8 by definition; a file in another encoding needs --encoding."""
    if override:
        return codec_name(override)
    if not is_utf8(ds.read_bytes()):
        raise DataError(
            f"{label}: el archivo no está en UTF-8 (un GeoJSON debe estarlo); "
            "probablemente es Latin-1/Windows-1252. Indique la codificación "
            "(opción --encoding latin1) o guárdelo en UTF-8."
        )
    return None
