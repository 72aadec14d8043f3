"""``sit serve`` as a person runs it: this machine only by default, the local network with --lan.

Each test starts the real server (a separate process, as ``tests/support/browser.py`` does)
on a free port and connects to it through the loopback and through this machine's network
address; the health endpoint does not need the database.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from geo.cli.admin import LAN_WARNING, lan_addresses
from geo.store.participation import open_participation
from geo.store.workshops import WorkshopValues, create_workshop
from tests.conftest import database_url_for_tests, free_port, set_up_database
from tests.support.actors import TESTER

XSRF_COOKIE = "_streamlit_xsrf"


@pytest.fixture(scope="module")
def lan_ip() -> str:
    found = lan_addresses()
    if not found:
        pytest.skip("this machine has no network address besides the loopback")
    return found[0]


@contextmanager
def serving(*args: str, url: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """Run ``sit serve --port P *args`` (on the database at ``url``, by default the session's)
    until its health answers on 127.0.0.1; yield (P, output lines)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env["DATABASE_URL"] = url or database_url_for_tests()
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "sit"), "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        for _ in range(120):
            if health(f"http://127.0.0.1:{port}") is not None:
                break
            time.sleep(0.5)
        else:
            pytest.fail("sit serve did not start:\n" + "".join(lines))
        yield port, lines
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        reader.join(timeout=5)


def health(base: str) -> str | None:
    """The Set-Cookie header of the health endpoint ("" if none), or None if it does not answer."""
    try:
        with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as response:
            assert response.read() == b"ok"
            return response.headers.get("Set-Cookie") or ""
    except OSError:
        return None


def refused(ip: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        try:
            s.connect((ip, port))
        except ConnectionRefusedError:
            return True
        return False


def test_sit_serve_listens_on_this_machine_only(lan_ip):
    with serving() as (port, lines):
        assert health(f"http://127.0.0.1:{port}") is not None
        assert refused(lan_ip, port)  # from the network: nothing listens
        assert f"http://127.0.0.1:{port}" in "".join(lines)
        assert LAN_WARNING not in "".join(lines)


def test_sit_serve_lan_prints_the_address_and_warning_and_keeps_xsrf(lan_ip):
    with serving("--lan") as (port, lines):
        cookie = health(f"http://{lan_ip}:{port}")
        assert cookie is not None, "not reachable from the local network"
        assert XSRF_COOKIE in cookie  # Streamlit's XSRF protection is on
        output = "".join(lines)
        assert f"http://{lan_ip}:{port}" in output
        assert "cualquier persona conectada a esta red puede abrirla" in output
        assert "cierre la aplicación" in output
        # Streamlit's own banner names the LAN address it was given: it does not ask an
        # outside service for the public IP (a workshop hall has no internet).
        deadline = time.time() + 10
        while time.time() < deadline and "URL:" not in "".join(lines):
            time.sleep(0.2)
        banner = "".join(lines)
        assert f"URL: http://{lan_ip}:{port}" in banner
        assert "External" not in banner and "external IP" not in banner
        # An upload without the XSRF token is refused, whoever sends it.
        put = urllib.request.Request(
            f"http://{lan_ip}:{port}/_stcore/upload_file/s/f", data=b"x", method="PUT"
        )
        with pytest.raises(urllib.error.HTTPError) as refused_upload:
            urllib.request.urlopen(put, timeout=5)
        assert refused_upload.value.code == 403


def test_sit_serve_lan_prints_the_participation_address_with_the_open_code(lan_ip):
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
    with serving("--lan", url=url) as (port, lines):
        expected = (
            f"Participación por teléfono, taller {wid}: http://{lan_ip}:{port}/participar?codigo={code}"
        )
        assert expected in "".join(lines), "".join(lines)
