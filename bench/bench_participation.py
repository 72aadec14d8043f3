"""Load test of phone participation (figures only, no asserts): N residents submitting at once.

A dedicated database (``sit setup``; ``--skip-setup`` reuses it), a workshop of UV 05 with
participation open, then ``--participants`` threads (default 30: a full neighbourhood hall)
released together by a barrier, each with its own connection and device, each sending one
need through :func:`geo.store.participation.submit_need`, the function the phone page calls
(Streamlit runs each phone's session as a thread of one process, as here). Repeated
``--rounds`` times; then one device sends seven needs in a row (the limit is five in ten
minutes). Everything runs on loopback against the local PostgreSQL.

Usage::

    .venv/bin/python bench/bench_participation.py [--participants 30] [--rounds 3] [--skip-setup]
        [--db-url URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
SIT = str(ROOT / ".venv" / "bin" / "sit")
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/sit_pladeco_bench_participation"


def setup(url: str) -> None:
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    env = {**os.environ, "DATABASE_URL": url, "SIT_ADMIN_DATABASE_URL": url}
    subprocess.run([SIT, "setup"], env=env, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-setup", action="store_true")
    parser.add_argument("--db-url", default=DEFAULT_URL)
    args = parser.parse_args()

    from geo.store.actor import Actor
    from geo.store.participation import open_participation, participant, submit_need
    from geo.store.workshops import WorkshopValues, create_workshop

    if not args.skip_setup:
        started = time.perf_counter()
        setup(args.db_url)
        print(f"setup: {time.perf_counter() - started:.1f} s")
    engine = create_engine(args.db_url, pool_size=args.participants + 2, max_overflow=0)
    facilitator = Actor("Facilitadora de prueba", "bench", role="facilitador")
    with engine.begin() as conn:
        tid, point = conn.execute(
            text(
                "SELECT id, ST_AsBinary(ST_PointOnSurface(geom)) FROM territory "
                "WHERE kind = 'unidad_vecinal' AND code = '05'"
            )
        ).one()
        wid = create_workshop(
            conn, facilitator, WorkshopValues(held_on="05-12-2026", place="Sede (bench)", territory_ids=[tid])
        )
        code = open_participation(conn, facilitator, wid)
    point = bytes(point)
    print(f"workshop {wid}, code {code}, {args.participants} participants x {args.rounds} rounds")
    for rnd in range(1, args.rounds + 1):
        barrier = threading.Barrier(args.participants)
        took: list[float] = []
        errors: list[str] = []
        ids: list[int] = []

        def resident(
            i: int,
            rnd: int = rnd,
            barrier: threading.Barrier = barrier,
            took: list[float] = took,
            errors: list[str] = errors,
            ids: list[int] = ids,
        ) -> None:
            barrier.wait()
            t0 = time.perf_counter()
            try:
                ids.append(
                    submit_need(
                        engine,
                        participant(code),
                        code,
                        f"r{rnd}-phone-{i}",
                        "problema",
                        None,
                        f"r{rnd} n{i}",
                        point,
                    )
                )
            except Exception as exc:  # noqa: BLE001 - counted and printed
                errors.append(repr(exc))
            took.append(time.perf_counter() - t0)

        threads = [threading.Thread(target=resident, args=(i,)) for i in range(args.participants)]
        t0 = time.perf_counter()  # the first round also opens the pool's connections
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        with engine.connect() as conn:
            stored = conn.execute(
                text("SELECT count(*) FROM need WHERE workshop_id = :w AND text LIKE :p"),
                {"w": wid, "p": f"r{rnd} n%"},
            ).scalar_one()
        took.sort()
        print(
            f"round {rnd}: {len(ids)} sent, {stored} stored, {len(errors)} errors; wall {wall:.2f} s "
            f"({args.participants / wall:.1f} needs/s); per submission median "
            f"{statistics.median(took) * 1000:.0f} ms, p90 {took[int(len(took) * 0.9) - 1] * 1000:.0f} ms, "
            f"max {took[-1] * 1000:.0f} ms"
        )
        for e in errors[:3]:
            print("  error:", e)
    refused = 0
    for i in range(7):
        try:
            submit_need(
                engine, participant(code), code, "one-phone", "propuesta", None, f"insistente {i}", point
            )
        except Exception:  # noqa: BLE001 - the rate limit's refusal is what is counted
            refused += 1
    print(f"one device, 7 in a row: {7 - refused} stored, {refused} refused (limit 5 per 10 minutes)")
    engine.dispose()


if __name__ == "__main__":
    main()
