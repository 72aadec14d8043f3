"""The write path of workshops and needs on the real PostGIS: validated, versioned, audited, all or none."""

from __future__ import annotations

from datetime import date

import pytest
import shapely
from sqlalchemy import Connection, text

from geo.errors import ConflictError, DataError, ValidationError
from geo.store.actor import Actor
from geo.store.permissions import NotAuthorised
from geo.store.workshops import (
    NeedDraft,
    NeedEdit,
    WorkshopValues,
    close_workshop,
    create_workshop,
    merge_needs,
    move_need,
    record_needs,
    set_need_links,
    update_need,
    update_workshop,
)
from tests.support.workshops import point_in, strategy_id, territory_id

FEDE = Actor("Federico Facilitador", "prueba", role="facilitador")
ANA = Actor("Ana Rojas", "prueba", role="secplac")
CARLA = Actor("Carla Díaz", "prueba", role="concejo")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def workshop(conn: Connection, **over) -> int:
    values = WorkshopValues(
        held_on=over.pop("held_on", "05-12-2026"),
        place=over.pop("place", "Sede social Carrera"),
        territory_ids=over.pop("territory_ids", [territory_id(conn, "05")]),
        **over,
    )
    return create_workshop(conn, FEDE, values)


def draft(conn: Connection, body: str = "Falta luminaria en el pasaje", **over) -> NeedDraft:
    fields = {"kind": "problema", "strategy_id": strategy_id(conn, "E1"), "text": body, "votes": 3}
    fields |= {"geometry_wkb": point_in(conn, "05")} | over
    return NeedDraft(**fields)


def audit(conn: Connection, table: str, row_id: int) -> list:
    return conn.execute(
        text(
            "SELECT action, user_name, details FROM audit_log "
            "WHERE table_name = :t AND row_id = :r ORDER BY id"
        ),
        {"t": table, "r": str(row_id)},
    ).all()


def counts(conn: Connection) -> tuple[int, int, int]:
    return conn.execute(
        text(
            "SELECT (SELECT count(*) FROM workshop), (SELECT count(*) FROM need), "
            "(SELECT count(*) FROM audit_log)"
        )
    ).one()


def test_a_workshop_is_created_open_with_its_territories_and_one_audit_row(conn):
    wid = workshop(
        conn,
        territory_ids=[territory_id(conn, "05"), territory_id(conn, "DOMEYKO", "localidad")],
        attendance_total="32",
        attendance={"mujeres": 20, "hombres": "11", "otro": None, "60+": 9},
        organisations="Junta de vecinos Carrera\nClub de adulto mayor",
    )
    row = conn.execute(text("SELECT * FROM workshop WHERE id = :i"), {"i": wid}).mappings().one()
    assert (row["held_on"], row["place"], row["state"], row["version"]) == (
        date(2026, 12, 5),
        "Sede social Carrera",
        "abierto",
        1,
    )
    # Unknown stays unknown: «otro» was left blank, so it is absent, not 0.
    assert row["attendance_total"] == 32 and row["attendance"] == {"mujeres": 20, "hombres": 11, "60+": 9}
    codes = conn.execute(
        text(
            "SELECT t.code FROM workshop_territory w JOIN territory t ON t.id = w.territory_id "
            "WHERE w.workshop_id = :i ORDER BY t.code"
        ),
        {"i": wid},
    ).scalars()
    assert list(codes) == ["05", "DOMEYKO"]
    ((action, who, details),) = audit(conn, "workshop", wid)
    assert (action, who, details["version"]) == ("crear_taller", "Federico Facilitador", 1)
    assert details["changes"]["territories"] == [None, ["05", "DOMEYKO"]]


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"held_on": "31-02-2026"}, "Fecha", "no existe"),
        ({"held_on": ""}, "Fecha", "falta la fecha"),
        ({"place": "  "}, "Lugar", "falta el lugar"),
        ({"territory_ids": []}, "Territorios", "al menos una"),
        ({"attendance_total": 10, "attendance": {"mujeres": 8, "hombres": 5}}, "Asistencia", "supera"),
        ({"attendance": {"niños": 3}}, "Asistencia", "no es un grupo"),
        ({"attendance_total": "-3"}, "Asistencia total", "entero"),
    ],
)
def test_a_bad_workshop_is_refused_in_spanish_naming_the_field_and_nothing_is_written(
    conn, over, field, message
):
    before = counts(conn)
    with pytest.raises(ValidationError, match=message) as refused:
        workshop(conn, **over)
    assert field in str(refused.value)
    assert counts(conn) == before


