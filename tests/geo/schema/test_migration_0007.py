"""Migration 0007 (workshops and needs): it replaces the placeholder tables of 0001, and never
loses a row they hold."""

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from geo.schema.migrate import alembic_config, current_revision, ensure_postgis, upgrade
from tests.conftest import derived_url, recreate_database


def columns(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(
                conn.execute(
                    text("SELECT column_name FROM information_schema.columns WHERE table_name = :t"),
                    {"t": table},
                ).scalars()
            )
    finally:
        engine.dispose()


def test_0007_refuses_while_the_old_tables_hold_rows_and_leaves_them_as_they_were():
    url = derived_url("migrations_0007_rows")
    recreate_database(url)
    ensure_postgis(url)
    upgrade(url, "0006")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO workshop (name, venue) VALUES ('Taller antiguo', 'Sede')"))
        with pytest.raises(RuntimeError, match="contienen 1 filas: respáldelas antes de migrar"):
            upgrade(url)
        assert current_revision(url) == "0006"
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name, venue FROM workshop")).all() == [
                ("Taller antiguo", "Sede")
            ]
    finally:
        engine.dispose()


def test_0007_builds_the_agreed_tables_and_its_downgrade_brings_back_the_old_ones():
    url = derived_url("migrations_0007")
    recreate_database(url)
    ensure_postgis(url)
    upgrade(url, "0007")
    assert {"held_on", "place", "state", "attendance", "participation_code", "version"} <= columns(
        url, "workshop"
    )
    assert {"kind", "text", "votes", "geom", "merged_into_id", "origin", "device_key"} <= columns(url, "need")
    assert columns(url, "workshop_territory") == {"workshop_id", "territory_id"}
    assert "confirmed_by" in columns(url, "need_initiative")
    command.downgrade(alembic_config(url), "0006")
    assert {"name", "venue", "participants", "territory_id"} <= columns(url, "workshop")
    assert columns(url, "workshop_territory") == set()
    upgrade(url, "0007")
    assert current_revision(url) == "0007"
