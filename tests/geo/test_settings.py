from pathlib import Path

import pytest

from geo.settings import load_settings, normalise_database_url


def test_libpq_urls_get_the_psycopg3_driver():
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_environment_wins_over_secrets_file(tmp_path: Path):
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text('DATABASE_URL = "postgresql://from-secrets/db"\n', encoding="utf-8")
    from_file = load_settings(environ={}, root=tmp_path)
    assert from_file.database_url == "postgresql+psycopg://from-secrets/db"
    from_env = load_settings(environ={"DATABASE_URL": "postgresql://from-env/db"}, root=tmp_path)
    assert from_env.database_url == "postgresql+psycopg://from-env/db"


def test_default_points_at_local_database(tmp_path: Path):
    s = load_settings(environ={}, root=tmp_path)
    assert s.database_url.endswith("@127.0.0.1:5432/sit_pladeco")
    assert s.data_dir == tmp_path / "data"


def test_demo_is_hidden_unless_the_setting_shows_it(tmp_path):
    assert load_settings({}, root=tmp_path).show_demo_by_default is False
    assert load_settings({"SIT_SHOW_DEMO": "1"}, root=tmp_path).show_demo_by_default is True
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text("show_demo = true\n", encoding="utf-8")
    assert load_settings({}, root=tmp_path).show_demo_by_default is True


def test_statement_timeout_defaults_to_30_s_and_is_overridable(tmp_path):
    assert load_settings({}, root=tmp_path).statement_timeout_ms == 30_000
    assert load_settings({"SIT_STATEMENT_TIMEOUT_MS": "5000"}, root=tmp_path).statement_timeout_ms == 5000
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text("statement_timeout_ms = 0\n", encoding="utf-8")
    assert load_settings({}, root=tmp_path).statement_timeout_ms == 0


def test_migrations_run_as_the_owner_and_the_app_as_its_own_role(tmp_path):
    (tmp_path / "s.toml").write_text(
        '[database]\nurl = "postgresql://sit_app:x@db/sit"\nadmin_url = "postgresql://sit_admin:y@db/sit"\n'
    )
    s = load_settings({"SIT_SECRETS_FILE": str(tmp_path / "s.toml")}, root=tmp_path)
    assert s.database_url == "postgresql+psycopg://sit_app:x@db/sit"
    assert s.migrations_url == "postgresql+psycopg://sit_admin:y@db/sit"
    s = load_settings({"DATABASE_URL": "postgresql://postgres@db/sit"}, root=tmp_path)
    assert s.migrations_url == s.database_url  # one address: the same role does both


def test_public_read_is_off_and_sessions_end_after_8_idle_hours_unless_configured(tmp_path):
    s = load_settings({}, root=tmp_path)
    assert s.public_read is False and s.session_idle_hours == 8
    s = load_settings({"SIT_PUBLIC_READ": "sí", "SIT_SESSION_IDLE_HOURS": "0.5"}, root=tmp_path)
    assert s.public_read is True and s.session_idle_hours == 0.5
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        "public_read = true\nsession_idle_hours = 2\n", encoding="utf-8"
    )
    s = load_settings({}, root=tmp_path)
    assert s.public_read is True and s.session_idle_hours == 2
    for bad in ("0", "-1", "ocho"):
        with pytest.raises(ValueError, match="SIT_SESSION_IDLE_HOURS"):
            load_settings({"SIT_SESSION_IDLE_HOURS": bad}, root=tmp_path)
