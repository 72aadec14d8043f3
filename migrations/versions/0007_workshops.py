"""Workshops and residents' needs (issue 12): the agreed schema of talleres participativos.

Replaces the placeholder ``workshop``, ``need`` and ``need_initiative`` tables of 0001, which
no version of the application ever wrote (there was no write path for them). So that nothing
recorded is ever lost, the migration refuses to run when those tables hold rows.

- ``workshop``: date, place, facilitator (an account or a typed name), state (abierto,
  cerrado), attendance (total, and counts by sex and age group when known, keys of
  ``geo.domain.ATTENDANCE_GROUPS``), organisations, closing report, the short code and switch
  of phone participation, version.
- ``workshop_territory``: the territories (UVs, localities) a workshop covers.
- ``need``: a need on the map (point, line or area): kind, strategy (NULL: "otra"), text,
  votes, optional photo, state (aceptada, pendiente, rechazada), origin (taller, telefono,
  planilla), the hashed device of a phone submission, and the need it was merged into.
- ``need_initiative``: a need answered by an initiative of the plan, confirmed by a person.

``is_demo`` stays on ``workshop`` and ``need`` (the demo clean-up deletes rows flagged so).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from alembic import op
from sqlalchemy import text

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

WORKSHOP_STATES = ("abierto", "cerrado")
NEED_KINDS = ("problema", "propuesta", "valor")
NEED_STATES = ("aceptada", "pendiente", "rechazada")
NEED_ORIGINS = ("taller", "telefono", "planilla")


def _listed(codes: tuple[str, ...]) -> str:
    return ", ".join(f"'{code}'" for code in codes)


def upgrade() -> None:
    conn = op.get_bind()
    held = conn.execute(
        text("SELECT (SELECT count(*) FROM workshop) + (SELECT count(*) FROM need)")
    ).scalar_one()
    if held:
        raise RuntimeError(
            f"Las tablas workshop/need de la versión 0001 contienen {held} filas: respáldelas "
            "antes de migrar (0007 las reemplaza)."
        )
    op.execute(
        f"""
        DROP TABLE need_initiative;
        DROP TABLE need;
        DROP TABLE workshop;

        CREATE TABLE workshop (
            id serial PRIMARY KEY,
            held_on date NOT NULL,
            place text NOT NULL CONSTRAINT workshop_place_check CHECK (length(btrim(place)) > 0),
            facilitator_id integer CONSTRAINT workshop_facilitator_id_fkey REFERENCES app_user (id),
            facilitator_name text,
            state varchar(20) NOT NULL DEFAULT 'abierto'
                CONSTRAINT workshop_state_check CHECK (state IN ({_listed(WORKSHOP_STATES)})),
            attendance_total integer
                CONSTRAINT workshop_attendance_total_check CHECK (attendance_total >= 0),
            attendance jsonb NOT NULL DEFAULT '{{}}'
                CONSTRAINT workshop_attendance_check CHECK (jsonb_typeof(attendance) = 'object'),
            organisations text,
            closing_report text,
            participation_code varchar(12) CONSTRAINT workshop_participation_code_key UNIQUE,
            participation_open boolean NOT NULL DEFAULT false,
            is_demo boolean NOT NULL DEFAULT false,
            version integer NOT NULL DEFAULT 1,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX ix_workshop_held_on ON workshop (held_on);
        CREATE TRIGGER trg_workshop_updated BEFORE UPDATE ON workshop
            FOR EACH ROW EXECUTE FUNCTION sit_touch_updated_at();

        CREATE TABLE workshop_territory (
            workshop_id integer NOT NULL
                CONSTRAINT workshop_territory_workshop_id_fkey REFERENCES workshop (id) ON DELETE CASCADE,
            territory_id integer NOT NULL
                CONSTRAINT workshop_territory_territory_id_fkey REFERENCES territory (id) ON DELETE CASCADE,
            CONSTRAINT workshop_territory_pkey PRIMARY KEY (workshop_id, territory_id)
        );
        CREATE INDEX ix_workshop_territory_territory ON workshop_territory (territory_id);

        CREATE TABLE need (
            id serial PRIMARY KEY,
            workshop_id integer NOT NULL
                CONSTRAINT need_workshop_id_fkey REFERENCES workshop (id) ON DELETE CASCADE,
            kind varchar(20) NOT NULL
                CONSTRAINT need_kind_check CHECK (kind IN ({_listed(NEED_KINDS)})),
            strategy_id integer CONSTRAINT need_strategy_id_fkey REFERENCES strategy (id),
            text text NOT NULL
                CONSTRAINT need_text_check CHECK (length(btrim(text)) > 0 AND length(text) <= 1000),
            votes integer NOT NULL DEFAULT 0 CONSTRAINT need_votes_check CHECK (votes >= 0),
            geom geometry(GEOMETRY, 4326) NOT NULL CONSTRAINT need_geom_check CHECK (ST_IsValid(geom)),
            photo bytea,
            photo_type varchar(30),
            state varchar(20) NOT NULL DEFAULT 'aceptada'
                CONSTRAINT need_state_check CHECK (state IN ({_listed(NEED_STATES)})),
            origin varchar(20) NOT NULL DEFAULT 'taller'
                CONSTRAINT need_origin_check CHECK (origin IN ({_listed(NEED_ORIGINS)})),
            device_key text,
            merged_into_id integer CONSTRAINT need_merged_into_id_fkey REFERENCES need (id),
            is_demo boolean NOT NULL DEFAULT false,
            version integer NOT NULL DEFAULT 1,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX gix_need_geom ON need USING gist (geom);
        CREATE INDEX ix_need_workshop ON need (workshop_id);
        CREATE INDEX ix_need_device ON need (workshop_id, device_key) WHERE device_key IS NOT NULL;
        CREATE TRIGGER trg_need_updated BEFORE UPDATE ON need
            FOR EACH ROW EXECUTE FUNCTION sit_touch_updated_at();

        CREATE TABLE need_initiative (
            need_id integer NOT NULL
                CONSTRAINT need_initiative_need_id_fkey REFERENCES need (id) ON DELETE CASCADE,
            initiative_id integer NOT NULL
                CONSTRAINT need_initiative_initiative_id_fkey REFERENCES initiative (id) ON DELETE CASCADE,
            confirmed_by text,
            created_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT need_initiative_pkey PRIMARY KEY (need_id, initiative_id)
        );
        CREATE INDEX ix_need_initiative_initiative ON need_initiative (initiative_id);
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DROP TABLE need_initiative;
        DROP TABLE need;
        DROP TABLE workshop_territory;
        DROP TABLE workshop;
        CREATE TABLE workshop (
            id serial PRIMARY KEY,
            name text NOT NULL,
            held_on date,
            territory_id integer REFERENCES territory(id),
            venue text,
            facilitator text,
            participants integer CHECK (participants >= 0),
            notes text,
            is_demo boolean NOT NULL DEFAULT false,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE need (
            id serial PRIMARY KEY,
            workshop_id integer NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
            territory_id integer REFERENCES territory(id),
            strategy_id integer REFERENCES strategy(id),
            description text NOT NULL,
            priority smallint,
            votes integer CHECK (votes >= 0),
            geom geometry(Geometry, 4326) CHECK (geom IS NULL OR ST_IsValid(geom)),
            is_demo boolean NOT NULL DEFAULT false,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX gix_need_geom ON need USING gist(geom);
        CREATE TABLE need_initiative (
            need_id integer NOT NULL REFERENCES need(id) ON DELETE CASCADE,
            initiative_id integer NOT NULL REFERENCES initiative(id) ON DELETE CASCADE,
            PRIMARY KEY (need_id, initiative_id)
        );
        """
    )
