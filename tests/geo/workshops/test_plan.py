"""Needs versus the plan on PostGIS, with hand-built initiatives around a need in UV 05.

The catalogue's own initiatives are archived inside the test's transaction, so the only
candidates are the ones built here (UV 05 touches UVs 01, 04, 06 and 13; UV 11 is far).
"""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text

from geo.store.actor import Actor
from geo.store.workshops import (
    NeedDraft,
    WorkshopValues,
    create_workshop,
    merge_needs,
    record_needs,
    set_need_links,
)
from geo.workshops.plan import suggest_initiatives, territory_needs_summary
from tests.support.workshops import point_in, strategy_id, territory_id

FEDE = Actor("Federico Facilitador", "prueba", role="facilitador")


def initiative(
    conn: Connection,
    code: str,
    strategy_code: str,
    territories: tuple[str, ...] = (),
    east_of: tuple[bytes, float] | None = None,
    archived: bool = False,
) -> int:
    """A hand-built initiative linked by hand to UVs, or drawn ``metres`` east of a point."""
    geom = None
    if east_of is not None:
        wkb, metres = east_of
        geom = conn.execute(
            text(
                "SELECT ST_AsBinary(ST_Project(ST_GeomFromWKB(:w, 4326)::geography, :m, radians(90))"
                "::geometry)"
            ),
            {"w": wkb, "m": metres},
        ).scalar_one()
    iid = conn.execute(
        text(
            """
            INSERT INTO initiative (code, name, kind, strategy_id, scope, geom, archived_at)
            VALUES (:c, :n, 'proyecto', :s, 'localizada', ST_GeomFromWKB(:g, 4326),
                    CASE WHEN :a THEN now() END)
            RETURNING id
            """
        ),
        {"c": code, "n": f"Proyecto {code}", "s": strategy_id(conn, strategy_code), "g": geom, "a": archived},
    ).scalar_one()
    for t in territories:
        conn.execute(
            text(
                "INSERT INTO initiative_territory (initiative_id, territory_id, link_method) "
                "VALUES (:i, :t, 'manual')"
            ),
            {"i": iid, "t": territory_id(conn, t)},
        )
    return iid


@pytest.fixture
def clean(conn):
    conn.execute(text("UPDATE initiative SET archived_at = now() WHERE archived_at IS NULL"))
    return conn


def workshop(conn: Connection, *codes: str) -> int:
    return create_workshop(
        conn,
        FEDE,
        WorkshopValues("05-12-2026", "Sede social", [territory_id(conn, c) for c in codes or ("05",)]),
    )


def need(
    conn: Connection, wid: int, strategy_code: str | None, wkb: bytes, kind: str = "problema", votes: int = 1
) -> int:
    sid = None if strategy_code is None else strategy_id(conn, strategy_code)
    (nid,) = record_needs(conn, FEDE, wid, [NeedDraft(kind, sid, f"necesidad {kind}", votes, wkb)])
    return nid


def test_initiatives_of_the_same_strategy_here_nearby_or_next_door_are_proposed_with_reasons(clean):
    conn = clean
    here = point_in(conn, "05")
    wid = workshop(conn)
    nid = need(conn, wid, "E1", here)
    same = initiative(conn, "T-SAME", "E1", ("05",))
    drawn = initiative(conn, "T-300M", "E1", east_of=(here, 300))
    beside = initiative(conn, "T-NEXT", "E1", ("06",))
    initiative(conn, "T-OTHER-STRATEGY", "E2", ("05",))
    initiative(conn, "T-FAR", "E1", ("11",))
    initiative(conn, "T-ARCHIVED", "E1", ("05",), archived=True)
    initiative(conn, "T-3KM", "E1", east_of=(here, 3000))

    found = suggest_initiatives(conn, nid)

    assert [s.initiative_id for s in found] == [same, drawn, beside]
    by_code = {s.code: s for s in found}
    assert by_code["T-SAME"].reasons == [
        "misma estrategia (E1 · Desarrollo Territorial)",
        "en el mismo territorio que la necesidad (UV 05 · Carrera)",
    ]
    assert by_code["T-300M"].reasons[-1] == "a 300 m de la necesidad"
    assert by_code["T-NEXT"].reasons[-1] == "en un territorio vecino (UV 06 · Baquedano)"
    assert by_code["T-NEXT"].neighbour_territory and not by_code["T-NEXT"].same_territory


