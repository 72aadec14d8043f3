"""The acta of a workshop: attendance (unknown stays unknown), needs by kind and strategy on
the map, needs versus the plan, the closing report; read back from the PDF's text."""

import io
from datetime import UTC, datetime

import pypdf
import pypdfium2
import pytest
from sqlalchemy import text

from geo.errors import DataError
from geo.reports.acta import acta_pdf
from geo.store.workshops import (
    NeedDraft,
    WorkshopValues,
    close_workshop,
    create_workshop,
    record_needs,
    set_need_links,
)
from tests.support.actors import TESTER


def page_text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def point_in_uv05(conn) -> bytes:
    return bytes(
        conn.execute(
            text(
                "SELECT ST_AsBinary(ST_PointOnSurface(geom)) FROM territory "
                "WHERE kind = 'unidad_vecinal' AND code = '05'"
            )
        ).scalar_one()
    )


@pytest.fixture
def workshop(conn):
    tid = conn.execute(
        text("SELECT id FROM territory WHERE kind = 'unidad_vecinal' AND code = '05'")
    ).scalar_one()
    wid = create_workshop(
        conn,
        TESTER,
        WorkshopValues(
            held_on="05-12-2026",
            place="Sede social Carrera",
            territory_ids=[tid],
            facilitator_name="Federica Facilitadora",
            attendance_total=23,
            attendance={"mujeres": 14, "hombres": 9, "60+": 6},
            organisations='Junta de vecinos Carrera\nClub adulto mayor #panic("x")',
        ),
    )
    e1, e4 = (
        conn.execute(text("SELECT id FROM strategy WHERE code = :c"), {"c": c}).scalar_one()
        for c in ("E1", "E4")
    )
    p = point_in_uv05(conn)
    ids = record_needs(
        conn,
        TESTER,
        wid,
        [
            NeedDraft("problema", e1, "Veredas rotas en calle Carrera", 7, p),
            NeedDraft("propuesta", e4, "Posta con horario vespertino", 3, p),
            NeedDraft("valor", None, "La plaza <b>{{ 7*7 }}</b>", 0, p),
            NeedDraft("problema", e1, "Enviada por teléfono", 0, p, origin="telefono", state="pendiente"),
        ],
    )
    initiative = conn.execute(text("SELECT id, code FROM initiative WHERE code = 'E1.P1.G1.01'")).one()
    set_need_links(conn, TESTER, ids[0], [initiative.id])
    return wid, ids, initiative.code


def test_the_acta_says_attendance_needs_by_kind_and_strategy_and_what_the_plan_answers(conn, workshop):
    wid, ids, code = workshop
    close_workshop(conn, TESTER, wid, closing_report="Se priorizaron veredas y salud.")
    pdf = acta_pdf(conn, wid, now=datetime(2026, 12, 5, 20, tzinfo=UTC))
    t = page_text(pdf)
    assert f"Acta del taller {wid}" in t and "05-12-2026 · Sede social Carrera" in t
    assert "UV 05 · Carrera" in t and "Federica Facilitadora" in t and "Cerrado" in t
    assert "Total: 23" in t and "Mujeres: 14" in t and "Hombres: 9" in t
    assert "Otro / no declara: sin información" in t and "0 a 17 años: sin información" in t  # never 0
    assert "Junta de vecinos Carrera" in t and 'Club adulto mayor #panic("x")' in t
    # by kind and strategy: E1 one problem, E4 one proposal, «otra» one value; 3 accepted
    assert "E1 · Desarrollo Territorial 1 0 0 1" in t
    assert "E4 · Mejoramiento de la Calidad y Acceso a la Salud 0 1 0 1" in t
    assert "Otra (fuera de las líneas del plan) 0 0 1 1" in t and "Total 1 1 1 3" in t
    assert "1 necesidad(es) enviadas por teléfono siguen pendientes" in t
    assert "Enviada por teléfono" not in t  # pending: not counted, not listed
    assert (
        "Respondidas por una iniciativa del PLADECO (vínculo confirmado): 1 · sin respuesta del plan: 2" in t
    )
    assert code in t and "sin respuesta del plan" in t
    assert "La plaza <b>{{ 7*7 }}</b>" in t  # printed as typed
    assert "Se priorizaron veredas y salud." in t
    assert "Mapa de las necesidades · UV 05 · Carrera" in t and "Necesidad: problema" in t


def test_an_open_workshop_without_attendance_prints_sin_informacion_and_its_pages_render(conn, workshop):
    wid, *_ = workshop
    bare = create_workshop(
        conn,
        TESTER,
        WorkshopValues(
            held_on="06-12-2026",
            place="Escuela",
            territory_ids=[
                conn.execute(
                    text("SELECT id FROM territory WHERE kind = 'localidad' AND name = 'Domeyko'")
                ).scalar_one()
            ],
        ),
    )
    t = page_text(acta_pdf(conn, bare))
    assert "Total: sin información" in t and "No hay necesidades aceptadas." in t
    assert "Sin informe de cierre" in t and "$ 0" not in t
    pdf = acta_pdf(conn, wid)
    doc = pypdfium2.PdfDocument(pdf)
    try:
        for i, page in enumerate(doc):
            page.render(scale=100 / 72).to_pil().save(f"/tmp/sit-acta-{i}.png")
        assert len(doc) >= 1
    finally:
        doc.close()
    with pytest.raises(DataError, match="No existe el taller 999999"):
        acta_pdf(conn, 999_999)
