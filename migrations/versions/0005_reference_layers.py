"""Reference layers: features residents recognise (issue 12), one table for all of them.

Each feature belongs to one layer of ``geo.domain.REFERENCE_LAYERS``, has a key unique in
its layer (the source's own id where it has one), a name when the source gives one, a few
of its source's attributes, the agency it comes from, and a valid geometry in EPSG:4326.
Written only through ``geo/store/reference.py`` (versioned and audited).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

LAYERS = (
    "punto_critico",
    "remocion_en_masa",
    "canal",
    "rio",
    "zona_prc",
    "limite_urbano_prc",
    "apr",
    "planta_aguas_servidas",
    "vivero",
    "toponimo",
    "ferrocarril",
)


def upgrade() -> None:
    listed = ", ".join(f"'{code}'" for code in LAYERS)
    op.execute(
        f"""
        CREATE TABLE reference_feature (
            id serial PRIMARY KEY,
            layer varchar(30) NOT NULL CONSTRAINT reference_feature_layer_check CHECK (layer IN ({listed})),
            key text NOT NULL,
            name text,
            attrs jsonb NOT NULL DEFAULT '{{}}',
            source text NOT NULL,
            geom geometry(GEOMETRY, 4326) NOT NULL
                CONSTRAINT reference_feature_geom_check CHECK (ST_IsValid(geom)),
            version integer NOT NULL DEFAULT 1,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT reference_feature_layer_key_key UNIQUE (layer, key)
        );
        CREATE INDEX gix_reference_feature_geom ON reference_feature USING gist (geom);
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE reference_feature")
