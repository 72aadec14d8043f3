"""The ``sit`` command, run in a separate process against its own database."""

import json

import pytest

from tests.conftest import derived_url, recreate_database, run_sit


@pytest.fixture(scope="module")
def cli_url():
    url = derived_url("cli")
    recreate_database(url)
    run_sit("db", "upgrade", url=url)
    return url


def stats(url):
    return json.loads(run_sit("stats", "--json", url=url).stdout)


def test_full_admin_journey(cli_url):
    out = run_sit("load", "base", url=cli_url).stdout
    assert "unidad_vecinal: 15" in out
    run_sit("load", "pladeco", url=cli_url)
    s = stats(cli_url)
    assert s["strategies"] == 9 and s["plans"] == 28
    assert s["territories"]["unidad_vecinal"] == {"total": 15, "sin_geometria": 0}
    assert s["territories"]["sitio"]["sin_geometria"] == s["territories"]["sitio"]["total"] > 0
    assert s["initiatives"]["by_status"] == {"sin_informacion": s["initiatives"]["total"]}
    assert 0 < s["initiatives"]["linked_to_territory"] < s["initiatives"]["total"]
    assert s["demo_initiatives"] == 0

    # Loading everything again duplicates nothing.
    run_sit("db", "upgrade", url=cli_url)
    run_sit("load", "base", url=cli_url)
    run_sit("load", "pladeco", url=cli_url)
    run_sit("setup", url=cli_url)
    assert stats(cli_url) == s

    out = run_sit("demo", "generate", "--initiatives", "120", "--seed", "4", url=cli_url).stdout
    assert "120" in out
    with_demo = stats(cli_url)
    assert with_demo["demo_initiatives"] == 120
    assert with_demo["initiatives"]["total"] == s["initiatives"]["total"] + 120
    run_sit("demo", "clear", url=cli_url)
    assert stats(cli_url) == s


def test_bad_pack_gives_a_spanish_message_and_exit_code(cli_url, tmp_path):
    proc = run_sit("load", "base", "--pack", str(tmp_path / "no-existe"), url=cli_url, check=False)
    assert proc.returncode == 2
    assert "No existe la carpeta del paquete de datos" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unreachable_database_is_explained(tmp_path):
    proc = run_sit("stats", url="postgresql+psycopg://postgres@127.0.0.1:1/nada", check=False)
    assert proc.returncode == 3
    assert "no se pudo conectar a la base de datos" in proc.stderr


def test_setup_on_an_unreachable_owner_says_so_without_its_password():
    proc = run_sit(
        "setup",
        url="postgresql+psycopg://sit_app:clave-app@127.0.0.1:1/nada",
        admin_url="postgresql+psycopg://dueno:clave-dueno@127.0.0.1:1/nada",
        check=False,
    )
    assert proc.returncode == 3
    assert "no se pudo conectar a la base de datos" in proc.stderr and "PostGIS" not in proc.stderr
    assert "clave-" not in proc.stdout + proc.stderr


def test_help_is_in_spanish():
    proc = run_sit("--help", url="postgresql://unused/db")
    assert "cargar datos" in proc.stdout and "demo" in proc.stdout
