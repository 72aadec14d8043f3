"""Benchmark of the coverage matrix (figures only, no asserts; not part of the test suite).

1. **Real territories + 10,000 demo initiatives**: a dedicated database is set up with the
   project's CLI (``sit setup``, ``sit demo generate --initiatives N``), then
   ``geo.coverage.compute_coverage`` (what the page and ``sit coverage`` run) is timed,
   with its parts: population estimate, access to services (warm: remembered from the first
   call; also timed with nothing remembered); plus the page's extra work
   (exports, choropleth build) and ``sit coverage --json`` as a process.
2. **Synthetic national-scale layer** in a *separate* database: ~7,000 square territories
   over continental Chile (next to the real Vallenar pack, which the catalogue loader
   needs) with synthetic official populations, ~2,500 health
   establishments and ~10,000 schools, and ~100,000 initiatives linked by geometry. Every
   row is flagged: territories ``source = 'sintético (benchmark)'`` and
   ``attrs.synthetic = true``, facilities code ``SYN-*``, initiatives ``is_demo``.
   Nothing of it is real; the database exists only for this benchmark.

Usage::

    .venv/bin/python bench/bench_coverage.py [--initiatives 10000] [--territories 7000]
        [--national-initiatives 100000] [--repeats 3] [--skip-national]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, text

from geo.territory.queries import base_layers, territory_features

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
SIT = str(ROOT / ".venv" / "bin" / "sit")
BASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/"


def sit(url: str, *args: str) -> float:
    """Run ``sit`` as the admin would; return its wall time."""
    env = {**os.environ, "DATABASE_URL": url}
    t = time.perf_counter()
    subprocess.run([SIT, *args], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def timed(fn, repeats: int) -> tuple[float, float]:
    """(cold, warm median) seconds."""
    t = time.perf_counter()
    fn()
    cold = time.perf_counter() - t
    warm = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - t)
    return cold, statistics.median(warm) if warm else cold


def measure(url: str, repeats: int, label: str) -> None:
    from geo.coverage.access import access_to_services, forget_access
    from geo.coverage.allocation import compute_coverage
    from geo.coverage.export import gaps_table, matrix_table, to_csv, to_xlsx
    from geo.db import get_engine
    from geo.initiatives.filters import MapFilters
    from geo.territory.population import population_table

    # The app's engine (geo.db: JIT off, the statement limit), as the page and sit coverage.
    engine = get_engine(url)
    with engine.connect() as conn:
        n_terr = conn.execute(
            text(
                "SELECT count(*) FROM territory WHERE kind IN "
                "('unidad_vecinal','localidad') AND geom IS NOT NULL"
            )
        ).scalar()
        n_ini = conn.execute(text("SELECT count(*) FROM initiative")).scalar()
        n_links = conn.execute(text("SELECT count(*) FROM initiative_territory")).scalar()
        print(f"\n== {label}: {n_terr:,} territories, {n_ini:,} initiatives, {n_links:,} links")
        rows = []
        cov = None

        def full():
            nonlocal cov
            cov = compute_coverage(engine, MapFilters(include_demo=True))

        def full_computed():  # access and census weights computed again, as after a write
            forget_access()
            full()

        rows.append(("compute_coverage (all filters open)", *timed(full, repeats)))
        rows.append(("  same, nothing remembered (each call)", *timed(full_computed, repeats)))
        rows.append(("  population_table", *timed(lambda: population_table(conn), repeats)))
        rows.append(("  access_to_services", *timed(lambda: access_to_services(conn), repeats)))
        rows.append(
            (
                "compute_coverage (strategy E4, no demo)",
                *timed(
                    lambda: compute_coverage(engine, MapFilters(strategies=("E4",), include_demo=False)),
                    repeats,
                ),
            )
        )

        def exports():
            mt, gt = matrix_table(cov), gaps_table(cov)
            to_xlsx({"Matriz": mt, "Brechas": gt})
            to_csv(mt)
            to_csv(gt)

        rows.append(("exports (xlsx + 2 csv)", *timed(exports, max(1, repeats // 2))))
        if n_terr <= 500:
            from geo.settings import get_settings
            from ui.coverage import choropleth

            # The map's reference layers are read through the app's engine (the settings' URL).
            os.environ["DATABASE_URL"] = url
            get_settings.cache_clear()

            data = {
                "cov": cov,
                "territories": territory_features(conn, MapFilters(include_demo=True)),
                "base": base_layers(conn),
            }
            rows.append(
                (
                    "choropleth build + render",
                    *timed(
                        lambda: (
                            choropleth(data, "inversion_per_capita", None, "natural_breaks")[0]
                            .get_root()
                            .render()
                        ),
                        repeats,
                    ),
                )
            )
        print(f"   matrix cells: {len(cov.matrix):,}  gaps: {len(cov.gaps):,}")
    engine.dispose()
    # A process each time: cold is the first after the computations above, warm the median
    # of ``repeats`` more (one process moves by a second from run to run on a shared machine).
    runs = [sit(url, "coverage", "--json") for _ in range(repeats + 1)]
    rows.append(("sit coverage --json (process)", runs[0], statistics.median(runs[1:])))
    for name, cold, warm in rows:
        print(f"   {name:44} cold {cold:7.2f} s   warm {warm:7.2f} s")


def national(url: str, territories: int, initiatives: int, seed: int) -> None:
    """Build the synthetic national layer (separate database, everything flagged)."""
    from tests.conftest import fresh_database

    fresh_database(url)
    sit(url, "setup")  # the catalogue needs the real base pack; Vallenar stays in the layer
    rng = np.random.default_rng(seed)
    cols = 35
    rows_ = int(np.ceil(territories / cols))
    lon0, lat0, dlon, dlat = -73.0, -45.0, 5.0 / cols, 27.0 / rows_
    engine = create_engine(url)
    t = time.perf_counter()
    with engine.begin() as conn:
        terr = []
        for k in range(territories):
            i, j = k % cols, k // cols
            x, y = lon0 + i * dlon, lat0 + j * dlat
            terr.append(
                {
                    "code": f"SYN-{k + 1:05d}",
                    "name": f"Territorio sintético {k + 1}",
                    "x1": x,
                    "y1": y,
                    "x2": x + dlon,
                    "y2": y + dlat,
                    "pop": int(rng.lognormal(7.5, 1.0)),
                    "sector": "urbano" if rng.random() < 0.6 else "rural",
                }
            )
        conn.execute(
            text(
                """
            INSERT INTO territory (kind, code, name, sector, population, population_source, source,
                                   attrs, geom)
            VALUES ('unidad_vecinal', :code, :name, :sector, :pop, 'Sintético (benchmark)',
                    'sintético (benchmark)', '{"synthetic": true}',
                    ST_MakeEnvelope(:x1, :y1, :x2, :y2, 4326))
            """
            ),
            terr,
        )
        fac = []
        for kind, n in (("salud", 2500), ("escuela", 10000)):
            for k in range(n):
                fac.append(
                    {
                        "kind": kind,
                        "code": f"SYN-{kind}-{k}",
                        "name": f"Sintético {k}",
                        "x": lon0 + rng.random() * 5.0,
                        "y": lat0 + rng.random() * 27.0,
                    }
                )
        conn.execute(
            text(
                """
            INSERT INTO facility (kind, code, name, in_operation, source, attrs, geom)
            VALUES (:kind, :code, :name, true, 'sintético (benchmark)', '{"synthetic": true}',
                    ST_SetSRID(ST_MakePoint(:x, :y), 4326))
            """
            ),
            fac,
        )
        progs = conn.execute(
            text("SELECT g.id, p.id, p.strategy_id FROM program g JOIN plan p ON p.id = g.plan_id")
        ).all()
        statuses = [
            "sin_informacion",
            "idea",
            "perfil",
            "diseno",
            "licitacion",
            "en_ejecucion",
            "terminado",
            "suspendido",
        ]
        ini = []
        for k in range(initiatives):
            cell = int(rng.integers(territories))
            i, j = cell % cols, cell // cols
            g, p, s = progs[int(rng.integers(len(progs)))]
            ini.append(
                {
                    "code": f"SYN-{k + 1:06d}",
                    "name": f"[DEMO] Iniciativa sintética {k + 1}",
                    "s": s,
                    "p": p,
                    "g": g,
                    "st": statuses[int(rng.integers(8))],
                    "a": int(round(float(rng.lognormal(17.5, 1.0)), -3)),
                    "x": lon0 + (i + 0.05 + 0.9 * rng.random()) * dlon,
                    "y": lat0 + (j + 0.05 + 0.9 * rng.random()) * dlat,
                }
            )
        conn.execute(
            text(
                """
            INSERT INTO initiative (code, name, kind, strategy_id, plan_id, program_id, status,
                                    scope, source, is_demo, geom)
            VALUES (:code, :name, 'proyecto', :s, :p, :g, :st, 'localizada', 'demo', true,
                    ST_SetSRID(ST_MakePoint(:x, :y), 4326))
            """
            ),
            ini,
        )
        # Each synthetic initiative's money is one approved funding line.
        conn.execute(
            text(
                "INSERT INTO funding_line (initiative_id, source, amount_clp, stage) "
                "SELECT id, 'municipal', :a, 'aprobado' FROM initiative WHERE code = :code"
            ),
            [{"a": r["a"], "code": r["code"]} for r in ini],
        )
        from geo.territory.links import link_by_geometry

        link_by_geometry(conn, demo_only=True)
        for table in ("territory", "facility", "initiative", "initiative_territory", "funding_line"):
            conn.execute(text(f"ANALYZE {table}"))
    engine.dispose()
    print(f"\n(synthetic national layer built in {time.perf_counter() - t:.1f} s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--initiatives", type=int, default=10_000)
    ap.add_argument("--territories", type=int, default=7_000)
    ap.add_argument("--national-initiatives", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--db", default="sit_bench_coverage")
    ap.add_argument("--national-db", default="sit_bench_coverage_national")
    ap.add_argument("--skip-real", action="store_true")
    ap.add_argument("--skip-national", action="store_true")
    args = ap.parse_args()
    if not args.skip_real:
        url = BASE_URL + args.db
        sit(url, "setup")
        sit(url, "demo", "clear")
        gen = sit(url, "demo", "generate", "--initiatives", str(args.initiatives), "--seed", "1")
        print(f"(sit demo generate --initiatives {args.initiatives}: {gen:.1f} s)")
        measure(url, args.repeats, f"Real Vallenar territories + {args.initiatives:,} demo initiatives")
        sit(url, "demo", "clear")
    if not args.skip_national:
        url = BASE_URL + args.national_db
        national(url, args.territories, args.national_initiatives, seed=1)
        measure(url, max(1, args.repeats - 2), "Synthetic national-scale layer")


if __name__ == "__main__":
    main()
