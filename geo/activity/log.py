"""The activity log: the audit log read back for people (who, when, what, before and after).

Read-only; the rows are written by :mod:`geo.store.audit` inside the one write path.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Connection, text

log = logging.getLogger(__name__)


def latest_activity(conn: Connection, limit: int = 25) -> list[dict[str, Any]]:
    """The newest ``limit`` audit rows (when, who, action, object)."""
    rows = conn.execute(
        text(
            """
            SELECT a.at, COALESCE(u.full_name, a.user_name) AS who, a.action, a.table_name, a.row_id
              FROM audit_log a LEFT JOIN app_user u ON u.id = a.user_id
             ORDER BY a.at DESC, a.id DESC LIMIT :n
            """
        ),
        {"n": limit},
    ).mappings()
    return [dict(r) for r in rows]
