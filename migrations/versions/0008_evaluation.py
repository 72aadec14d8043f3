"""Evaluating the PLADECO (issue 13): physical progress and frozen evaluation cuts.

- ``initiative.progress_pct``: the physical progress (0-100 %) a planner entered; NULL when
  nobody entered it (the evaluation then takes it from the status, ``geo/evaluation/progress``).
- ``evaluation_cut``: an "estado al 31-12": a date, a state (borrador, cerrada), who closed it
  and when, a note, whether demo initiatives were frozen too, a version.
- ``cut_initiative``, ``cut_funding_line``, ``cut_territory``: what closing a cut froze of each
  initiative (codes and names as they were, status, effective progress and where it came
  from, archived, demo), its funding lines and its territories with their weights. No foreign
  key to the live rows: a cut keeps what it froze even when the initiative, a line or a
  territory is later deleted.

A closed cut never changes, and the database itself says so: the trigger function
``sit_cut_frozen`` refuses any INSERT, UPDATE or DELETE of a ``cut_*`` row of a closed cut,
and any UPDATE or DELETE of a closed ``evaluation_cut``. Closing inserts the rows while the
cut is still a borrador, then marks it closed, in one transaction (``geo/store/evaluation``).
The triggers live only here (``geo/schema/models.py`` says so; the drift test compares
columns, constraints and indexes).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

CUT_STATES = ("borrador", "cerrada")
PROGRESS_SOURCES = ("registrado", "estado")
STATUSES = (
    "sin_informacion",
    "idea",
    "perfil",
    "diseno",
    "licitacion",
    "en_ejecucion",
    "terminado",
    "suspendido",
)
SOURCES = ("municipal", "fndr", "fril", "pmu", "pmb", "sectorial", "privado", "otro")
STAGES = ("postulado", "aprobado", "ejecutado")


def _listed(codes: tuple[str, ...]) -> str:
    return ", ".join(f"'{code}'" for code in codes)


def upgrade() -> None:
    op.execute(
        f"""
        ALTER TABLE initiative ADD COLUMN progress_pct smallint
            CONSTRAINT initiative_progress_pct_check CHECK (progress_pct BETWEEN 0 AND 100);

        CREATE TABLE evaluation_cut (
            id serial PRIMARY KEY,
            cut_date date NOT NULL,
            state varchar(20) NOT NULL DEFAULT 'borrador'
                CONSTRAINT evaluation_cut_state_check CHECK (state IN ({_listed(CUT_STATES)})),
            closed_by text,
            closed_at timestamptz,
            note text,
            with_demo boolean NOT NULL DEFAULT false,
            version integer NOT NULL DEFAULT 1,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX ix_evaluation_cut_date ON evaluation_cut (cut_date);
        CREATE TRIGGER trg_evaluation_cut_updated BEFORE UPDATE ON evaluation_cut
            FOR EACH ROW EXECUTE FUNCTION sit_touch_updated_at();

        CREATE TABLE cut_initiative (
            cut_id integer NOT NULL
                CONSTRAINT cut_initiative_cut_id_fkey REFERENCES evaluation_cut (id) ON DELETE CASCADE,
            initiative_id integer NOT NULL,
            code varchar(60) NOT NULL,
            name text NOT NULL,
            kind varchar(20) NOT NULL,
            scope varchar(20) NOT NULL,
            strategy_code varchar(20) NOT NULL,
            plan_code varchar(20),
            program_code varchar(30),
            status varchar(30) NOT NULL
                CONSTRAINT cut_initiative_status_check CHECK (status IN ({_listed(STATUSES)})),
            progress_pct smallint
                CONSTRAINT cut_initiative_progress_pct_check CHECK (progress_pct BETWEEN 0 AND 100),
            progress_source varchar(20)
                CONSTRAINT cut_initiative_progress_source_check
                CHECK (progress_source IN ({_listed(PROGRESS_SOURCES)})),
            archived boolean NOT NULL DEFAULT false,
            is_demo boolean NOT NULL DEFAULT false,
            CONSTRAINT cut_initiative_pkey PRIMARY KEY (cut_id, initiative_id)
        );

        CREATE TABLE cut_funding_line (
            id serial PRIMARY KEY,
            cut_id integer NOT NULL
                CONSTRAINT cut_funding_line_cut_id_fkey REFERENCES evaluation_cut (id) ON DELETE CASCADE,
            initiative_id integer NOT NULL,
            source varchar(20)
                CONSTRAINT cut_funding_line_source_check CHECK (source IN ({_listed(SOURCES)})),
            source_detail text,
            year smallint,
            amount_clp bigint CONSTRAINT cut_funding_line_amount_clp_check CHECK (amount_clp >= 0),
            stage varchar(20) NOT NULL
                CONSTRAINT cut_funding_line_stage_check CHECK (stage IN ({_listed(STAGES)}))
        );
        CREATE INDEX ix_cut_funding_line_cut ON cut_funding_line (cut_id, initiative_id);

        CREATE TABLE cut_territory (
            cut_id integer NOT NULL
                CONSTRAINT cut_territory_cut_id_fkey REFERENCES evaluation_cut (id) ON DELETE CASCADE,
            initiative_id integer NOT NULL,
            territory_id integer NOT NULL,
            weight numeric(9, 6),
            CONSTRAINT cut_territory_pkey PRIMARY KEY (cut_id, initiative_id, territory_id)
        );

        CREATE FUNCTION sit_cut_frozen() RETURNS trigger AS $$
        DECLARE
            closed boolean;
            cut integer;
        BEGIN
            IF TG_TABLE_NAME = 'evaluation_cut' THEN
                IF OLD.state = 'cerrada' THEN
                    RAISE EXCEPTION 'El corte de evaluación n.º % está cerrado: no cambia.', OLD.id
                        USING ERRCODE = 'check_violation';
                END IF;
            ELSE
                cut := CASE WHEN TG_OP = 'DELETE' THEN OLD.cut_id ELSE NEW.cut_id END;
                SELECT state = 'cerrada' INTO closed FROM evaluation_cut WHERE id = cut;
                IF closed OR (TG_OP = 'UPDATE' AND OLD.cut_id <> NEW.cut_id AND EXISTS (
                        SELECT 1 FROM evaluation_cut WHERE id = OLD.cut_id AND state = 'cerrada')) THEN
                    RAISE EXCEPTION 'El corte de evaluación n.º % está cerrado: no cambia.', cut
                        USING ERRCODE = 'check_violation';
                END IF;
            END IF;
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END;
        $$ LANGUAGE plpgsql;

        CREATE TRIGGER trg_evaluation_cut_frozen BEFORE UPDATE OR DELETE ON evaluation_cut
            FOR EACH ROW EXECUTE FUNCTION sit_cut_frozen();
        CREATE TRIGGER trg_cut_initiative_frozen BEFORE INSERT OR UPDATE OR DELETE ON cut_initiative
            FOR EACH ROW EXECUTE FUNCTION sit_cut_frozen();
        CREATE TRIGGER trg_cut_funding_line_frozen BEFORE INSERT OR UPDATE OR DELETE ON cut_funding_line
            FOR EACH ROW EXECUTE FUNCTION sit_cut_frozen();
        CREATE TRIGGER trg_cut_territory_frozen BEFORE INSERT OR UPDATE OR DELETE ON cut_territory
            FOR EACH ROW EXECUTE FUNCTION sit_cut_frozen();
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DROP TABLE cut_territory;
        DROP TABLE cut_funding_line;
        DROP TABLE cut_initiative;
        DROP TABLE evaluation_cut;
        DROP FUNCTION sit_cut_frozen();
        ALTER TABLE initiative DROP COLUMN progress_pct;
        """
    )
