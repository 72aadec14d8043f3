"""Benchmark of the official-layer import (figures only, no asserts).

Measures ``geo.territory.layer_import.import_territories`` on files made from the real data:

* the UV layer (15 polygons) as a zipped Shapefile in EPSG:24879 (PSAD56, needs a datum
  shift), as a GeoPackage in EPSG:4674 and as GeoJSON in EPSG:4326: preview (dry run);
* the 785 INE census blocks as a ``sitio`` layer of polygons (GeoPackage, EPSG:4674):
  preview, then a real import inside a transaction that is rolled back (nothing is kept).

Usage::

    .venv/bin/python bench/bench_layer_import.py [--db-url URL] [--repeats 3]

The database must already hold the base pack (``sit setup``); default URL
``$BENCH_DATABASE_URL`` or ``postgresql+psycopg://postgres@127.0.0.1:5432/sit_pladeco_bench``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
from sqlalchemy import create_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.store.actor import Actor  # noqa: E402
from geo.territory.layer_file import ReadOptions  # noqa: E402
from geo.territory.layer_import import import_territories  # noqa: E402

BENCH = Actor.system("benchmark de capas")
from tests.support.layer_files import shapefile_zip, uv_layer  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/sit_pladeco_bench"


def timed(fn, repeats: int) -> tuple[float, float, object]:
    """Cold time, warm median (seconds) and the last result."""
    t0 = time.perf_counter()
    result = fn()
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        warm.append(time.perf_counter() - t0)
    return cold, statistics.median(warm) if warm else cold, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    engine = create_engine(args.db_url)
    tmp = Path(tempfile.mkdtemp(prefix="bench-capas-"))
    uv = uv_layer()
    files = {
        "UV .zip EPSG:24879": (
            shapefile_zip(uv.to_crs(24879), tmp / "uv.zip", encoding="cp1252"),
            "unidad_vecinal",
            None,
        ),
        "UV .gpkg EPSG:4674": (tmp / "uv.gpkg", "unidad_vecinal", None),
        "UV .geojson EPSG:4326": (tmp / "uv.geojson", "unidad_vecinal", None),
        "785 manzanas como sitios .gpkg EPSG:4674": (tmp / "manzanas.gpkg", "sitio", "MANZENT"),
    }
    uv.to_crs(4674).to_file(tmp / "uv.gpkg", engine="pyogrio")
    uv.to_file(tmp / "uv.geojson", driver="GeoJSON", engine="pyogrio")
    blocks = gpd.read_file(ROOT / "data" / "manzanas_ine2016.geojson")
    blocks["nombre"] = "Manzana " + blocks["MANZENT"].astype(str)
    blocks.to_file(tmp / "manzanas.gpkg", engine="pyogrio")

    print(f"{'archivo':45} {'elementos':>9} {'vista previa (frío / tibio)':>30} {'elem/s':>8}")
    for label, (path, kind, code_field) in files.items():
        opts = ReadOptions(code_field=code_field)
        cold, warm, report = timed(
            lambda p=path, k=kind, o=opts: import_territories(engine, p, k, o, dry_run=True, actor=BENCH),
            args.repeats,
        )
        n = len(report.new) + len(report.updated) + len(report.unchanged)
        print(f"{label:45} {n:9d} {cold:13.2f} s / {warm:6.2f} s {n / warm:10.0f}")
        if kind == "sitio":
            with engine.connect() as conn:
                trans = conn.begin()
                t0 = time.perf_counter()
                done = import_territories(conn, path, kind, opts, actor=BENCH)
                elapsed = time.perf_counter() - t0
                trans.rollback()
            print(
                f"{'  importación real (revertida)':45} {len(done.new):9d} {elapsed:13.2f} s"
                f"{'':10} {len(done.new) / elapsed:10.0f}"
            )


if __name__ == "__main__":
    main()
