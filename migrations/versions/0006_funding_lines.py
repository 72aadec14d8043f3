"""Funding lines (issue 11): an initiative's money as source, year, amount and stage.

Creates ``funding_line`` and the optional BIP stage and technical result (RATE) of an
initiative. Each initiative's single amount becomes one line: its source as recorded
(a recorded name of the list becomes its code; any other text is kept as ``otro`` with the
text as the detail), stage ``aprobado``, year from the start year. An initiative with a
source and no amount keeps its source as a line without an amount: nothing recorded is lost.
Then the initiative's own ``amount_clp`` and ``funding_source`` are dropped: the lines are
the one record of its money. The downgrade puts them back from the lines (the sum of the
known amounts, the sources as "FNDR, Sectorial (MINVU)"), so no money is lost either way.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SOURCES = ("municipal", "fndr", "fril", "pmu", "pmb", "sectorial", "privado", "otro")
STAGES = ("postulado", "aprobado", "ejecutado")
BIP_STAGES = ("perfil", "prefactibilidad", "factibilidad", "diseno", "ejecucion")
TECHNICAL_RESULTS = ("RS", "FI", "OT", "IN", "RE")


def _listed(codes: tuple[str, ...]) -> str:
    return ", ".join(f"'{code}'" for code in codes)


#: A source code's name as the downgrade writes it back (the names of the old list).
_NAME = (
    "CASE fl.source "
    + " ".join(
        f"WHEN '{c}' THEN '{n}'"
        for c, n in zip(
            SOURCES, ("Municipal", "FNDR", "FRIL", "PMU", "PMB", "Sectorial", "Privado", "Otro"), strict=True
        )
    )
    + " END"
)


def upgrade() -> None:
    op.execute(
        f"""
        CREATE TABLE funding_line (
            id serial PRIMARY KEY,
            initiative_id integer NOT NULL
                CONSTRAINT funding_line_initiative_id_fkey REFERENCES initiative (id) ON DELETE CASCADE,
            source varchar(20) CONSTRAINT funding_line_source_check CHECK (source IN ({_listed(SOURCES)})),
            source_detail text,
            year smallint CONSTRAINT funding_line_year_check CHECK (year BETWEEN 1990 AND 2100),
            amount_clp bigint CONSTRAINT funding_line_amount_clp_check CHECK (amount_clp >= 0),
            stage varchar(20) NOT NULL
                CONSTRAINT funding_line_stage_check CHECK (stage IN ({_listed(STAGES)})),
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX ix_funding_line_initiative ON funding_line (initiative_id);
        ALTER TABLE initiative
            ADD COLUMN bip_stage varchar(20)
                CONSTRAINT initiative_bip_stage_check CHECK (bip_stage IN ({_listed(BIP_STAGES)})),
            ADD COLUMN technical_result varchar(10)
                CONSTRAINT initiative_technical_result_check
                CHECK (technical_result IN ({_listed(TECHNICAL_RESULTS)}));
        INSERT INTO funding_line (initiative_id, source, source_detail, year, amount_clp, stage)
        SELECT i.id,
               coalesce(known.code, CASE WHEN src.recorded IS NULL THEN NULL ELSE 'otro' END),
               CASE WHEN known.code IS NULL THEN src.recorded END,
               i.start_year,
               i.amount_clp,
               'aprobado'
          FROM initiative i
         CROSS JOIN LATERAL (SELECT nullif(btrim(i.funding_source), '') AS recorded) src
          LEFT JOIN (VALUES ('municipal'), ('fndr'), ('fril'), ('pmu'), ('pmb'), ('sectorial'),
                            ('privado'), ('otro')) AS known (code)
                 ON known.code = lower(src.recorded)
         WHERE i.amount_clp IS NOT NULL OR src.recorded IS NOT NULL
         ORDER BY i.id;
        ALTER TABLE initiative DROP COLUMN amount_clp, DROP COLUMN funding_source;
        """
    )


def downgrade() -> None:
    op.execute(
        f"""
        ALTER TABLE initiative
            ADD COLUMN amount_clp bigint CONSTRAINT initiative_amount_clp_check CHECK (amount_clp >= 0),
            ADD COLUMN funding_source text;
        UPDATE initiative i
           SET amount_clp = money.total, funding_source = money.sources
          FROM (SELECT fl.initiative_id, sum(fl.amount_clp)::bigint AS total,
                       string_agg(DISTINCT
                           CASE WHEN fl.source IS NULL THEN fl.source_detail
                                WHEN fl.source_detail IS NULL THEN {_NAME}
                                ELSE {_NAME} || ' (' || fl.source_detail || ')' END, ', ') AS sources
                  FROM funding_line fl GROUP BY fl.initiative_id) money
         WHERE money.initiative_id = i.id;
        ALTER TABLE initiative DROP COLUMN technical_result, DROP COLUMN bip_stage;
        DROP TABLE funding_line;
        """
    )
