"""Initial schema for the whole mission: catalogue, territories, links, facilities,
census, status history, workshops and needs, users and audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

STATUS_CODES = (
    "sin_informacion",
    "idea",
    "perfil",
    "diseno",
    "licitacion",
    "en_ejecucion",
    "terminado",
    "suspendido",
)


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


DDL = f"""
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE OR REPLACE FUNCTION sit_touch_updated_at() RETURNS trigger AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TABLE strategy (
    id serial PRIMARY KEY,
    code varchar(20) NOT NULL UNIQUE,
    name text NOT NULL,
    title text NOT NULL,
    objective text,
    position smallint NOT NULL
);

CREATE TABLE plan (
    id serial PRIMARY KEY,
    strategy_id integer NOT NULL REFERENCES strategy(id) ON DELETE RESTRICT,
    code varchar(20) NOT NULL UNIQUE,
    name text NOT NULL,
    definition text,
    position smallint NOT NULL
);
CREATE INDEX ix_plan_strategy ON plan(strategy_id);

CREATE TABLE program (
    id serial PRIMARY KEY,
    plan_id integer NOT NULL REFERENCES plan(id) ON DELETE RESTRICT,
    code varchar(30) NOT NULL UNIQUE,
    name text,
    position smallint NOT NULL
);
CREATE INDEX ix_program_plan ON program(plan_id);

CREATE TABLE initiative (
    id serial PRIMARY KEY,
    code varchar(60) NOT NULL UNIQUE,
    name text NOT NULL CHECK (length(btrim(name)) > 0),
    kind varchar(20) NOT NULL CHECK (kind IN ('plan', 'programa', 'proyecto', 'estudio')),
    strategy_id integer NOT NULL REFERENCES strategy(id) ON DELETE RESTRICT,
    plan_id integer REFERENCES plan(id) ON DELETE RESTRICT,
    program_id integer REFERENCES program(id) ON DELETE RESTRICT,
    status varchar(30) NOT NULL DEFAULT 'sin_informacion' CHECK (status IN ({_in(STATUS_CODES)})),
    scope varchar(20) NOT NULL DEFAULT 'comunal'
        CHECK (scope IN ('comunal', 'localizada', 'fuera_comuna')),
    amount_clp bigint CHECK (amount_clp >= 0),
    funding_source text,
    responsible_unit text,
    bip_code varchar(30),
    start_year smallint CHECK (start_year BETWEEN 1990 AND 2100),
    end_year smallint CHECK (end_year BETWEEN 1990 AND 2100),
    description text,
    place_note text,
    source text NOT NULL DEFAULT 'manual',
    geom geometry(Geometry, 4326) CHECK (geom IS NULL OR ST_IsValid(geom)),
    is_demo boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    CHECK (end_year IS NULL OR start_year IS NULL OR end_year >= start_year)
);
CREATE UNIQUE INDEX ux_initiative_bip ON initiative(bip_code) WHERE bip_code IS NOT NULL;
CREATE INDEX ix_initiative_strategy ON initiative(strategy_id);
CREATE INDEX ix_initiative_plan ON initiative(plan_id);
CREATE INDEX ix_initiative_status ON initiative(status);
CREATE INDEX ix_initiative_demo ON initiative(is_demo) WHERE is_demo;
CREATE INDEX gix_initiative_geom ON initiative USING gist(geom);
CREATE TRIGGER trg_initiative_updated BEFORE UPDATE ON initiative
    FOR EACH ROW EXECUTE FUNCTION sit_touch_updated_at();

CREATE TABLE territory (
    id serial PRIMARY KEY,
    kind varchar(30) NOT NULL CHECK (kind IN ('unidad_vecinal', 'localidad', 'sitio')),
    code varchar(60) NOT NULL,
    name text NOT NULL,
    sector varchar(10) CHECK (sector IN ('urbano', 'rural')),
    population integer CHECK (population >= 0),
    population_source text,
    source text NOT NULL,
    attrs jsonb NOT NULL DEFAULT '{{}}'::jsonb,
    geom geometry(Geometry, 4326) CHECK (geom IS NULL OR ST_IsValid(geom)),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    UNIQUE (kind, code)
);
CREATE INDEX gix_territory_geom ON territory USING gist(geom);
CREATE TRIGGER trg_territory_updated BEFORE UPDATE ON territory
    FOR EACH ROW EXECUTE FUNCTION sit_touch_updated_at();