def test_a_named_site_is_not_a_territory_a_workshop_covers(conn):
    site = conn.execute(text("SELECT id FROM territory WHERE kind = 'sitio' LIMIT 1")).scalar_one()
    with pytest.raises(ValidationError, match="unidades vecinales o localidades"):
        workshop(conn, territory_ids=[site])


def test_an_edit_writes_what_changed_and_a_stale_version_is_refused(conn):
    wid = workshop(conn)
    values = WorkshopValues(
        "05-12-2026", "Escuela Carrera", [territory_id(conn, "05"), territory_id(conn, "06")]
    )
    assert update_workshop(conn, FEDE, wid, 1, values) == 2
    action, _, details = audit(conn, "workshop", wid)[-1]
    assert action == "editar_taller"
    assert details["changes"] == {
        "place": ["Sede social Carrera", "Escuela Carrera"],
        "territories": [["05"], ["05", "06"]],
    }
    assert update_workshop(conn, FEDE, wid, 2, values) == 2  # nothing differs: no new version
    assert len(audit(conn, "workshop", wid)) == 2
    with pytest.raises(
        ConflictError, match=r"guardó el taller del 05-12-2026 .*Cambió: Lugar, Territorios\."
    ):
        update_workshop(
            conn, FEDE, wid, 1, WorkshopValues("06-12-2026", "Otra sede", [territory_id(conn, "05")])
        )
    assert (
        conn.execute(text("SELECT place FROM workshop WHERE id = :i"), {"i": wid}).scalar()
        == "Escuela Carrera"
    )


def test_needs_are_recorded_with_their_geometry_in_4326_and_one_audit_row_each(conn):
    wid = workshop(conn)
    line = shapely.LineString([(-70.76, -28.575), (-70.758, -28.574)])
    ids = record_needs(
        conn,
        FEDE,
        wid,
        [
            draft(conn),
            draft(
                conn,
                "Cuidar la plaza",
                kind="valor",
                strategy_id=None,
                votes=None,
                geometry_wkb=shapely.to_wkb(line),
            ),
        ],
    )
    assert len(ids) == 2
    rows = conn.execute(
        text(
            "SELECT id, kind, strategy_id, text, votes, state, origin, ST_SRID(geom), GeometryType(geom) "
            "FROM need WHERE id = ANY(:ids) ORDER BY id"
        ),
        {"ids": ids},
    ).all()
    assert [tuple(r)[1:] for r in rows] == [
        (
            "problema",
            strategy_id(conn, "E1"),
            "Falta luminaria en el pasaje",
            3,
            "aceptada",
            "taller",
            4326,
            "POINT",
        ),
        ("valor", None, "Cuidar la plaza", 0, "aceptada", "taller", 4326, "LINESTRING"),
    ]
    ((action, who, details),) = audit(conn, "need", ids[1])
    assert (action, who, details["changes"]["strategy"]) == (
        "registrar_necesidad",
        "Federico Facilitador",
        [None, "otra"],
    )


