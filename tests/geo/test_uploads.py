"""Upload limits: what a person uploading a hostile or broken archive sees."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from geo.errors import DataError
from geo.uploads import UploadLimits, check_upload_size, inspect_zip, safe_extract_zip


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def test_empty_and_oversized_uploads_are_refused_by_name():
    with pytest.raises(DataError, match="capa.zip: el archivo está vacío"):
        check_upload_size("capa.zip", 0)
    with pytest.raises(DataError, match=r"pesa 2,0 MB; el máximo permitido es 1,0 MB"):
        check_upload_size("capa.zip", 2 * 1024 * 1024, UploadLimits(max_bytes=1024 * 1024))


@pytest.mark.parametrize("entry", ["../evil.txt", "/etc/passwd", "a/../../evil", "C:/x.txt", "a\\..\\x"])
def test_entries_that_leave_the_folder_are_refused(tmp_path, entry):
    archive = _zip(tmp_path / "capa.zip", {"ok.txt": b"1", entry: b"x"})
    with pytest.raises(DataError, match="apunta fuera de la carpeta"):
        safe_extract_zip(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "evil.txt").exists()


def test_truncated_archive_is_refused(tmp_path):
    good = _zip(tmp_path / "good.zip", {"uv.shp": os.urandom(5000), "uv.dbf": os.urandom(5000)})
    cut = tmp_path / "cortado.zip"
    cut.write_bytes(good.read_bytes()[:3000])
    with pytest.raises(DataError, match="cortado.zip: el archivo comprimido está dañado o incompleto"):
        inspect_zip(cut)


def test_too_many_entries_and_zip_bomb_are_refused(tmp_path):
    many = _zip(tmp_path / "muchos.zip", {f"f{i}.txt": b"1" for i in range(6)})
    with pytest.raises(DataError, match="contiene 6 archivos; el máximo es 5"):
        inspect_zip(many, UploadLimits(max_entries=5))
    bomb = _zip(tmp_path / "bomba.zip", {"ceros.bin": b"\0" * (3 * 1024 * 1024)})
    assert bomb.stat().st_size < 100_000
    with pytest.raises(DataError, match="descomprimido ocuparía 3,0 MB; el máximo es 1,0 MB"):
        inspect_zip(bomb, UploadLimits(max_uncompressed_bytes=1024 * 1024))


def test_a_sound_archive_is_extracted_inside_the_folder(tmp_path):
    archive = _zip(tmp_path / "capa.zip", {"capa/uv.shp": b"shp", "capa/uv.cpg": b"UTF-8"})
    files = safe_extract_zip(archive, tmp_path / "out")
    assert sorted(p.name for p in files) == ["uv.cpg", "uv.shp"]
    assert (tmp_path / "out" / "capa" / "uv.cpg").read_text() == "UTF-8"


def test_the_spanish_size_hint_matches_streamlits_own_cap():
    import tomllib
    from pathlib import Path

    from geo.uploads import DEFAULT_LIMITS, MB, size_hint

    config = tomllib.loads((Path(__file__).parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * MB == DEFAULT_LIMITS.max_bytes
    assert "Máximo 50 MB" in size_hint()
