"""Benchmark of the Ficha territorial's booklet (figures only, no asserts).

A dedicated database (``sit setup`` then ``sit demo generate --initiatives N --seed 1``;
``--skip-setup`` reuses it), then the booklet of every located UV and locality is built
``--repeats`` times in process, with its parts: gathering the data (investment, coverage,
maps) and typst's compile; plus ``sit report ficha --all`` as a person runs it (a process).
Also prints UV 05 Carrera's figures (the issue's closing note).

Usage::

    .venv/bin/python bench/bench_ficha.py [--initiatives 1000] [--repeats 3] [--skip-setup]
        [--db-url URL] [--out bench/out/fichas.pdf]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pypdf
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
SIT = str(ROOT / ".venv" / "bin" / "sit")
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/sit_pladeco_bench_ficha"


def sit(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "SIT_ADMIN_DATABASE_URL": url}
    return subprocess.run([SIT, *args], env=env, check=True, capture_output=True, text=True).stdout


def main() -> None:
    from geo.initiatives.filters import MapFilters
    from geo.investment.attribution import investment_report
    from geo.investment.lines import InvestmentFilters
    from geo.reports.ficha import ficha_pages, territories
    from geo.reports.render import render_pdf

    ap = argparse.ArgumentParser()
    ap.add_argument("--initiatives", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-setup", action="store_true")
    ap.add_argument("--db-url", default=os.environ.get("BENCH_FICHA_DATABASE_URL", DEFAULT_URL))
    ap.add_argument("--out", default=str(ROOT / "bench" / "out" / "fichas.pdf"))
    args = ap.parse_args()

    url = args.db_url
    if not args.skip_setup:
        name = url.rsplit("/", 1)[1]
        admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        sit(url, "setup")
        sit(url, "demo", "generate", "--initiatives", str(args.initiatives), "--seed", "1")

    filters = InvestmentFilters(MapFilters(include_demo=True))
    engine = create_engine(url)
    gather, compile_, total = [], [], []
    pdf = b""
    with engine.connect() as conn:
        chosen = territories(conn)
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            data = ficha_pages(conn, chosen, filters, datetime.now(UTC))
            t1 = time.perf_counter()
            pdf = render_pdf("ficha.typ", data)
            t2 = time.perf_counter()
            gather.append(t1 - t0)
            compile_.append(t2 - t1)
            total.append(t2 - t0)
        uv05 = next(r for r in investment_report(conn, filters).rows if r.code == "05").as_json()
    engine.dispose()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_bytes(pdf)
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)

    t = time.perf_counter()
    sit(url, "report", "ficha", "--all", "--demo", "--out", args.out)
    process = time.perf_counter() - t

    def med(xs: list[float]) -> str:
        return f"{statistics.median(xs):.2f} s (first {xs[0]:.2f} s)"

    print(
        f"Booklet: {len(chosen)} territories, {pages} pages, {len(pdf) / 1e6:.2f} MB, demo {args.initiatives}"
    )
    print(f"  gather data (investment, coverage, maps): {med(gather)}")
    print(f"  typst compile:                            {med(compile_)}")
    print(f"  in process, total:                        {med(total)}")
    print(f"  sit report ficha --all (a process):       {process:.2f} s")
    print(
        f"UV 05 Carrera: {uv05['attributed_label']} attributed, {uv05['per_inhabitant_label']} per "
        f"inhabitant, {uv05['n_initiatives']} initiatives ({uv05['n_with_amounts']} with amounts), "
        f"population {uv05['population']}"
    )


if __name__ == "__main__":
    main()
