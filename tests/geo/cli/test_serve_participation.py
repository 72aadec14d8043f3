"""``sit serve --lan`` prints the phone participation address of each workshop open to it."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from geo.cli.admin import lan_addresses
from geo.store.participation import open_participation
from geo.store.workshops import WorkshopValues, create_workshop
from tests.conftest import free_port, set_up_database
from tests.support.actors import TESTER


def test_sit_serve_lan_prints_the_participation_address_with_the_open_code():
    found = lan_addresses()
    if not found:
        pytest.skip("this machine has no network address besides the loopback")
    url = set_up_database("serve_participation")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            tid = conn.execute(
                text("SELECT id FROM territory WHERE kind = 'unidad_vecinal' AND code = '05'")
            ).scalar_one()
            wid = create_workshop(conn, TESTER, WorkshopValues("05-12-2026", "Sede", [tid]))
            code = open_participation(conn, TESTER, wid)
    finally:
        engine.dispose()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env["DATABASE_URL"] = url
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "sit"), "serve", "--lan", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        expected = (
            f"Participación por teléfono, taller {wid}: http://{found[0]}:{port}/participar?codigo={code}"
        )
        deadline = time.time() + 60
        while time.time() < deadline and expected not in "".join(lines):
            time.sleep(0.2)
        assert expected in "".join(lines), "".join(lines)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        reader.join(timeout=5)