def test_a_batch_with_a_bad_need_names_each_row_and_writes_none(conn):
    wid = workshop(conn)
    far = shapely.to_wkb(shapely.Point(-70.6, -33.45))  # Santiago
    before = counts(conn)
    with pytest.raises(DataError) as refused:
        record_needs(
            conn,
            FEDE,
            wid,
            [
                draft(conn, where="fila 6 de captura.xlsx"),
                draft(conn, "   ", where="fila 7 de captura.xlsx"),
                draft(conn, "Plaza", votes="muchos", geometry_wkb=far, where="fila 9 de captura.xlsx"),
            ],
        )
    message = str(refused.value)
    assert message.startswith("No se guardó ninguna necesidad.")
    assert "fila 7 de captura.xlsx: Texto: está vacío" in message
    assert "fila 9 de captura.xlsx: Votos: se esperaba un número entero" in message
    assert "Ubicación: queda fuera de la comuna" in message
    assert "fila 6" not in message
    assert counts(conn) == before


def test_a_too_long_text_and_a_bad_photo_are_refused_per_field(conn):
    wid = workshop(conn)
    with pytest.raises(ValidationError, match="Texto: tiene 1.001 caracteres; el máximo es 1.000"):
        record_needs(conn, FEDE, wid, [draft(conn, "x" * 1001)])
    with pytest.raises(ValidationError, match="no es una foto JPEG, PNG o WebP"):
        record_needs(conn, FEDE, wid, [draft(conn, photo=b"<svg onload=alert(1)>")])
    with pytest.raises(ValidationError, match="el máximo permitido es 5,0 MB"):
        record_needs(conn, FEDE, wid, [draft(conn, photo=PNG + b"\x00" * (5 * 1024 * 1024))])


def test_a_closed_workshop_records_no_needs_and_its_needs_stay_as_closed(conn):
    wid = workshop(conn)
    (nid,) = record_needs(conn, FEDE, wid, [draft(conn)])
    assert close_workshop(conn, FEDE, wid, 1, "Asistieron 32 vecinos; se priorizó la luminaria.") == 2
    row = conn.execute(text("SELECT state, closing_report FROM workshop WHERE id = :i"), {"i": wid}).one()
    assert row == ("cerrado", "Asistieron 32 vecinos; se priorizó la luminaria.")
    before = counts(conn)
    with pytest.raises(DataError, match="El taller del 05-12-2026 en «Sede social Carrera» está cerrado"):
        record_needs(conn, FEDE, wid, [draft(conn)])
    with pytest.raises(DataError, match="está cerrado: no se puede editar"):
        update_need(conn, FEDE, nid, 1, NeedEdit("problema", None, "otro texto", 1))
    with pytest.raises(DataError, match="ya está cerrado"):
        close_workshop(conn, FEDE, wid)
    assert counts(conn) == before
    # A planner still confirms which initiative answers it.
    initiative = conn.execute(text("SELECT id FROM initiative ORDER BY id LIMIT 1")).scalar_one()
    assert set_need_links(conn, ANA, nid, [initiative]) == 2


def test_a_need_is_edited_with_a_photo_moved_and_its_history_says_so(conn):
    wid = workshop(conn)
    (nid,) = record_needs(conn, FEDE, wid, [draft(conn)])
    edit = NeedEdit("propuesta", strategy_id(conn, "E7"), "Multicancha iluminada", "12", photo=PNG)
    assert update_need(conn, FEDE, nid, 1, edit) == 2
    row = conn.execute(
        text("SELECT kind, text, votes, photo_type, length(photo) FROM need WHERE id = :i"), {"i": nid}
    ).one()
    assert row == ("propuesta", "Multicancha iluminada", 12, "image/png", len(PNG))
    _, _, details = audit(conn, "need", nid)[-1]
    assert details["changes"]["strategy"] == ["E1", "E7"]
    assert details["changes"]["photo"] == [None, f"image/png, {len(PNG)} bytes"]
    assert move_need(conn, FEDE, nid, 2, point_in(conn, "06")) == 3
    in_06 = conn.execute(
        text(
            "SELECT ST_Within(n.geom, t.geom) FROM need n, territory t "
            "WHERE n.id = :i AND t.kind = 'unidad_vecinal' AND t.code = '06'"
        ),
        {"i": nid},
    ).scalar()
    assert in_06
    assert audit(conn, "need", nid)[-1][0] == "mover_necesidad"
    with pytest.raises(ConflictError, match=r"guardó la necesidad n.º \d+ .*Cambió: Ubicación\."):
        update_need(conn, FEDE, nid, 2, NeedEdit("problema", None, "viejo", 1))
    assert (
        update_need(
            conn,
            FEDE,
            nid,
            3,
            NeedEdit("propuesta", strategy_id(conn, "E7"), "Multicancha iluminada", 12, remove_photo=True),
        )
        == 4
    )
    assert conn.execute(text("SELECT photo IS NULL FROM need WHERE id = :i"), {"i": nid}).scalar()


