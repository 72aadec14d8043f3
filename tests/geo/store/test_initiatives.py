"""The one write path for initiatives, on the real PostGIS: only what changed, audited, versioned."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from geo.errors import ConflictError, DataError
from geo.initiatives.filters import MapFilters
from geo.initiatives.queries import filtered_initiatives
from geo.initiatives.stats import collect_stats
from geo.sheets.writer import export_rows
from geo.store.actor import Actor
from geo.store.funding import FundingLineValues, stored_lines
from geo.store.initiatives import InitiativeChange, delete_demo, save_initiatives, set_archived
from geo.store.links import PlaceLinks

ANA = Actor("Ana Rojas", "prueba", role="secplac")
PEDRO = Actor("Pedro Soto", "prueba", role="secplac")
ADMIN = Actor("Administradora", "prueba", role="administrador")  # demo data is hers


def row(conn, code):
    return conn.execute(text("SELECT * FROM initiative WHERE code = :c"), {"c": code}).mappings().one()


def audits(conn, iid):
    return conn.execute(
        text(
            "SELECT action, user_name, details FROM audit_log "
            "WHERE table_name = 'initiative' AND row_id = :r ORDER BY id"
        ),
        {"r": str(iid)},
    ).all()


FNDR_2016 = FundingLineValues("fndr", None, 2016, 12_500_000, "aprobado")
MINVU_2017 = FundingLineValues("sectorial", "MINVU", 2017, None, "postulado")


def lines(conn, iid):
    return stored_lines(conn, [iid])[iid]


def ids(conn, level, code):
    return conn.execute(text(f"SELECT id FROM {level} WHERE code = :c"), {"c": code}).scalar_one()


def test_only_the_changed_fields_are_written_and_audited_with_before_and_after(conn):
    before = row(conn, "E1.P1.G1.01")
    e2 = ids(conn, "strategy", "E2")
    values = {c: before[c] for c in ("code", "name", "kind", "scope", "status", "description")}
    values |= {"bip_stage": "diseno", "strategy_id": e2, "plan_id": None, "program_id": None}
    (result,) = save_initiatives(
        conn, ANA, [InitiativeChange(values=values, id=before["id"], expected_version=before["version"])]
    )
    after = row(conn, "E1.P1.G1.01")
    assert result.version == after["version"] == before["version"] + 1
    assert set(result.changes) == {"bip_stage", "strategy_id", "plan_id", "program_id"}
    assert after["name"] == before["name"] and after["bip_stage"] == "diseno"
    action, who, details = audits(conn, before["id"])[-1]
    assert (action, who, details["via"], details["version"]) == (
        "editar_iniciativa",
        "Ana Rojas",
        "prueba",
        2,
    )
    # Catalogue ids are recorded as the codes a person reads.
    assert details["changes"]["bip_stage"] == [None, "diseno"]
    assert details["changes"]["strategy"] == ["E1", "E2"]
    assert details["changes"]["plan"][1] is None and details["changes"]["plan"][0].startswith("E1.P1")


def test_a_change_that_changes_nothing_writes_nothing(conn):
    before = row(conn, "E1.P1.G1.01")
    n = len(audits(conn, before["id"]))
    (result,) = save_initiatives(
        conn,
        ANA,
        [InitiativeChange(values={"name": before["name"] + "  "}, id=before["id"], expected_version=1)],
    )
    assert not result.changed and row(conn, "E1.P1.G1.01")["version"] == before["version"]
    assert len(audits(conn, before["id"])) == n


def test_a_change_made_on_an_old_version_is_refused_and_nothing_is_written(conn):
    iid = row(conn, "E1.P1.G1.01")["id"]
    save_initiatives(
        conn, PEDRO, [InitiativeChange(values={"name": "Plaza de Pedro"}, id=iid, expected_version=1)]
    )
    with pytest.raises(ConflictError) as exc:
        save_initiatives(
            conn,
            ANA,
            [
                InitiativeChange(values={}, funding=[FNDR_2016], id=iid, expected_version=1),
                InitiativeChange(
                    values={
                        "code": "NUEVA-1",
                        "name": "x",
                        "kind": "proyecto",
                        "strategy_id": ids(conn, "strategy", "E1"),
                    }
                ),
            ],
        )
    assert "Pedro Soto guardó la iniciativa" in str(exc.value) and "Cambió: Nombre." in str(exc.value)
    assert exc.value.current_version == 2
    assert lines(conn, iid) == []  # nothing of the batch was written
    assert conn.execute(text("SELECT count(*) FROM initiative WHERE code = 'NUEVA-1'")).scalar() == 0


def test_status_changes_enter_the_history_with_who_and_the_comment(conn):
    iid = row(conn, "E1.P1.G1.01")["id"]
    save_initiatives(
        conn, ANA, [InitiativeChange(values={"status": "perfil"}, id=iid, status_comment="Perfil aprobado")]
    )
    hist = conn.execute(
        text(
            "SELECT from_status, to_status, changed_by_name, comment FROM status_history "
            "WHERE initiative_id = :i"
        ),
        {"i": iid},
    ).all()
    assert [tuple(h) for h in hist][-1] == ("sin_informacion", "perfil", "Ana Rojas", "Perfil aprobado")


def test_place_links_are_replaced_within_their_scope_and_hand_links_stay(conn):
    iid = row(conn, "E1.P1.G1.02")["id"]
    uv7 = conn.execute(
        text("SELECT id FROM territory WHERE kind = 'unidad_vecinal' AND code = '07'")
    ).scalar()
    uv9 = conn.execute(
        text("SELECT id FROM territory WHERE kind = 'unidad_vecinal' AND code = '09'")
    ).scalar()
    catalogue = set(
        conn.execute(
            text(
                "SELECT territory_id FROM initiative_territory "
                "WHERE initiative_id = :i AND place_ref LIKE 'pladeco:%'"
            ),
            {"i": iid},
        ).scalars()
    )
    save_initiatives(conn, ANA, [InitiativeChange(id=iid, hand_links=sorted(catalogue | {uv9}))])
    (r,) = save_initiatives(
        conn,
        ANA,
        [InitiativeChange(id=iid, place_links=PlaceLinks({uv7: "planilla:UV 7"}, scope="planilla:"))],
    )
    links = dict(
        conn.execute(
            text("SELECT territory_id, link_method FROM initiative_territory WHERE initiative_id = :i"),
            {"i": iid},
        ).all()
    )
    assert links[uv7] == "nombre_lugar" and links[uv9] == "manual"
    assert catalogue <= set(links)  # the catalogue's own place links are outside that scope
    assert r.changes["places"][1] == ["UV 7"]


def test_archived_initiatives_leave_maps_counts_and_exports_and_come_back(conn):
    iid = row(conn, "E1.P1.G1.01")["id"]
    total = collect_stats(conn)["initiatives"]["total"]
    result = set_archived(conn, ANA, iid, True, expected_version=1, reason="Duplicada con E1.P1.G1.02")
    assert result.version == 2
    assert iid not in set(filtered_initiatives(conn, MapFilters())["id"])
    assert iid in set(filtered_initiatives(conn, MapFilters(include_archived=True))["id"])
    stats = collect_stats(conn)["initiatives"]
    assert (stats["total"], stats["archived"]) == (total - 1, 1)
    assert "E1.P1.G1.01" not in {r["code"] for r in export_rows(conn)}
    with pytest.raises(DataError, match="está archivada: restáurela"):
        save_initiatives(conn, ANA, [InitiativeChange(values={"name": "x"}, id=iid)])
    with pytest.raises(DataError, match="ya está archivada"):
        set_archived(conn, ANA, iid, True)
    set_archived(conn, PEDRO, iid, False, expected_version=2)
    assert iid in set(filtered_initiatives(conn, MapFilters())["id"])
    actions = [(a, who, d.get("motivo")) for a, who, d in audits(conn, iid)]
    assert actions[-2:] == [
        ("archivar_iniciativa", "Ana Rojas", "Duplicada con E1.P1.G1.02"),
        ("restaurar_iniciativa", "Pedro Soto", None),
    ]


def test_removing_demo_rows_is_audited_one_row_each(conn):
    e1 = ids(conn, "strategy", "E1")
    save_initiatives(
        conn,
        ANA,
        [
            InitiativeChange(
                values={"code": f"DEMO-T-{n}", "name": "d", "kind": "proyecto", "strategy_id": e1},
                is_demo=True,
            )
            for n in range(3)
        ],
    )
    assert delete_demo(conn, ADMIN) == 3
    gone = (
        conn.execute(text("SELECT details FROM audit_log WHERE action = 'eliminar_iniciativa' ORDER BY id"))
        .scalars()
        .all()
    )
    assert sorted(d["code"] for d in gone[-3:]) == ["DEMO-T-0", "DEMO-T-1", "DEMO-T-2"]


def test_geometry_change_is_audited_as_geojson(conn):
    iid = row(conn, "E1.P1.G1.01")["id"]
    import shapely

    wkb = shapely.to_wkb(shapely.Point(-70.7581, -28.5770))
    (r,) = save_initiatives(conn, ANA, [InitiativeChange(id=iid, geometry=wkb, set_geometry=True)])
    before, after = r.changes["geometry"]
    assert before is None and json.loads(after) == {"type": "Point", "coordinates": [-70.7581, -28.577]}
    (again,) = save_initiatives(conn, ANA, [InitiativeChange(id=iid, geometry=wkb, set_geometry=True)])
    assert not again.changed


# --- funding lines: part of the initiative ---------------------------------------------------


def test_funding_lines_are_saved_with_the_initiative_versioned_and_audited_as_one_field(conn):
    before = row(conn, "E1.P1.G1.01")
    iid, v = before["id"], before["version"]
    (r1,) = save_initiatives(
        conn, ANA, [InitiativeChange(funding=[MINVU_2017, FNDR_2016], id=iid, expected_version=v)]
    )
    assert r1.version == v + 1 and set(r1.changes) == {"funding"}
    assert lines(conn, iid) == [FNDR_2016, MINVU_2017]  # kept in year order
    action, who, details = audits(conn, iid)[-1]
    assert (action, who, details["version"]) == ("editar_iniciativa", "Ana Rojas", v + 1)
    before_lines, after_lines = details["changes"]["funding"]
    assert before_lines == []
    assert after_lines == [
        {
            "source": "fndr",
            "source_detail": None,
            "year": 2016,
            "amount_clp": 12_500_000,
            "stage": "aprobado",
        },
        # An amount not informed stays None: never $ 0.
        {
            "source": "sectorial",
            "source_detail": "MINVU",
            "year": 2017,
            "amount_clp": None,
            "stage": "postulado",
        },
    ]
    # The same lines in another order, with spaces around the detail: nothing to write.
    same = FundingLineValues("sectorial", " MINVU ", 2017, None, "postulado")
    (r2,) = save_initiatives(
        conn, ANA, [InitiativeChange(funding=[same, FNDR_2016], id=iid, expected_version=v + 1)]
    )
    assert not r2.changed and row(conn, "E1.P1.G1.01")["version"] == v + 1 and len(audits(conn, iid)) == 2
    # funding=None leaves the lines alone while another field changes.
    save_initiatives(conn, ANA, [InitiativeChange(values={"name": "Otro nombre"}, id=iid)])
    assert lines(conn, iid) == [FNDR_2016, MINVU_2017]
    # Removing one line is a change of the whole field, before and after.
    (r3,) = save_initiatives(
        conn, PEDRO, [InitiativeChange(funding=[FNDR_2016], id=iid, expected_version=v + 2)]
    )
    assert r3.changes["funding"][1] == [FNDR_2016.as_audit()] and lines(conn, iid) == [FNDR_2016]


def test_a_new_initiative_gets_its_lines_and_the_creation_audit_names_them(conn):
    (r,) = save_initiatives(
        conn,
        ANA,
        [
            InitiativeChange(
                values={
                    "code": "CON-LINEAS",
                    "name": "x",
                    "kind": "proyecto",
                    "strategy_id": ids(conn, "strategy", "E1"),
                },
                funding=[FNDR_2016],
            )
        ],
    )
    assert r.created and lines(conn, r.id) == [FNDR_2016]
    assert audits(conn, r.id)[-1][2]["changes"]["funding"] == [[], [FNDR_2016.as_audit()]]


def test_lines_changed_by_someone_else_make_a_stale_save_a_conflict_naming_the_funding(conn):
    iid = row(conn, "E1.P1.G1.01")["id"]
    save_initiatives(conn, PEDRO, [InitiativeChange(funding=[FNDR_2016], id=iid, expected_version=1)])
    with pytest.raises(ConflictError) as exc:
        save_initiatives(conn, ANA, [InitiativeChange(funding=[MINVU_2017], id=iid, expected_version=1)])
    assert "Pedro Soto" in str(exc.value) and "Cambió: Financiamiento." in str(exc.value)
    assert lines(conn, iid) == [FNDR_2016]  # Pedro's line is not silently reverted


def test_a_line_the_database_refuses_writes_nothing_of_the_initiative(conn):
    before = row(conn, "E1.P1.G1.01")
    bad = FundingLineValues("fondo_inventado", None, 2016, 1_000, "aprobado")
    with pytest.raises(DataError):
        save_initiatives(
            conn, ANA, [InitiativeChange(values={"name": "Cambiado"}, funding=[bad], id=before["id"])]
        )
    assert row(conn, "E1.P1.G1.01")["name"] == before["name"] and lines(conn, before["id"]) == []
