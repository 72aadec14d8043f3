"""Data migrations, run from an older revision on a database of their own."""

from sqlalchemy import create_engine, text

from geo.schema.migrate import ensure_postgis, upgrade
from tests.conftest import derived_url, recreate_database


def test_0002_removes_reviewer_notes_but_keeps_a_planners_note():
    url = derived_url("migrations")
    recreate_database(url)
    ensure_postgis(url)
    upgrade(url, "0001")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            sid = conn.execute(
                text(
                    "INSERT INTO strategy (code, name, title, position) "
                    "VALUES ('E1', 'T', 'T', 1) RETURNING id"
                )
            ).scalar_one()
            for code, note in (
                ("A", "No location given."),
                ("B", "Split from the list."),
                ("C", "Sede norte"),
            ):
                conn.execute(
                    text(
                        "INSERT INTO initiative (code, name, kind, strategy_id, place_note, source) "
                        "VALUES (:c, 'x', 'proyecto', :s, :n, :src)"
                    ),
                    {"c": code, "s": sid, "n": note, "src": "manual" if code == "C" else "pladeco_2014_2017"},
                )
            b = conn.execute(text("SELECT id FROM initiative WHERE code = 'B'")).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO audit_log (user_name, action, table_name, row_id, details) "
                    "VALUES ('Ana', 'editar_iniciativa', 'initiative', :r, "
                    '\'{"changes": {"place_note": [null, "Split from the list."]}}\')'
                ),
                {"r": str(b)},
            )
        upgrade(url)
        with engine.connect() as conn:
            notes = dict(conn.execute(text("SELECT code, place_note FROM initiative")).all())
            archived = conn.execute(
                text("SELECT count(*) FROM initiative WHERE archived_at IS NOT NULL")
            ).scalar()
        # The untouched catalogue note goes; the one a planner wrote and the manual row's stay.
        assert notes == {"A": None, "B": "Split from the list.", "C": "Sede norte"}
        assert archived == 0
    finally:
        engine.dispose()