def test_two_needs_that_say_the_same_merge_votes_and_links_into_the_one_kept(conn):
    wid = workshop(conn)
    keep, gone = record_needs(
        conn, FEDE, wid, [draft(conn, votes=4), draft(conn, "Luminaria pasaje", votes=6)]
    )
    first, second = conn.execute(text("SELECT id FROM initiative ORDER BY id LIMIT 2")).scalars()
    set_need_links(conn, FEDE, gone, [second])
    assert merge_needs(conn, FEDE, keep, gone, 1, 2) == 2
    rows = dict(
        conn.execute(text("SELECT id, votes FROM need WHERE id = ANY(:i)"), {"i": [keep, gone]}).all()
    )
    assert rows[keep] == 10
    assert conn.execute(text("SELECT merged_into_id FROM need WHERE id = :i"), {"i": gone}).scalar() == keep
    links = conn.execute(
        text("SELECT initiative_id FROM need_initiative WHERE need_id = :n"), {"n": keep}
    ).scalars()
    assert list(links) == [second]
    with pytest.raises(DataError, match=f"fue fusionada en la n.º {keep}"):
        update_need(conn, FEDE, gone, 3, NeedEdit("problema", None, "x", 1))
    assert [a[0] for a in audit(conn, "need", gone)] == [
        "registrar_necesidad",
        "vincular_necesidad",
        "fusionar_necesidad",
    ]
    assert first != second


def test_links_are_set_exactly_and_audited_with_the_codes(conn):
    wid = workshop(conn)
    (nid,) = record_needs(conn, FEDE, wid, [draft(conn)])
    a, b = conn.execute(text("SELECT id FROM initiative ORDER BY id LIMIT 2")).scalars()
    codes = dict(
        conn.execute(text("SELECT id, code FROM initiative WHERE id IN (:a, :b)"), {"a": a, "b": b}).all()
    )
    assert set_need_links(conn, ANA, nid, [a, b]) == 2
    assert set_need_links(conn, ANA, nid, [b], expected_version=2) == 3
    assert set_need_links(conn, ANA, nid, [b]) == 3  # the same links: nothing written
    linked = conn.execute(
        text("SELECT initiative_id, confirmed_by FROM need_initiative WHERE need_id = :n"), {"n": nid}
    ).all()
    assert linked == [(b, "Ana Rojas (prueba)")]
    changes = [
        d["changes"]["initiatives"] for act, _, d in audit(conn, "need", nid) if act == "vincular_necesidad"
    ]
    assert changes == [[[], sorted([codes[a], codes[b]])], [sorted([codes[a], codes[b]]), [codes[b]]]]


@pytest.mark.parametrize("actor", [ANA, CARLA, Actor("visitante", "página")])
def test_only_facilitators_and_administrators_record_workshops_and_needs(conn, actor):
    wid = workshop(conn)
    before = counts(conn)
    with pytest.raises(NotAuthorised, match="no puede gestionar talleres y necesidades"):
        record_needs(conn, actor, wid, [draft(conn)])
    with pytest.raises(NotAuthorised):
        create_workshop(conn, actor, WorkshopValues("05-12-2026", "Sede", [territory_id(conn, "05")]))
    assert counts(conn) == before


def test_the_council_may_not_confirm_links(conn):
    wid = workshop(conn)
    (nid,) = record_needs(conn, FEDE, wid, [draft(conn)])
    with pytest.raises(NotAuthorised, match="no puede confirmar qué iniciativas responden"):
        set_need_links(conn, CARLA, nid, [])
