"""Upload limits: size caps, archive inspection and safe extraction.

Everything a person uploads (spreadsheets, zipped Shapefiles, GeoPackages) passes through
here before any parser sees it. An .xlsx file is itself a zip archive, so the same archive
checks protect openpyxl from zip bombs.
"""

from __future__ import annotations

import logging
import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from geo.errors import DataError

log = logging.getLogger(__name__)

MB = 1024 * 1024


@dataclass(frozen=True)
class UploadLimits:
    """Caps applied to one uploaded file."""

    max_bytes: int = 50 * MB
    max_uncompressed_bytes: int = 300 * MB
    max_entries: int = 200


DEFAULT_LIMITS = UploadLimits()


def size_hint(limits: UploadLimits = DEFAULT_LIMITS) -> str:
    """The size cap in Spanish, next to every uploader.

    A file over ``[server] maxUploadSize`` is refused by Streamlit's uploader in the browser
    with its own English text ("File must be 50.0MB or smaller"), which the app cannot
    change; this says the same before the person tries.
    """
    mb = limits.max_bytes // MB
    return (
        f"Máximo {mb} MB por archivo. Un archivo más grande se rechaza al subirlo (el aviso del "
        f"navegador dice «File must be {mb}.0MB or smaller»): comprímalo o divídalo."
    )


def _mb(value: int) -> str:
    return f"{value / MB:.1f} MB".replace(".", ",")


def check_upload_size(name: str, size: int, limits: UploadLimits = DEFAULT_LIMITS) -> None:
    """Refuse an empty file or one over the size cap."""
    if size == 0:
        raise DataError(f"{name}: el archivo está vacío.")
    if size > limits.max_bytes:
        raise DataError(
            f"{name}: el archivo pesa {_mb(size)}; el máximo permitido es {_mb(limits.max_bytes)}."
        )


def check_file(path: Path, limits: UploadLimits = DEFAULT_LIMITS) -> None:
    """Apply :func:`check_upload_size` to a file on disk (and refuse a missing one)."""
    if not path.is_file():
        raise DataError(f"{path.name}: no se encontró el archivo.")
    check_upload_size(path.name, path.stat().st_size, limits)


def _unsafe_entry(name: str) -> bool:
    """True for entry names that could escape the extraction folder."""
    if not name or "\x00" in name or "\\" in name:
        return True
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts:
        return True
    # Windows drive letters ("C:") in the first component.
    return len(p.parts[0]) >= 2 and p.parts[0][1] == ":"


def inspect_zip(
    path: Path, limits: UploadLimits = DEFAULT_LIMITS, label: str | None = None
) -> list[zipfile.ZipInfo]:
    """Check an archive before reading it; return its file entries.

    Refuses: a file that is not a readable zip (truncated, corrupt), too many entries,
    a declared uncompressed size over the cap, entry names that leave the folder
    (absolute, ``..``, drive letters, backslashes) and symbolic links.
    """
    name = label or path.name
    check_file(path, limits)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise DataError(f"{name}: el archivo comprimido está dañado o incompleto ({exc}).") from exc
    if len(infos) > limits.max_entries:
        raise DataError(
            f"{name}: el archivo comprimido contiene {len(infos)} archivos; "
            f"el máximo es {limits.max_entries}."
        )
    total = 0
    for info in infos:
        if _unsafe_entry(info.filename):
            raise DataError(
                f"{name}: la entrada «{info.filename}» apunta fuera de la carpeta del archivo; no se acepta."
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise DataError(f"{name}: la entrada «{info.filename}» es un enlace simbólico; no se acepta.")
        total += info.file_size
    if total > limits.max_uncompressed_bytes:
        raise DataError(
            f"{name}: descomprimido ocuparía {_mb(total)}; el máximo es {_mb(limits.max_uncompressed_bytes)}."
        )
    return [i for i in infos if not i.is_dir()]


def safe_extract_zip(
    path: Path, dest: Path, limits: UploadLimits = DEFAULT_LIMITS, label: str | None = None
) -> list[Path]:
    """Extract an inspected archive into ``dest`` (a fresh folder); return the file paths.

    On any refusal ``dest`` is removed, so nothing half-extracted is left behind.

    Sizes are counted while extracting, so an archive that lies about its sizes in the
    directory still stops at the cap.
    """
    name = label or path.name
    infos = inspect_zip(path, limits, label=name)
    dest = dest.resolve()
    written = 0
    out: list[Path] = []
    try:
        with zipfile.ZipFile(path) as zf:
            for info in infos:
                target = (dest / info.filename).resolve()
                if not target.is_relative_to(dest):
                    raise DataError(
                        f"{name}: la entrada «{info.filename}» apunta fuera de la "
                        f"carpeta del archivo; no se acepta."
                    )
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as dst:
                    while chunk := src.read(MB):
                        written += len(chunk)
                        if written > limits.max_uncompressed_bytes:
                            raise DataError(
                                f"{name}: descomprimido supera {_mb(limits.max_uncompressed_bytes)}; "
                                f"no se acepta."
                            )
                        dst.write(chunk)
                out.append(target)
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        shutil.rmtree(dest, ignore_errors=True)
        raise DataError(f"{name}: el archivo comprimido está dañado o incompleto ({exc}).") from exc
    except DataError:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    return out


#: A need's photo (issue 12): a phone picture fits; anything larger is refused before storing.
PHOTO_LIMITS = UploadLimits(max_bytes=5 * MB)

#: The image formats a need's photo may be, recognised by their first bytes (never by the
#: name or the type the browser claims) -> the content type stored with it.
_PHOTO_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def check_photo(name: str, data: bytes, limits: UploadLimits = PHOTO_LIMITS) -> str:
    """Refuse an empty, oversized or non-image photo; return its content type (JPEG, PNG or WebP)."""
    check_upload_size(name, len(data), limits)
    if data[:12].startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    for signature, content_type in _PHOTO_SIGNATURES:
        if data.startswith(signature):
            return content_type
    raise DataError(f"{name}: no es una foto JPEG, PNG o WebP.")
