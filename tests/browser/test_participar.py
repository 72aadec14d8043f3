"""Residents' phone participation in real headless chromium at a phone's size (390x844).

A workshop of UV 05 with participation open; a phone opens the QR's address
(``/participar?codigo=...``) as its first request, with nobody logged in and no public
access: no sidebar, the workshop named, a tap on the small map, a kind, a hostile text,
«Enviar necesidad». The need is then pending in the facilitator's queue, stored as typed and
shown inert; nothing left localhost.
"""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pypdf
import pytest
import zxingcpp
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import text

from geo.store.participation import open_participation, pending_needs
from geo.store.workshops import WorkshopValues, create_workshop
from tests.support.actors import TESTER
from tests.support.browser import app_idle, chromium_page, log_in, map_frame, served_app

pytestmark = pytest.mark.browser

#: An uploader's button and line: [text, its font size, what comes after it (CSS ::after)].
UPLOADER_TEXTS = """e => [
    e.querySelector('[data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer] p'),
    e.querySelector('[data-testid=stFileUploaderDropzoneInstructions] span'),
].map(x => [x.textContent, getComputedStyle(x).fontSize, getComputedStyle(x, '::after').content])"""

HOSTILE = "<img src=x onerror=alert(1)> La plaza sin luz {{ 7*7 }}"
SECOND = "**Luminaria** [aquí](http://ejemplo.invalid) rota"


@pytest.fixture(scope="module")
def server():
    with served_app("participar") as (base, engine):
        with engine.begin() as conn:
            tid = conn.execute(
                text("SELECT id FROM territory WHERE kind = 'unidad_vecinal' AND code = '05'")
            ).scalar_one()
            wid = create_workshop(
                conn,
                TESTER,
                WorkshopValues(held_on="05-12-2026", place="Sede social Carrera", territory_ids=[tid]),
            )
            code = open_participation(conn, TESTER, wid)
        yield base, engine, wid, code


def test_a_phone_sends_a_need_that_lands_pending_and_nothing_leaves_localhost(server, browser):
    base, engine, wid, code = server
    with chromium_page(browser, width=390, height=844) as pg:
        dialogs: list[str] = []
        pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        pg.goto(f"{base}/participar?codigo={code}")
        pg.get_by_role("heading", name="Participe en el taller", exact=True).wait_for(timeout=90_000)
        app_idle(pg)
        assert pg.get_by_text(f"Taller {wid}").first.is_visible()
        assert pg.get_by_text("UV 05 · Carrera", exact=False).first.is_visible()
        map_frame(pg).locator(".leaflet-overlay-pane path").first.wait_for(timeout=60_000)
        pg.screenshot(path="/tmp/sit-participar-top.png")
        sidebar = pg.locator('section[data-testid="stSidebar"]')
        assert sidebar.count() == 0 or not sidebar.first.is_visible()
        # 1. where: a tap on the middle of the small map (framed on UV 05)
        map_frame(pg).locator(".leaflet-container").click()
        app_idle(pg)
        map_frame(pg).locator("path.sit-punto-elegido").wait_for(timeout=60_000)
        # 2. what: kind, text; «Enviar necesidad» is a large touch target
        pg.get_by_text("Propuesta", exact=True).click()
        app_idle(pg)
        pg.get_by_label("Escriba la necesidad").fill(HOSTILE)
        button = pg.get_by_role("button", name="Enviar necesidad")
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 300
        pg.keyboard.press("Tab")  # the text area commits its value
        app_idle(pg)
        button.click()
        pg.get_by_text("¡Gracias! Su necesidad llegó al equipo del taller").wait_for(timeout=60_000)
        pg.screenshot(path="/tmp/sit-participar-phone.png", full_page=True)
        assert not dialogs  # the text never ran
        outside = [
            u
            for u in pg.requests
            if not u.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:"))
        ]
        assert outside == []
    with engine.connect() as conn:
        queue = pending_needs(conn, wid)
        assert [(q["kind"], q["text"]) for q in queue] == [("propuesta", HOSTILE)]
        row = conn.execute(
            text(
                "SELECT n.state, n.origin, ST_Within(n.geom, t.geom) AS inside FROM need n, territory t "
                "WHERE n.id = :n AND t.kind = 'unidad_vecinal' AND t.code = '05'"
            ),
            {"n": queue[0]["id"]},
        ).one()
        assert (row.state, row.origin, row.inside) == ("pendiente", "telefono", True)


def test_a_wrong_code_is_refused_in_spanish(server, browser):
    base, *_ = server
    with chromium_page(browser, width=390, height=844) as pg:
        pg.goto(f"{base}/participar?codigo=ZZZZZZ")
        pg.get_by_text(
            "Ese código no corresponde a un taller que esté recibiendo necesidades ahora"
        ).wait_for(timeout=90_000)


