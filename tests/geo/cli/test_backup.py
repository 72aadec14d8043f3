"""``sit backup`` and ``sit restore``, run as an admin runs them, against databases of their own."""

import json

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from geo.schema.backup import client_target
from tests.conftest import derived_url, run_sit, set_up_database

CODE = "E1.P1.G1.02"


def drop_database(url):
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="module")
def source_url():
    """The catalogue (``sit setup``), demo initiatives and an edit: every kind of audit row."""
    url = set_up_database("bak_src")
    run_sit("demo", "generate", "--initiatives", "25", "--seed", "3", url=url)
    run_sit("initiative", "archive", CODE, "--reason", "Duplicada", url=url)
    yield url
    drop_database(url)


@pytest.fixture
def new_database():
    """The name and URL of a database that does not exist yet (dropped afterwards)."""
    url = derived_url("bak_new")
    drop_database(url)
    yield make_url(url).database, url
    drop_database(url)


def stats(url):
    return json.loads(run_sit("stats", "--json", url=url).stdout)


def audit_rows(url):
    eng = create_engine(url)
    try:
        with eng.connect() as conn:
            return [tuple(r) for r in conn.execute(text("SELECT * FROM audit_log ORDER BY id")).all()]
    finally:
        eng.dispose()


def columns():
    return ("id", "at", "user_id", "user_name", "action", "table_name", "row_id", "details")


def test_backup_restores_into_a_new_database_with_identical_stats_and_audit(
    source_url, new_database, tmp_path
):
    name, new_url = new_database
    before_stats, before_audit = stats(source_url), audit_rows(source_url)
    assert before_stats["initiatives"]["archived"] == 1 and before_stats["demo_initiatives"] == 25
    assert any(r[4] == "archivar_iniciativa" for r in before_audit)

    out = tmp_path / "sit.dump"
    printed = run_sit("backup", str(out), url=source_url).stdout
    assert out.stat().st_size > 0
    assert f"guardada en {out}" in printed and "Iniciativas: " in printed
    assert "Registros de auditoría: " in printed

    # The backup is audited in the source, after the dump (so the dump does not hold it).
    source_audit = audit_rows(source_url)
    assert source_audit[:-1] == before_audit
    backup_row = dict(zip(columns(), source_audit[-1], strict=True))
    assert backup_row["action"] == "copia_de_seguridad"
    assert backup_row["details"]["file"] == str(out.resolve())
    assert backup_row["details"]["via"] == "consola: sit backup"

    printed = run_sit("restore", str(out), "--create-db", name, url=source_url).stdout
    assert "restaurada" in printed and "la que espera esta versión del programa" in printed

    assert stats(new_url) == before_stats
    restored = audit_rows(new_url)
    assert restored[:-1] == before_audit  # every row, ids and times included
    restore_row = dict(zip(columns(), restored[-1], strict=True))
    assert restore_row["action"] == "restaurar_copia"
    assert restore_row["details"] == {"via": "consola: sit restore", "file": str(out.resolve())}
    assert restore_row["user_name"] == backup_row["user_name"]
    assert restore_row["id"] > before_audit[-1][0]

    # The history a planner reads survived too.
    assert "Duplicada" in run_sit("initiative", "history", CODE, url=new_url).stdout


def test_backup_does_not_overwrite_a_file_unless_forced(source_url, tmp_path):
    out = tmp_path / "ya-existe.dump"
    out.write_bytes(b"copia anterior")
    proc = run_sit("backup", str(out), url=source_url, check=False)
    assert proc.returncode == 2
    assert "Ya existe el archivo" in proc.stderr and "--force" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert out.read_bytes() == b"copia anterior"

    run_sit("backup", str(out), "--force", url=source_url)
    assert out.read_bytes() != b"copia anterior"


def test_restore_over_a_database_with_data_needs_force(source_url, tmp_path):
    out = tmp_path / "sit.dump"
    run_sit("backup", str(out), url=source_url)
    target = set_up_database("bak_over")  # the catalogue: a database with data
    try:
        before = stats(target)
        proc = run_sit("restore", str(out), "--target-url", target, url=source_url, check=False)
        assert proc.returncode == 2
        assert "ya tiene datos" in proc.stderr and "no se restauró nada" in proc.stderr
        assert "--force" in proc.stderr and "Traceback" not in proc.stderr
        assert stats(target) == before

        run_sit("restore", str(out), "--target-url", target, "--force", url=source_url)
        assert stats(target) == stats(source_url)
        assert audit_rows(target)[-1][4] == "restaurar_copia"
    finally:
        drop_database(target)


def test_restore_into_an_existing_database_name_is_refused(source_url, tmp_path):
    out = tmp_path / "sit.dump"
    run_sit("backup", str(out), url=source_url)
    proc = run_sit(
        "restore", str(out), "--create-db", make_url(source_url).database, url=source_url, check=False
    )
    assert proc.returncode == 2 and "Ya existe la base" in proc.stderr


def test_a_bad_file_is_refused_in_spanish_and_nothing_is_touched(source_url, new_database, tmp_path):
    name, new_url = new_database
    bad = tmp_path / "no-es-copia.dump"
    bad.write_text("esto no es una copia\n")
    before = audit_rows(source_url)
    for extra in ([], ["--create-db", name]):
        proc = run_sit("restore", str(bad), *extra, "--force", url=source_url, check=False)
        assert proc.returncode == 2
        assert "no es una copia de seguridad de sit" in proc.stderr and "Traceback" not in proc.stderr
    assert audit_rows(source_url) == before
    with pytest.raises(Exception, match="does not exist"):
        audit_rows(new_url)

    missing = run_sit("restore", str(tmp_path / "no-existe.dump"), url=source_url, check=False)
    assert missing.returncode == 2 and "No existe el archivo" in missing.stderr


def test_the_password_is_never_on_the_command_line_nor_printed(source_url, tmp_path):
    target = client_target("postgresql+psycopg://ana:s3cr3t-xyz@db.example:6543/sit?sslmode=require")
    assert target.uri == "postgresql://ana@db.example:6543/sit?sslmode=require"
    assert target.password == "s3cr3t-xyz" and target.env()["PGPASSWORD"] == "s3cr3t-xyz"

    url = "postgresql+psycopg://postgres:s3cr3t-xyz@127.0.0.1:1/nada"
    proc = run_sit("backup", str(tmp_path / "x.dump"), url=url, check=False)
    assert proc.returncode != 0 and "No se pudo hacer la copia de seguridad" in proc.stderr
    assert "s3cr3t" not in proc.stdout + proc.stderr
    assert not (tmp_path / "x.dump").exists() and not list(tmp_path.iterdir())
    good = tmp_path / "buena.dump"
    run_sit("backup", str(good), url=source_url)
    proc = run_sit("restore", str(good), url=url, check=False)
    assert (
        proc.returncode == 3
        and "no se pudo conectar" in proc.stderr
        and "«nada» en 127.0.0.1:1" in proc.stderr
    )
    assert "s3cr3t" not in proc.stdout + proc.stderr
