"""Archive initiatives instead of deleting them; look up a row's history quickly; drop the
catalogue reviewer's English notes from the user field ``place_note``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE initiative ADD COLUMN archived_at timestamptz;
        CREATE INDEX ix_initiative_archived ON initiative(archived_at) WHERE archived_at IS NOT NULL;
        CREATE INDEX ix_audit_log_row ON audit_log(table_name, row_id, at);
        """
    )
    # Until now the catalogue loader copied the reviewer's notes (English, written for the
    # catalogue review) into place_note, which planners read in the editor and in exports.
    # Notes that no person has edited since are removed; an edited one is a planner's text.
    op.execute(
        """
        UPDATE initiative i SET place_note = NULL
         WHERE i.source = 'pladeco_2014_2017' AND i.place_note IS NOT NULL
           AND NOT EXISTS (
               SELECT 1 FROM audit_log a
                WHERE a.table_name = 'initiative' AND a.row_id = i.id::text
                  AND a.details -> 'changes' ? 'place_note')
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DROP INDEX IF EXISTS ix_audit_log_row;
        DROP INDEX IF EXISTS ix_initiative_archived;
        ALTER TABLE initiative DROP COLUMN IF EXISTS archived_at;
        """
    )
