"""Every write function checks the role itself: each one called with each role, on the real PostGIS.

The allowed roles write; the others get the Spanish :class:`NotAuthorised` and the database
is exactly as before (rows, versions, history, audit). The roles are written out here, not
read from :mod:`geo.store.permissions`, so a change of the role table shows up as a failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import shapely
from sqlalchemy import Connection, text

from geo.catalogue.loader import load_catalogue
from geo.domain import ROLES
from geo.errors import DataError
from geo.initiatives.demo import generate_demo
from geo.sheets.importer import apply_import, plan_import
from geo.store.accounts import NewAccount, insert_account, record_login, store_active, store_password
from geo.store.actor import Actor
from geo.store.initiatives import InitiativeChange, delete_demo, save_initiatives, set_archived
from geo.store.permissions import CAPABILITIES, NotAuthorised
from geo.store.territories import (
    PopulationFigure,
    TerritoryRecord,
    clear_population_figures,
    ensure_places,
    place_site,
    save_territories,
    set_population_figures,
    unplace_site,
)
from geo.territory.base_pack import load_base_pack
from geo.territory.layer_import import import_territories
from geo.territory.population_import import import_official_population
from tests.geo.initiatives.test_form import CENTRO_PONIENTE
from tests.support.actors import TESTER
from tests.support.sheets import row, workbook

ROLE_NAMES = ["administrador", "secplac", "facilitador", "concejo", None]
ADMIN_SECPLAC = {"administrador", "secplac"}
ADMIN = {"administrador"}
#: Not a usable hash: nobody logs in with these accounts, and hashing would only cost time.
HASH = "$argon2id$v=19$m=65536,t=3,p=4$cHJ1ZWJh$cHJ1ZWJhIGRlIHJvbGVz"

#: Every table the write path writes, as one digest each (rows, versions, history, audit).
_TABLES = ("initiative", "initiative_territory", "initiative_facility", "territory", "app_user")


def fingerprint(conn: Connection) -> dict[str, str]:
    out = {
        t: conn.execute(
            text(f"SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM {t} x")
        ).scalar_one()
        for t in _TABLES
    }
    for t in ("status_history", "audit_log"):
        out[t] = conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
    return out


def person(conn: Connection, role: str | None) -> Actor:
    """Someone logged in with an account of ``role``; None: nobody logged in (a typed name)."""
    if role is None:
        return Actor("Visitante", "prueba de roles")
    uid = insert_account(conn, TESTER, NewAccount(f"rol-{role}", f"Persona {role}", role, None, HASH))
    return Actor.account(uid, f"Persona {role}", role, "prueba de roles")


def initiative(conn: Connection, code: str) -> Any:
    return conn.execute(text("SELECT id, version FROM initiative WHERE code = :c"), {"c": code}).one()


def new_site(conn: Connection, code: str, placed: bool = False) -> tuple[int, int]:
    """A named site (id, version), "sin ubicar" or placed."""
    save_territories(conn, TESTER, [TerritoryRecord("sitio", code, f"Sitio {code}", "prueba")], relink=False)
    sid, version = conn.execute(
        text("SELECT id, version FROM territory WHERE kind = 'sitio' AND code = :c"), {"c": code}
    ).one()
    if placed:
        version = place_site(conn, TESTER, sid, shapely.Point(CENTRO_PONIENTE), version).version
    return sid, version


def new_account(conn: Connection) -> int:
    return insert_account(conn, TESTER, NewAccount("otra-persona", "Otra Persona", "secplac", None, HASH))


def uv(conn: Connection, code: str) -> int:
    return conn.execute(
        text("SELECT id FROM territory WHERE kind = 'unidad_vecinal' AND code = :c"), {"c": code}
    ).scalar_one()


def demo_row(conn: Connection) -> None:
    e1 = conn.execute(text("SELECT id FROM strategy WHERE code = 'E1'")).scalar_one()
    values = {"code": "DEMO-ROL", "name": "d", "kind": "proyecto", "strategy_id": e1}
    save_initiatives(conn, TESTER, [InitiativeChange(values, is_demo=True)])


def population_csv(path: Path) -> Path:
    f = path / "oficial.csv"
    f.write_text("codigo;poblacion\n07;2150\n", encoding="utf-8")
    return f


@dataclass(frozen=True)
class Write:
    """A write function: its capability, who may, what it needs first (written as TESTER), the call."""

    capability: str
    may: set[str]
    prepare: Callable[[Connection, Path], Any]
    run: Callable[[Connection, Actor, Any], Any]


WRITES: dict[str, Write] = {
    "save_initiatives": Write(
        "initiatives",
        ADMIN_SECPLAC,
        lambda c, _: initiative(c, "E1.P1.G1.01"),
        lambda c, a, i: save_initiatives(c, a, [InitiativeChange({"name": "Nombre nuevo"}, i.id, i.version)]),
    ),
    "set_archived": Write(
        "initiatives",
        ADMIN_SECPLAC,
        lambda c, _: initiative(c, "E1.P1.G1.02"),
        lambda c, a, i: set_archived(c, a, i.id, True, i.version),
    ),
    "delete_demo": Write("demo", ADMIN, lambda c, _: demo_row(c), lambda c, a, _: delete_demo(c, a)),
    "save_territories": Write(
        "official_layers",
        ADMIN,
        lambda c, _: None,
        lambda c, a, _: save_territories(c, a, [TerritoryRecord("sitio", "ROL-1", "Sitio nuevo", "capa")]),
    ),
    "ensure_places": Write(
        "official_layers",
        ADMIN,
        lambda c, _: None,
        lambda c, a, _: ensure_places(
            c, a, [TerritoryRecord("sitio", "ROL-2", "Lugar del plan", "catálogo")]
        ),
    ),
    "place_site": Write(
        "sites",
        ADMIN_SECPLAC,
        lambda c, _: new_site(c, "ROL-3"),
        lambda c, a, s: place_site(c, a, s[0], shapely.Point(CENTRO_PONIENTE), s[1]),
    ),
    "unplace_site": Write(
        "sites",
        ADMIN_SECPLAC,
        lambda c, _: new_site(c, "ROL-4", placed=True),
        lambda c, a, s: unplace_site(c, a, *s),
    ),
    "set_population_figures": Write(
        "population",
        ADMIN,
        lambda c, _: uv(c, "07"),
        lambda c, a, t: set_population_figures(c, a, [PopulationFigure(t, 2150, "Cifra municipal")]),
    ),
    "clear_population_figures": Write(
        "population",
        ADMIN,
        lambda c, _: set_population_figures(
            c, TESTER, [PopulationFigure(uv(c, "07"), 2150, "Cifra municipal")]
        ),
        lambda c, a, _: clear_population_figures(c, a),
    ),
    "insert_account": Write(
        "accounts",
        ADMIN,
        lambda c, _: None,
        lambda c, a, _: insert_account(c, a, NewAccount("nueva", "Persona Nueva", "concejo", None, HASH)),
    ),
    "store_password (reset)": Write(
        "accounts",
        ADMIN,
        lambda c, _: new_account(c),
        lambda c, a, uid: store_password(c, a, uid, HASH + "x", "restablecer_contrasena"),
    ),
    "store_active": Write(
        "accounts", ADMIN, lambda c, _: new_account(c), lambda c, a, uid: store_active(c, a, uid, False)
    ),
    "apply_import (planilla)": Write(
        "spreadsheets",
        ADMIN_SECPLAC,
        lambda c, tmp: plan_import(c, workbook([row("ROL-X")], tmp / "planilla.xlsx")),
        lambda c, a, plan: apply_import(c, plan, a),
    ),
    "generate_demo": Write("demo", ADMIN, lambda c, _: None, lambda c, a, _: generate_demo(c, 2, 7, a)),
    "import_official_population": Write(
        "population",
        ADMIN,
        lambda c, tmp: population_csv(tmp),
        lambda c, a, f: import_official_population(c, f, a),
    ),
}


@pytest.mark.parametrize("role", ROLE_NAMES, ids=lambda r: r or "sin-sesion")
@pytest.mark.parametrize("name", list(WRITES))
def test_each_write_function_lets_only_its_roles_write(conn, tmp_path, name, role):
    write = WRITES[name]
    prepared = write.prepare(conn, tmp_path)
    actor = person(conn, role)
    before = fingerprint(conn)
    if role in write.may:
        write.run(conn, actor, prepared)
        assert fingerprint(conn) != before
        return
    with pytest.raises(NotAuthorised) as refused:
        write.run(conn, actor, prepared)
    who = ROLES[role] if role else "sin sesión iniciada"
    what = CAPABILITIES[write.capability][0]
    assert str(refused.value).startswith(f"No autorizado: el rol {who} no puede {what} (pueden: ")
    assert fingerprint(conn) == before


def test_the_allowed_write_is_audited_under_the_account(conn):
    actor = person(conn, "secplac")
    i = initiative(conn, "E1.P1.G1.01")
    save_initiatives(conn, actor, [InitiativeChange({"name": "Nombre nuevo"}, i.id, i.version)])
    last = conn.execute(
        text("SELECT user_id, user_name, details FROM audit_log ORDER BY id DESC LIMIT 1")
    ).one()
    assert (last.user_id, last.user_name) == (actor.user_id, "Persona secplac")
    assert last.details["via"] == "prueba de roles"


@pytest.mark.parametrize("role", ["secplac", "facilitador", "concejo"])
def test_a_person_changes_their_own_password_whatever_their_role(conn, role):
    me = person(conn, role)
    assert me.user_id is not None
    before = conn.execute(text("SELECT version FROM app_user WHERE id = :i"), {"i": me.user_id}).scalar_one()
    assert store_password(conn, me, me.user_id, HASH + "nueva", "cambiar_contrasena") == before + 1
    # ...but not someone else's, even naming the action of one's own change.
    other = new_account(conn)
    with pytest.raises(NotAuthorised, match="no puede administrar cuentas"):
        store_password(conn, me, other, HASH + "ajena", "cambiar_contrasena")


def test_login_bookkeeping_needs_no_role(conn):
    """A failed login is counted before anyone is logged in: no actor, no role to check."""
    me = person(conn, "concejo")
    assert me.user_id is not None
    now = datetime.now(UTC)
    record_login(conn, me.user_id, "rol-concejo", ok=False, now=now, max_failures=5, lock_until=now)
    failed = conn.execute(text("SELECT failed_attempts FROM app_user WHERE id = :i"), {"i": me.user_id})
    assert failed.scalar_one() == 1


@pytest.mark.parametrize(
    ("load", "capability"),
    [
        (lambda c, a, p: load_base_pack(c, p, a), "official_layers"),
        (lambda c, a, p: load_catalogue(c, p / "catalogo.yaml", a), "official_layers"),
        (lambda c, a, p: import_territories(c, p / "capa.zip", "unidad_vecinal", actor=a), "official_layers"),
        (lambda c, a, p: import_official_population(c, p / "oficial.csv", a), "population"),
    ],
    ids=["base_pack", "catalogue", "layer_import", "population_import"],
)
def test_loaders_and_imports_refuse_before_reading_the_file(conn, tmp_path, load, capability):
    """The role is checked first: a secplac account is refused even for a file that does not exist."""
    before = fingerprint(conn)
    with pytest.raises(NotAuthorised, match=CAPABILITIES[capability][0]):
        load(conn, person(conn, "secplac"), tmp_path / "no-existe")
    assert fingerprint(conn)["territory"] == before["territory"]


def test_a_layer_preview_needs_no_right(conn, tmp_path):
    """Only writing a layer is refused: a concejal's preview reads the file (here: none)."""
    concejal = person(conn, "concejo")
    with pytest.raises(DataError) as exc:
        import_territories(conn, tmp_path / "capa.zip", "unidad_vecinal", dry_run=True, actor=concejal)
    assert not isinstance(exc.value, NotAuthorised)