def test_the_facilitators_qr_leads_phones_to_the_page_and_the_queue_accepts_what_they_send(server, browser):
    """The projector's QR (Talleres page) decodes to the phone page; a phone that follows it
    sends a need; the facilitator sees it pending, inert, and accepts it."""
    base, engine, wid, code = server
    with chromium_page(browser, width=1280, height=900) as fac:
        log_in(fac, base, role="facilitador", path="/talleres")
        qr = fac.locator(".sit-participacion-qr img").first
        qr.wait_for(timeout=60_000)
        app_idle(fac)
        qr.scroll_into_view_if_needed()
        assert fac.locator(".sit-codigo").first.inner_text().strip() == code
        fac.locator(".sit-participacion-qr").first.screenshot(path="/tmp/sit-participacion-qr.png")
        (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
        target = urlsplit(decoded.text)
        assert (target.path, target.query) == ("/participar", f"codigo={code}")
        assert f"{target.scheme}://{target.netloc}" == base  # no --lan here: the address this browser uses
        with chromium_page(browser, width=390, height=844) as phone:
            phone.goto(decoded.text)
            phone.get_by_role("heading", name="Participe en el taller", exact=True).wait_for(timeout=90_000)
            app_idle(phone)
            phone.get_by_label("Escriba la necesidad").fill(SECOND)
            phone.keyboard.press("Tab")
            app_idle(phone)
            phone.get_by_role("button", name="Enviar necesidad").click()
            phone.get_by_text("Falta el lugar").wait_for(timeout=30_000)  # no place yet: refused, kept
            places = phone.get_by_test_id("stSelectbox").filter(
                has=phone.get_by_text("Lugar por nombre", exact=True)
            )
            places.click()
            phone.get_by_role("option", name="UV 05 · Carrera (en general)", exact=True).click()
            app_idle(phone)
            phone.get_by_role("button", name="Enviar necesidad").click()
            phone.get_by_text("¡Gracias! Su necesidad llegó al equipo del taller").wait_for(timeout=60_000)
        fac.reload()
        log_in(fac, base, role="facilitador", path="/talleres")
        with engine.connect() as conn:
            need_id = conn.execute(
                text("SELECT id FROM need WHERE workshop_id = :w AND text = :t"), {"w": wid, "t": SECOND}
            ).scalar_one()
        # the Markdown shown as typed (no bold, no link; a word joiner keeps the address from linking)
        shown = fac.get_by_test_id("stMarkdownContainer").filter(has_text="**Luminaria** [aquí](http:")
        shown.wait_for(timeout=60_000)
        assert fac.get_by_role("link", name="aquí").count() == 0
        fac.screenshot(path="/tmp/sit-talleres-participacion.png")
        fac.locator(f".st-key-part_ok_{need_id} button").click()
        app_idle(fac)
    with engine.connect() as conn:
        state = conn.execute(
            text("SELECT state, origin FROM need WHERE workshop_id = :w AND text = :t"),
            {"w": wid, "t": SECOND},
        ).one()
    assert tuple(state) == ("aceptada", "telefono")


def test_the_kit_and_the_capture_sheet_round_trip_on_the_talleres_page(server, browser, tmp_path):
    """Download the kit and the capture template, fill the template, upload it: preview, then needs."""
    base, engine, wid, _ = server
    with chromium_page(browser, width=1280, height=900) as fac:
        log_in(fac, base, role="facilitador", path="/talleres")
        fac.get_by_text("Kit en papel y planilla de captura").click()
        app_idle(fac)
        fac.get_by_role("button", name="Kit en papel (PDF)").wait_for(timeout=60_000)
        app_idle(fac)
        with fac.expect_download(timeout=90_000) as kit:
            fac.get_by_role("button", name="Kit en papel (PDF)").click()
        pdf = pypdf.PdfReader(kit.value.path())
        assert len(pdf.pages) == 2 and "UV 05 · Carrera" in pdf.pages[0].extract_text()
        app_idle(fac)
        with fac.expect_download(timeout=90_000) as tpl:
            fac.get_by_role("button", name="Plantilla de captura (.xlsx)").click()
        assert tpl.value.suggested_filename == f"captura_taller_{wid}_uv_05_carrera.xlsx"
        template = tmp_path / tpl.value.suggested_filename
        tpl.value.save_as(template)
        wb = load_workbook(template)
        for c, v in enumerate(
            ("C4", "Problema", "E1 · Desarrollo Territorial", "Basural en la esquina", 6), 1
        ):
            wb["Captura"].cell(row=2, column=c, value=v)
        filled = tmp_path / "captura_uv05.xlsx"
        wb.save(filled)
        uploader = fac.get_by_test_id("stFileUploader").filter(has_text="Planilla de captura llenada")
        # What chromium shows: Streamlit's own English («Upload», «50MB per file • XLSX») hidden,
        # the Spanish of ui/uploads.py in its place.
        assert uploader.evaluate(UPLOADER_TEXTS) == [
            ["Upload", "0px", '"Elegir archivo"'],
            ["50MB per file • XLSX", "0px", '"Máximo 50 MB · .xlsx"'],
        ]
        uploader.screenshot(path="/tmp/sit-uploader.png")
        uploader.locator('input[type="file"]').set_input_files(str(filled))
        fac.get_by_text("captura_uv05.xlsx · UV 05 · Carrera").wait_for(timeout=60_000)
        app_idle(fac)
        fac.get_by_role("button", name="Registrar 1 necesidad", exact=True).click()
        fac.get_by_text("Registrada 1 necesidad desde captura_uv05.xlsx").wait_for(timeout=60_000)
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT origin, state, GeometryType(geom) FROM need WHERE workshop_id = :w AND text = :t"),
            {"w": wid, "t": "Basural en la esquina"},
        ).one()
    assert tuple(row) == ("planilla", "aceptada", "POLYGON")
