"""The app's engine outlives a real PostgreSQL restart, on a throwaway cluster.

initdb + pg_ctl on a free port under a temporary directory (a few seconds); skipped, with
the reason, when the PostgreSQL server binaries are not installed.
"""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from geo.db import get_engine
from tests.conftest import free_port

BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))


def _as_owner(cmd: list[str], owner: str | None) -> list[str]:
    # initdb and postgres refuse to run as root: run them as the postgres system user.
    return ["runuser", "-u", owner, "--", *cmd] if owner else cmd


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[str, list[str]]]:
    """A stopped-and-startable cluster: yield (URL, pg_ctl command); removed afterwards."""
    if not BINARIES:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (initdb, pg_ctl)")
    bin_dir = BINARIES[-1].parent
    owner = "postgres" if os.geteuid() == 0 else None
    if owner and not shutil.which("runuser"):
        pytest.skip("running as root without runuser: initdb cannot run as root")
    root = Path(tempfile.mkdtemp(prefix="sit-restart-"))
    data = root / "data"
    if owner:
        shutil.chown(root, user=owner)
    port = free_port()
    subprocess.run(
        _as_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"], owner),
        check=True,
        capture_output=True,
        timeout=60,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    log = str(root / "log")
    pg_ctl = _as_owner(
        [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", log, "-o", options, "-w", "-t", "20"], owner
    )
    run(pg_ctl, "start")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", pg_ctl
    finally:
        subprocess.run(
            [*pg_ctl, "-m", "immediate", "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        shutil.rmtree(root, ignore_errors=True)


def run(pg_ctl: list[str], *args: str) -> None:
    # No pipes: the server pg_ctl starts would inherit them and the call would never end.
    subprocess.run(
        [*pg_ctl, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30
    )


def start_time(engine: Engine) -> datetime:
    with engine.connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "4s"
        return conn.execute(text("SELECT pg_postmaster_start_time()")).scalar()


def test_the_engine_answers_again_after_postgresql_restarts(cluster):
    url, pg_ctl = cluster
    engine = get_engine(url, statement_timeout_ms=4000)
    first = start_time(engine)  # leaves a connection in the pool
    run(pg_ctl, "-m", "fast", "restart")
    # That pooled connection died with the old server: the very next query gets a new one.
    second = start_time(engine)
    assert second > first

    run(pg_ctl, "-m", "fast", "stop")
    with pytest.raises(OperationalError):  # what app.py turns into the Spanish message
        start_time(engine)
    run(pg_ctl, "start")
    assert start_time(engine) > second
    engine.dispose()