def test_a_need_of_strategy_otra_gets_any_strategy_in_its_own_territory_only(clean):
    conn = clean
    wid = workshop(conn)
    nid = need(conn, wid, None, point_in(conn, "05"))
    other = initiative(conn, "T-E2-HERE", "E2", ("05",))
    initiative(conn, "T-E1-NEXT", "E1", ("06",))
    assert [s.initiative_id for s in suggest_initiatives(conn, nid)] == [other]


def test_a_confirmed_link_is_listed_first_whatever_its_strategy_and_place(clean):
    conn = clean
    wid = workshop(conn)
    nid = need(conn, wid, "E1", point_in(conn, "05"))
    initiative(conn, "T-SAME", "E1", ("05",))
    far = initiative(conn, "T-FAR-E9", "E9", ("11",))
    set_need_links(conn, FEDE, nid, [far])
    first = suggest_initiatives(conn, nid)[0]
    assert (first.initiative_id, first.linked, first.reasons) == (far, True, ["ya confirmada como respuesta"])


def test_a_need_outside_every_territory_looks_in_the_workshop_s_territories(clean):
    conn = clean
    # Just outside the commune's limit (the store accepts 2 km around it), where no UV lies.
    outside = conn.execute(
        text(
            """
            SELECT ST_AsBinary(ST_PointOnSurface(ST_Difference(
                       ST_Buffer(c.geom::geography, 800)::geometry,
                       ST_Buffer(c.geom::geography, 200)::geometry)))
              FROM boundary c WHERE c.kind = 'limite_comunal'
            """
        )
    ).scalar_one()
    wid = workshop(conn, "15")
    nid = need(conn, wid, "E1", bytes(outside))
    in_15 = initiative(conn, "T-UV15", "E1", ("15",))
    initiative(conn, "T-UV05", "E1", ("05",))
    assert [s.initiative_id for s in suggest_initiatives(conn, nid)] == [in_15]


def test_the_summary_counts_needs_by_territory_strategy_and_kind_and_lists_the_unanswered(clean):
    conn = clean
    wid = workshop(conn, "05")
    here = point_in(conn, "05")
    answered = need(conn, wid, "E1", here, votes=5)
    need(conn, wid, "E1", here, votes=2)
    need(conn, wid, None, here, kind="propuesta", votes=7)
    kept = need(conn, wid, "E4", here, kind="valor", votes=1)
    dupe = need(conn, wid, "E4", here, kind="valor", votes=1)
    merge_needs(conn, FEDE, kept, dupe, 1, 1)  # the merged one is not counted again
    record_needs(
        conn,
        FEDE,
        wid,
        [
            NeedDraft(
                "problema", None, "pendiente del teléfono", 0, here, origin="telefono", state="pendiente"
            )
        ],
    )
    other = create_workshop(
        conn, FEDE, WorkshopValues("06-12-2026", "Escuela", [territory_id(conn, "DOMEYKO", "localidad")])
    )
    need(conn, other, "E2", point_in(conn, "DOMEYKO", "localidad"))
    set_need_links(conn, FEDE, answered, [initiative(conn, "T-SAME", "E1", ("05",))])

    summary = territory_needs_summary(conn)

    # Domeyko lies inside rural UV 15: its needs count in the locality, as people name it.
    assert [t.label for t in summary] == ["UV 05 · Carrera", "Domeyko"]
    uv05 = summary[0]
    assert (uv05.total, uv05.answered, uv05.unanswered_count) == (4, 1, 3)
    groups = {g.strategy_code: (g.by_kind, g.total, g.answered) for g in uv05.strategies}
    assert groups == {
        "E1": ({"problema": 2}, 2, 1),
        "E4": ({"valor": 1}, 1, 0),
        None: ({"propuesta": 1}, 1, 0),
    }
    assert [n["votes"] for n in uv05.unanswered] == [2, 2, 7]  # the kept E4 need has the merged one's vote
    assert uv05.unanswered[2]["strategy"] == "Otra (fuera de las líneas del plan)"
    assert [t.label for t in territory_needs_summary(conn, [territory_id(conn, "DOMEYKO", "localidad")])] == [
        "Domeyko"
    ]
    assert territory_needs_summary(conn, [territory_id(conn, "11")]) == []
