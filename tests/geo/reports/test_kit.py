"""The workshop's paper kit (issue 12): A3 map with grid and QR, A4 capture sheet.

Read back as a person would: page sizes, the text (pypdf), and page 1 rendered to an image
(pypdfium2) whose QR code is decoded (zxing-cpp) to the workshop and sheet.
"""

import io
import re
from datetime import UTC, datetime

import pypdf
import pypdfium2
import pytest
import zxingcpp
from sqlalchemy import text

from geo.errors import DataError
from geo.reports.kit import kit_data, kit_pdf, qr_payload
from geo.store.initiatives import InitiativeChange, save_initiatives
from geo.store.workshops import WorkshopValues, create_workshop
from tests.support.actors import TESTER

MM = 72 / 25.4
#: The plan's initiatives linked to UV 05, in the kit's order (by code).
UV05_INITIATIVES = text(
    """
    SELECT i.code, i.id, i.version FROM initiative i
      JOIN initiative_territory it ON it.initiative_id = i.id JOIN territory t ON t.id = it.territory_id
     WHERE t.kind = 'unidad_vecinal' AND t.code = '05' AND NOT i.is_demo AND i.archived_at IS NULL
     ORDER BY i.code
    """
)


def workshop(conn, code="05") -> int:
    tid = conn.execute(
        text("SELECT id FROM territory WHERE kind = 'unidad_vecinal' AND code = :c"), {"c": code}
    ).scalar_one()
    return create_workshop(
        conn,
        TESTER,
        WorkshopValues(held_on="05-12-2026", place="Sede social {{ 7*7 }} #panic", territory_ids=[tid]),
    )


def pages(pdf: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_the_kit_is_an_a3_landscape_map_and_an_a4_capture_sheet(conn):
    wid = workshop(conn)
    pdf = kit_pdf(conn, wid, "UV 05")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    sizes = [
        (round(float(p.mediabox.width) / MM), round(float(p.mediabox.height) / MM)) for p in reader.pages
    ]
    assert sizes == [(420, 297), (210, 297)]
    map_page, sheet = pages(pdf)
    assert "UV 05 · Carrera" in map_page and f"Taller {wid} · 05-12-2026" in map_page
    assert "Sede social {{ 7*7 }} #panic" in map_page  # typed text printed as written
    m = re.search(r"Cuadrícula de (\d+) m de lado: columnas A a ([A-L]), filas 1 a (\d+)", map_page)
    assert m, map_page[:400]
    assert int(m.group(1)) % 50 == 0
    last = m.group(2)
    assert f" {last} {last} " in map_page  # the last column's letter, above and below the map
    # every initiative of UV 05 listed with its number and code
    codes = conn.execute(UV05_INITIATIVES).scalars().all()
    assert len(codes) >= 10
    for n, code in enumerate(codes, start=1):
        assert f"{n} {code}" in map_page, code
    assert "Hoja de captura" in sheet and "Celda Tipo Estrategia Texto" in sheet and "Votos" in sheet
    assert "E1 Desarrollo Territorial" in sheet and "E9 Fortalecimiento" in sheet and "Otra" in sheet


def test_the_qr_code_outside_the_map_decodes_to_the_workshop_and_its_sheet(conn):
    wid = workshop(conn)
    pdf = kit_pdf(conn, wid, "UV 05")
    doc = pypdfium2.PdfDocument(pdf)
    try:
        image = doc[0].render(scale=150 / 72).to_pil()  # 150 dpi, as a printed page photographed
    finally:
        doc.close()
    found = zxingcpp.read_barcodes(image)
    assert [b.text for b in found] == [f"SIT-PLADECO taller {wid} hoja UV 05"] == [qr_payload(wid, "UV 05")]
    (qr,) = found
    # outside the map: the QR lies in the right-hand column, past the map's frame (about 300 mm wide)
    assert min(p.x for p in (qr.position.top_left, qr.position.bottom_left)) > image.width * 0.72


def test_a_located_initiative_is_drawn_with_its_number_and_a_locality_gets_its_kit(conn):
    wid = workshop(conn)
    first = conn.execute(UV05_INITIATIVES).first()
    assert first is not None
    point = conn.execute(
        text(
            "SELECT ST_AsBinary(ST_PointOnSurface(geom)) FROM territory "
            "WHERE kind = 'unidad_vecinal' AND code = '05'"
        )
    ).scalar_one()
    save_initiatives(
        conn,
        TESTER,
        [
            InitiativeChange(
                id=first.id, expected_version=first.version, geometry=bytes(point), set_geometry=True
            )
        ],
    )
    data = kit_data(conn, wid, "UV 05", now=datetime(2026, 12, 1, tzinfo=UTC))
    assert data["initiatives"][0]["located"] and data["initiatives"][0]["code"] == first.code
    assert ">1</text>" in data["map"]  # the number 1 printed on the map at its place
    assert "sin ubicación en el mapa" not in pages(kit_pdf(conn, wid, "UV 05"))[0].split(first.code)[1][:80]
    domeyko = pages(kit_pdf(conn, wid, "Domeyko"))[0]
    assert "Domeyko" in domeyko and "Hoja Domeyko" in domeyko


def test_an_unknown_workshop_or_territory_is_refused_in_spanish(conn):
    wid = workshop(conn)
    with pytest.raises(DataError, match="No existe el taller 999999"):
        kit_pdf(conn, 999_999, "UV 05")
    with pytest.raises(DataError, match="No se encontró el territorio «UV 99»"):
        kit_pdf(conn, wid, "UV 99")
