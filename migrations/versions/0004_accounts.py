"""Accounts: the columns a login needs on ``app_user`` and the roles of issue 10.

Adds the unit, the password hash (argon2id; NULL means the account cannot log in until a
password is set: nothing is ever created with a default one), failed attempts, locked-until,
password changed at, updated at and a version (the one write path checks it). The roles
become administrador, secplac, facilitador and concejo; existing rows are mapped from the
old codes (admin, planificador, facilitador, consulta). ``display_name`` becomes
``full_name``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE app_user DROP CONSTRAINT app_user_role_check;
        UPDATE app_user SET role = CASE role
            WHEN 'admin' THEN 'administrador'
            WHEN 'planificador' THEN 'secplac'
            WHEN 'consulta' THEN 'concejo'
            ELSE role END;
        ALTER TABLE app_user ADD CONSTRAINT app_user_role_check
            CHECK (role IN ('administrador', 'secplac', 'facilitador', 'concejo'));
        ALTER TABLE app_user RENAME COLUMN display_name TO full_name;
        ALTER TABLE app_user
            ADD COLUMN unit text,
            ADD COLUMN password_hash text,
            ADD COLUMN failed_attempts integer NOT NULL DEFAULT 0,
            ADD COLUMN locked_until timestamptz,
            ADD COLUMN password_changed_at timestamptz,
            ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
            ADD COLUMN version integer NOT NULL DEFAULT 1;
        ALTER TABLE app_user ADD CONSTRAINT app_user_failed_attempts_check
            CHECK (failed_attempts >= 0);
        """
    )


def downgrade() -> None:
    op.execute(
        """
        ALTER TABLE app_user DROP CONSTRAINT app_user_failed_attempts_check;
        ALTER TABLE app_user
            DROP COLUMN version,
            DROP COLUMN updated_at,
            DROP COLUMN password_changed_at,
            DROP COLUMN locked_until,
            DROP COLUMN failed_attempts,
            DROP COLUMN password_hash,
            DROP COLUMN unit;
        ALTER TABLE app_user RENAME COLUMN full_name TO display_name;
        ALTER TABLE app_user DROP CONSTRAINT app_user_role_check;
        UPDATE app_user SET role = CASE role
            WHEN 'administrador' THEN 'admin'
            WHEN 'secplac' THEN 'planificador'
            WHEN 'concejo' THEN 'consulta'
            ELSE role END;
        ALTER TABLE app_user ADD CONSTRAINT app_user_role_check
            CHECK (role IN ('admin', 'planificador', 'facilitador', 'consulta'));
        """
    )
