"""A small history for the activity log: an account's changes, and older rows with a typed name.

Written through the one write path, as the app writes them (the rows ``sit setup`` wrote and
Patricio's are moved back in time by the test itself): an administrator creates the
account of Ana Rojas (SECPLAC); Patricio Vega, before accounts existed, typed his name and
changed an initiative in March 2025; Ana, logged in, changes the
same initiative's status and amount and places the site Chamonate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import shapely
from argon2 import PasswordHasher
from sqlalchemy import Connection, text

from geo.accounts.users import create_user
from geo.domain import LOCAL_TZ
from geo.store.actor import Actor
from geo.store.funding import FundingLineValues
from geo.store.initiatives import InitiativeChange, save_initiatives
from geo.store.territories import place_site
from geo.territory.sites import find_site
from tests.support.actors import TESTER

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
CODE = "E1.P1.G1.01"
PASSWORD = "caballo correcto 42"
#: When the catalogue and the base pack were loaded (local time).
LOADED_AT = datetime(2025, 1, 2, 9, 0, tzinfo=LOCAL_TZ)
#: When Patricio typed his name (local time): before accounts.
TYPED_AT = datetime(2025, 3, 10, 12, 0, tzinfo=LOCAL_TZ)
#: A point inside UV 03 (Quinta Valle, as in the site tests).
SITE_POINT = (-70.74597282908609, -28.58590157999998)


@dataclass(frozen=True)
class Scenario:
    """The ids the tests look for."""

    ana_id: int
    initiative_id: int
    initiative_name: str
    site_id: int
    typed_audit_id: int


def write_scenario(conn: Connection) -> Scenario:
    """Write the history (inside the caller's transaction) and return its ids."""
    # What the database held before: loaded by ``sit setup`` early in January 2025.
    conn.execute(text("UPDATE audit_log SET at = :at"), {"at": LOADED_AT})
    ana = create_user(conn, TESTER, "arojas", "Ana Rojas", "secplac", PASSWORD, hasher=FAST)
    iid, name = conn.execute(text("SELECT id, name FROM initiative WHERE code = :c"), {"c": CODE}).one()
    patricio = Actor("Patricio Vega", "página Iniciativas", role="secplac")
    save_initiatives(conn, patricio, [InitiativeChange(values={"status": "idea"}, id=iid)])
    patricio_row = conn.execute(
        text("SELECT max(id) FROM audit_log WHERE user_name = 'Patricio Vega' AND row_id = :r"),
        {"r": str(iid)},
    ).scalar_one()
    # Rows from before accounts: moved back in time (the test's own setup, not the app's).
    conn.execute(text("UPDATE audit_log SET at = :at WHERE id = :i"), {"at": TYPED_AT, "i": patricio_row})
    ana_actor = Actor.account(ana.id, "Ana Rojas", "secplac", "página Iniciativas")
    save_initiatives(
        conn,
        ana_actor,
        [
            InitiativeChange(
                values={"status": "perfil"},
                funding=[FundingLineValues("fndr", None, 2016, 12_500_000, "aprobado")],
                id=iid,
                status_comment="Perfil listo",
            )
        ],
    )
    site = find_site(conn, "Chamonate")
    assert site is not None
    place_site(conn, ana_actor, site["id"], shapely.Point(SITE_POINT), site["version"])
    return Scenario(ana.id, iid, name, site["id"], patricio_row)
