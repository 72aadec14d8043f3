"""Reading the vector files of the data pack: refused without a CRS, returned in EPSG:4326."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd

from geo.errors import DataError

log = logging.getLogger(__name__)


def read_layer(path: Path, required: tuple[str, ...] = ()) -> gpd.GeoDataFrame:
    """Read a vector file, refuse it without CRS, and return it in EPSG:4326."""
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several error types for unreadable files
        log.warning("translated to a Spanish message", exc_info=True)
        raise DataError(f"No se pudo leer «{path.name}»: {exc}") from exc
    if gdf.crs is None:
        raise DataError(f"«{path.name}» no declara sistema de coordenadas (CRS); no se adivina.")
    missing = [c for c in required if c not in gdf.columns]
    if missing:
        raise DataError(f"«{path.name}»: faltan las columnas {', '.join(missing)}.")
    if gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    return gdf
