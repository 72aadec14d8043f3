"""Residents' phone participation: open, submit (rate-limited), accept or reject; 30 at once."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, text

from geo.errors import DataError
from geo.store.actor import Actor
from geo.store.participation import (
    CODE_ALPHABET,
    RATE_LIMIT,
    accept_need,
    close_participation,
    open_participation,
    open_workshop,
    participant,
    pending_needs,
    reject_need,
    submit_need,
)
from geo.store.permissions import NotAuthorised
from geo.store.workshops import NeedDraft, WorkshopValues, close_workshop, create_workshop, record_needs
from tests.conftest import set_up_database
from tests.support.actors import TESTER

FEDE = Actor("Federico Facilitador", "prueba", role="facilitador")
HOSTILE = '<img src=x onerror=alert(1)> {{ 7*7 }} #panic("x") =HYPERLINK("http://x")'


def uv05(conn) -> tuple[int, bytes]:
    row = conn.execute(
        text(
            "SELECT id, ST_AsBinary(ST_PointOnSurface(geom)) AS p FROM territory "
            "WHERE kind = 'unidad_vecinal' AND code = '05'"
        )
    ).one()
    return row.id, bytes(row.p)


def workshop(conn) -> int:
    tid, _ = uv05(conn)
    return create_workshop(
        conn, FEDE, WorkshopValues(held_on="05-12-2026", place="Sede", territory_ids=[tid])
    )


def test_a_phone_need_lands_pending_in_the_facilitators_queue_and_is_accepted_or_rejected(conn):
    wid = workshop(conn)
    _, point = uv05(conn)
    code = open_participation(conn, FEDE, wid)
    assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)
    assert open_participation(conn, FEDE, wid) == code  # already open: the same code
    found = open_workshop(conn, f" {code.lower()} ")
    assert found is not None and found.id == wid and found.territories == ["UV 05 · Carrera"]
    resident = participant(code)
    first = submit_need(conn, resident, code, "phone-1", "problema", None, HOSTILE, point)
    second = submit_need(conn, resident, code, "phone-1", "propuesta", None, "Una plaza", point)
    queue = pending_needs(conn, wid)
    assert [q["id"] for q in queue] == [first, second] and queue[0]["text"] == HOSTILE  # stored as typed
    row = conn.execute(text("SELECT state, origin, device_key FROM need WHERE id = :i"), {"i": first}).one()
    assert (row.state, row.origin) == ("pendiente", "telefono") and "phone-1" not in row.device_key
    accept_need(conn, FEDE, first)
    reject_need(conn, FEDE, second)
    states = dict(conn.execute(text("SELECT id, state FROM need WHERE workshop_id = :w"), {"w": wid}).all())
    assert states == {first: "aceptada", second: "rechazada"} and pending_needs(conn, wid) == []
    with pytest.raises(DataError, match="ya no está pendiente"):
        accept_need(conn, FEDE, second)
    actions = conn.execute(
        text(
            "SELECT action, user_name FROM audit_log WHERE table_name IN ('need', 'workshop') "
            "AND (row_id = :w OR row_id IN (:a, :b)) ORDER BY id"
        ),
        {"w": str(wid), "a": str(first), "b": str(second)},
    ).all()
    names = [a.action for a in actions]
    assert "abrir_participacion" in names and names[-2:] == ["aceptar_necesidad", "rechazar_necesidad"]
    assert names.count("registrar_necesidad") == 2


def test_a_participant_may_only_send_and_only_while_participation_is_open(conn):
    wid = workshop(conn)
    _, point = uv05(conn)
    with pytest.raises(DataError, match="no corresponde a un taller que esté recibiendo necesidades"):
        submit_need(conn, participant("ABCDEF"), "ABCDEF", "p", "problema", None, "Hola", point)
    code = open_participation(conn, FEDE, wid)
    resident = participant(code)
    draft = NeedDraft("problema", None, "Directo", 0, point)
    with pytest.raises(NotAuthorised, match="el rol participante no puede gestionar talleres"):
        record_needs(conn, resident, wid, [draft])
    with pytest.raises(NotAuthorised):
        accept_need(conn, resident, 1)
    with pytest.raises(NotAuthorised):
        submit_need(conn, Actor("visitante", "página"), code, "p", "problema", None, "Hola", point)
    with pytest.raises(DataError, match="Su necesidad: Texto: está vacío"):
        submit_need(conn, resident, code, "p", "problema", None, "   ", point)
    close_participation(conn, FEDE, wid)
    with pytest.raises(DataError, match=f"El código «{code}» no corresponde"):
        submit_need(conn, resident, code, "p", "problema", None, "Hola", point)
    assert open_participation(conn, FEDE, wid) == code  # reopened: the same code
    submit_need(conn, resident, code, "p", "problema", None, "Hola", point)
    close_workshop(conn, FEDE, wid, closing_report="Fin")  # closes participation with the workshop
    assert open_workshop(conn, code) is None
    with pytest.raises(DataError, match="no corresponde a un taller"):
        submit_need(conn, resident, code, "p", "problema", None, "Otra", point)
    with pytest.raises(DataError, match="está cerrado"):
        open_participation(conn, FEDE, wid)


def test_a_phone_sends_at_most_five_needs_in_ten_minutes(conn):
    wid = workshop(conn)
    _, point = uv05(conn)
    code = open_participation(conn, FEDE, wid)
    resident = participant(code)
    for i in range(RATE_LIMIT):
        submit_need(conn, resident, code, "phone-A", "problema", None, f"Necesidad {i}", point)
    with pytest.raises(
        DataError, match="Ya envió 5 necesidades en los últimos 10 minutos desde este teléfono"
    ):
        submit_need(conn, resident, code, "phone-A", "problema", None, "Una más", point)
    submit_need(conn, resident, code, "phone-B", "problema", None, "Otro teléfono", point)  # another device
    assert len(pending_needs(conn, wid)) == RATE_LIMIT + 1


def test_thirty_residents_submitting_at_once_lose_nothing():
    """Load test on loopback: 30 threads, each its own connection and device, one need each."""
    url = set_up_database("participation")
    engine = create_engine(url, pool_size=32, max_overflow=0)
    try:
        with engine.begin() as conn:
            wid = workshop(conn)
            _, point = uv05(conn)
            code = open_participation(conn, TESTER, wid)
        barrier, errors, ids, took = threading.Barrier(30), [], [], []

        def resident(i: int) -> None:
            barrier.wait()
            started = time.perf_counter()
            try:
                ids.append(
                    submit_need(
                        engine, participant(code), code, f"phone-{i}", "problema", None, f"Vecino {i}", point
                    )
                )
            except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
                errors.append(repr(exc))
            took.append(time.perf_counter() - started)

        threads = [threading.Thread(target=resident, args=(i,)) for i in range(30)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        wall = time.perf_counter() - started
        with engine.connect() as conn:
            stored = (
                conn.execute(
                    text("SELECT text FROM need WHERE workshop_id = :w AND state = 'pendiente' ORDER BY id"),
                    {"w": wid},
                )
                .scalars()
                .all()
            )
        took.sort()
        print(
            f"\n30 simultaneous phone submissions: {len(ids)} stored, {len(errors)} errors, "
            f"wall {wall:.2f} s, "
            f"median {took[len(took) // 2]:.3f} s, slowest {took[-1]:.3f} s"
        )
        assert errors == [] and len(ids) == 30 == len(set(ids))
        assert sorted(stored) == sorted(f"Vecino {i}" for i in range(30))
    finally:
        engine.dispose()
