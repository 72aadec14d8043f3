"""Data migrations, run from an older revision on a database of their own."""

from alembic import command
from sqlalchemy import create_engine, text

from geo.schema.migrate import alembic_config, ensure_postgis, upgrade
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


def test_0006_turns_each_amount_into_one_approved_line_of_its_start_year():
    url = derived_url("migrations_0006")
    recreate_database(url)
    ensure_postgis(url)
    upgrade(url, "0005")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            sid = conn.execute(
                text(
                    "INSERT INTO strategy (code, name, title, position) "
                    "VALUES ('E1', 'T', 'T', 1) RETURNING id"
                )
            ).scalar_one()
            rows = (
                # code, amount, recorded source, start year
                ("FNDR-1", 120_000_000, "FNDR", 2015),
                ("SECT-1", 45_500_000, " Sectorial ", None),
                ("FREE-1", 9_000_000, "Ministerio de Vivienda", 2016),
                ("NONE-1", 3_000_000, None, 2014),
                ("SRC-ONLY", None, "PMU", 2017),
                ("EMPTY", None, "  ", None),
            )
            for code, amount, source, year in rows:
                conn.execute(
                    text(
                        "INSERT INTO initiative (code, name, kind, strategy_id, amount_clp, funding_source, "
                        "start_year, source) VALUES (:c, 'x', 'proyecto', :s, :a, :f, :y, 'manual')"
                    ),
                    {"c": code, "s": sid, "a": amount, "f": source, "y": year},
                )
        upgrade(url, "0006")
        with engine.connect() as conn:
            lines = conn.execute(
                text(
                    "SELECT i.code, f.source, f.source_detail, f.year, f.amount_clp, f.stage "
                    "FROM funding_line f JOIN initiative i ON i.id = f.initiative_id ORDER BY i.code"
                )
            ).all()
        assert [tuple(r) for r in lines] == [
            ("FNDR-1", "fndr", None, 2015, 120_000_000, "aprobado"),
            ("FREE-1", "otro", "Ministerio de Vivienda", 2016, 9_000_000, "aprobado"),
            ("NONE-1", None, None, 2014, 3_000_000, "aprobado"),
            ("SECT-1", "sectorial", None, None, 45_500_000, "aprobado"),
            # A source without an amount stays recorded, with no amount (never $ 0).
            ("SRC-ONLY", "pmu", None, 2017, None, "aprobado"),
        ]
    finally:
        engine.dispose()


def test_0006_drops_the_single_amount_and_its_downgrade_puts_the_lines_back_into_it():
    url = derived_url("migrations_0006_down")
    recreate_database(url)
    ensure_postgis(url)
    upgrade(url, "0006")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            columns = set(
                conn.execute(
                    text("SELECT column_name FROM information_schema.columns WHERE table_name = 'initiative'")
                ).scalars()
            )
            assert {"amount_clp", "funding_source"}.isdisjoint(columns)  # the lines are the one record
            sid = conn.execute(
                text(
                    "INSERT INTO strategy (code, name, title, position) "
                    "VALUES ('E1', 'T', 'T', 1) RETURNING id"
                )
            ).scalar_one()
            for code in ("TWO", "NONE"):
                conn.execute(
                    text(
                        "INSERT INTO initiative (code, name, kind, strategy_id, source) "
                        "VALUES (:c, 'x', 'proyecto', :s, 'manual')"
                    ),
                    {"c": code, "s": sid},
                )
            conn.execute(
                text(
                    "INSERT INTO funding_line (initiative_id, source, source_detail, year, amount_clp, "
                    "stage) SELECT id, s, d, 2016, a, 'aprobado' FROM initiative, "
                    "(VALUES ('fndr', NULL, 1000), "
                    "('sectorial', 'MINVU', 500), ('pmu', NULL, NULL)) v(s, d, a) WHERE code = 'TWO'"
                )
            )
        command.downgrade(alembic_config(url), "0005")
        with engine.connect() as conn:
            got = dict(
                (r[0], (r[1], r[2]))
                for r in conn.execute(text("SELECT code, amount_clp, funding_source FROM initiative"))
            )
        assert got == {"TWO": (1500, "FNDR, PMU, Sectorial (MINVU)"), "NONE": (None, None)}
    finally:
        engine.dispose()