CREATE TABLE initiative_territory (
    initiative_id integer NOT NULL REFERENCES initiative(id) ON DELETE CASCADE,
    territory_id integer NOT NULL REFERENCES territory(id) ON DELETE CASCADE,
    link_method varchar(20) NOT NULL CHECK (link_method IN ('geometria', 'nombre_lugar', 'manual')),
    weight numeric(9, 6) CHECK (weight > 0 AND weight <= 1),
    place_ref text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (initiative_id, territory_id)
);
CREATE INDEX ix_initiative_territory_territory ON initiative_territory(territory_id);

CREATE TABLE facility (
    id serial PRIMARY KEY,
    kind varchar(20) NOT NULL CHECK (kind IN ('escuela', 'salud')),
    code varchar(30) NOT NULL,
    name text NOT NULL,
    subtype text,
    dependency text,
    operating_status text,
    in_operation boolean NOT NULL DEFAULT true,
    source text NOT NULL,
    attrs jsonb NOT NULL DEFAULT '{{}}'::jsonb,
    geom geometry(Point, 4326) CHECK (geom IS NULL OR ST_IsValid(geom)),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, code)
);
CREATE INDEX gix_facility_geom ON facility USING gist(geom);
CREATE TRIGGER trg_facility_updated BEFORE UPDATE ON facility
    FOR EACH ROW EXECUTE FUNCTION sit_touch_updated_at();

CREATE TABLE initiative_facility (
    initiative_id integer NOT NULL REFERENCES initiative(id) ON DELETE CASCADE,
    facility_id integer NOT NULL REFERENCES facility(id) ON DELETE CASCADE,
    link_method varchar(20) NOT NULL CHECK (link_method IN ('geometria', 'nombre_lugar', 'manual')),
    place_ref text,
    PRIMARY KEY (initiative_id, facility_id)
);

CREATE TABLE boundary (
    id serial PRIMARY KEY,
    kind varchar(30) NOT NULL CHECK (kind IN ('limite_comunal', 'limite_urbano')),
    code varchar(30) NOT NULL,
    name text NOT NULL,
    source text NOT NULL,
    geom geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom)),
    UNIQUE (kind, code)
);
CREATE INDEX gix_boundary_geom ON boundary USING gist(geom);

CREATE TABLE census_area (
    id serial PRIMARY KEY,
    kind varchar(20) NOT NULL CHECK (kind IN ('distrito', 'zona', 'manzana')),
    code varchar(30) NOT NULL,
    name text,
    district_code varchar(4),
    zone_code varchar(6),
    source text NOT NULL,
    attrs jsonb NOT NULL DEFAULT '{{}}'::jsonb,
    geom geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom)),
    UNIQUE (kind, code)
);
CREATE INDEX gix_census_area_geom ON census_area USING gist(geom);

CREATE TABLE census_population (
    geocode varchar(11) NOT NULL,
    age_group varchar(20) NOT NULL,
    persons integer NOT NULL CHECK (persons >= 0),
    source text NOT NULL,
    PRIMARY KEY (geocode, age_group)
);

CREATE TABLE app_user (
    id serial PRIMARY KEY,
    username varchar(60) NOT NULL UNIQUE,
    display_name text NOT NULL,
    role varchar(20) NOT NULL CHECK (role IN ('admin', 'planificador', 'facilitador', 'consulta')),
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE status_history (
    id serial PRIMARY KEY,
    initiative_id integer NOT NULL REFERENCES initiative(id) ON DELETE CASCADE,
    changed_at timestamptz NOT NULL DEFAULT now(),
    changed_by_id integer REFERENCES app_user(id),
    changed_by_name text,
    from_status varchar(30) CHECK (from_status IN ({_in(STATUS_CODES)})),
    to_status varchar(30) NOT NULL CHECK (to_status IN ({_in(STATUS_CODES)})),
    comment text
);
CREATE INDEX ix_status_history_initiative ON status_history(initiative_id, changed_at);

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

CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    user_id integer REFERENCES app_user(id),
    user_name text,
    action varchar(40) NOT NULL,
    table_name varchar(60),
    row_id text,
    details jsonb NOT NULL DEFAULT '{{}}'::jsonb
);
CREATE INDEX ix_audit_log_at ON audit_log(at);
"""

TABLES = (
    "audit_log",
    "need_initiative",
    "need",
    "workshop",
    "status_history",
    "app_user",
    "census_population",
    "census_area",
    "boundary",
    "initiative_facility",
    "facility",
    "initiative_territory",
    "territory",
    "initiative",
    "program",
    "plan",
    "strategy",
)


def upgrade() -> None:
    op.execute(DDL)


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    op.execute("DROP FUNCTION IF EXISTS sit_touch_updated_at()")
