"""Spreadsheet import benchmark: 10,000 generated rows, rows per second (figures, no pass/fail).

    .venv/bin/python bench/bench_import.py [--rows 10000] [--format xlsx|csv] [--db-url URL]

Uses its own database (default ``sit_pladeco_bench_import`` or ``$BENCH_DATABASE_URL``),
prepared with ``sit setup``. Rows are synthetic, flagged demo (``is_demo``) and removed at
the end with ``sit demo clear``. Measures: writing the file, the preview (read + validate +
gazetteer + compare), the write (one transaction), and a re-import of the same file (all
unchanged, nothing written).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.initiatives.demo import clear_demo  # noqa: E402
from geo.sheets.importer import apply_import, plan_import  # noqa: E402
from geo.store.actor import Actor  # noqa: E402

BENCH = Actor.system("benchmark de importación")
from geo.sheets.schema import COLUMNS  # noqa: E402
from geo.sheets.writer import write_csv, write_workbook  # noqa: E402
from tests.conftest import run_sit  # noqa: E402

PLACES = [
    "UV 1",
    "UV 3",
    "U.V. N°5",
    "unidad vecinal 7",
    "Quinta Valle",
    "Domeyko",
    "la compañia",
    "Incahuasi",
    "Sitio: Vivero",
    "Escuela Gabriela Mistral",
    "CESFAM Baquedano",
    "Chamonate",
    "Algarrobal",
    "Nueva Torreblanca",
]


def generate(conn, n: int, seed: int) -> list[dict]:
    from geo.sheets.schema import Lists

    rng = random.Random(seed)
    lists = Lists.load(conn)
    programs = lists.lists["program"]
    plans = {p.code: p for p in lists.lists["plan"]}
    strategies = {s.code: s for s in lists.lists["strategy"]}
    rows = []
    for i in range(1, n + 1):
        g = rng.choice(programs)
        p = plans[g.parent]
        start = rng.randint(2014, 2020)
        rows.append(
            {
                "code": f"DEMO-IMP-{i:05d}",
                "name": f"[DEMO] Iniciativa importada N° {i}",
                "kind": rng.choice(["Proyecto", "Estudio"]),
                "strategy": strategies[p.parent].label,
                "plan": p.label,
                "program": g.label,
                "status": rng.choice(lists.lists["status"]).label,
                "scope": "Localizada",
                "places": "; ".join(rng.sample(PLACES, rng.randint(1, 3))),
                "lines": [
                    {
                        "code": f"DEMO-IMP-{i:05d}",
                        "source": rng.choice(["Municipal", "FNDR", "FRIL", "PMU"]),
                        "year": start,
                        "amount": f"$ {rng.randint(1, 900) * 1_000_000:,}".replace(",", "."),
                        "stage": "Aprobado",
                    }
                ],
                "unit": "SECPLAC (demo)",
                "bip": "",
                "start": start,
                "end": start + rng.randint(0, 3),
                "description": "Dato sintético del benchmark de importación.",
                "place_note": "",
            }
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--db-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/sit_pladeco_bench_import"
        ),
    )
    args = ap.parse_args()
    run_sit("setup", url=args.db_url)
    engine = create_engine(args.db_url)
    clear_demo(engine, BENCH)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"bench.{args.format}"
        with engine.connect() as conn:
            rows = generate(conn, args.rows, args.seed)
            t0 = time.perf_counter()
            if args.format == "xlsx":
                from geo.sheets.schema import Lists

                write_workbook(rows, Lists.load(conn), path)
            else:
                path.write_bytes(write_csv(rows))
            t_write_file = time.perf_counter() - t0
        assert len(COLUMNS) == 19  # the template's columns, Versión and Última modificación included
        t0 = time.perf_counter()
        with engine.connect() as conn:
            plan = plan_import(conn, path)
        t_plan = time.perf_counter() - t0
        counts = plan.counts()
        t0 = time.perf_counter()
        result = apply_import(engine, plan, BENCH, is_demo=True)
        t_apply = time.perf_counter() - t0
        t0 = time.perf_counter()
        with engine.connect() as conn:
            again = plan_import(conn, path)
        t_again = time.perf_counter() - t0
        with engine.connect() as conn:
            links = conn.execute(
                text(
                    "SELECT count(*) FROM initiative_territory it "
                    "JOIN initiative i ON i.id = it.initiative_id WHERE i.is_demo"
                )
            ).scalar_one()
        size = path.stat().st_size
    n = args.rows
    print(f"Import benchmark: {n} rows, {args.format} ({size / 1e6:.1f} MB), seed {args.seed}")
    print(f"  preview counts:        {counts}")
    print(
        f"  written:               {result.inserted} new, {result.status_changes} status records, "
        f"{links} territory links"
    )
    print(f"  write the file:        {t_write_file:6.2f} s")
    print(f"  preview (read+check):  {t_plan:6.2f} s  {n / t_plan:8.0f} rows/s")
    print(f"  write (1 transaction): {t_apply:6.2f} s  {n / t_apply:8.0f} rows/s")
    print(f"  import total:          {t_plan + t_apply:6.2f} s  {n / (t_plan + t_apply):8.0f} rows/s")
    print(
        f"  re-import preview:     {t_again:6.2f} s  {n / t_again:8.0f} rows/s "
        f"(sin cambios: {again.counts()['sin cambios']})"
    )
    print(f"  demo rows removed:     {clear_demo(engine, BENCH)}")


if __name__ == "__main__":
    main()
