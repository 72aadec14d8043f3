"""One GiST index per kind of facility in operation: «Brechas» looks up the nearest health
post and the nearest school of every territory and census point, and a shared index made
each KNN scan step over the other kind and the closed ones (half the buffers at national
scale).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE INDEX gix_facility_geom_salud ON facility USING gist (geom)
         WHERE kind = 'salud' AND in_operation;
        CREATE INDEX gix_facility_geom_escuela ON facility USING gist (geom)
         WHERE kind = 'escuela' AND in_operation;
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DROP INDEX IF EXISTS gix_facility_geom_escuela;
        DROP INDEX IF EXISTS gix_facility_geom_salud;
        """
    )
