"""Read an official territorial layer file into plain features in EPSG:4326.

Accepts a zipped Shapefile, a GeoPackage or a GeoJSON. The file's declared CRS is used
(never guessed), DBF text encodings come from the ``.cpg`` or are detected, and the code
and name fields are found for the known layers (national UV layer, INE villages) or given
by the person. Everything that is wrong with the file is raised as a Spanish
:class:`~geo.errors.DataError` naming the file, the feature and the field.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import shapely

from geo.domain import TERRITORY_KINDS, format_int
from geo.errors import DataError
from geo.territory.layer_encoding import dbf_encoding, json_encoding
from geo.territory.names import place_title, slug
from geo.uploads import DEFAULT_LIMITS, UploadLimits, check_file, safe_extract_zip
from geo.values import ValueProblem, parse_text, text_limit

log = logging.getLogger(__name__)

KINDS = tuple(TERRITORY_KINDS)
SUFFIXES = (".zip", ".gpkg", ".geojson", ".json", ".shp")

#: Fields tried, in order (case-insensitive), when the person does not name them.
CODE_FIELDS: dict[str, tuple[str, ...]] = {
    # National UV layer (MDSF): uv_carto is the 01..15 number the base pack uses as code.
    "unidad_vecinal": (
        "uv_carto",
        "cod_uv",
        "codigo_uv",
        "num_uv",
        "n_uv",
        "nro_uv",
        "uv",
        "codigo",
        "cod",
        "code",
    ),
    # Localities and sites: the base pack codes them by their name (slug), so by default
    # the code is derived from the name; a code field is only used when given.
    "localidad": (),
    "sitio": (),
}
NAME_FIELDS: dict[str, tuple[str, ...]] = {
    "unidad_vecinal": ("t_uv_nom", "nom_uv", "nombre_uv", "nombre", "nom", "name"),
    "localidad": ("nombre", "nom_loc", "localidad", "nombre_loc", "nom", "name"),
    "sitio": ("nombre", "nom_sitio", "sitio", "nom", "name"),
}
#: Source attributes kept in ``territory.attrs`` when present (field -> key, as the base pack).
KEEP_ATTRS: dict[str, dict[str, str]] = {
    "unidad_vecinal": {"t_id_uv_ca": "t_id_uv_ca", "t_com": "t_com"},
    "localidad": {"tipo": "tipo_ine"},
    "sitio": {"tipo": "tipo"},
}
GEOM_TYPES: dict[str, tuple[str, ...]] = {
    "unidad_vecinal": ("Polygon", "MultiPolygon"),
    "localidad": ("Polygon", "MultiPolygon", "Point", "MultiPoint"),
    "sitio": ("Polygon", "MultiPolygon", "Point", "MultiPoint", "LineString", "MultiLineString"),
}
KIND_LABELS = {"unidad_vecinal": "unidades vecinales", "localidad": "localidades", "sitio": "sitios"}
#: Vertex caps: the work of checking and comparing a layer in PostGIS grows with them (GEOS
#: does not listen to cancellation). The densest real features in data/ have 1,329 (UV),
#: 1,210 (INE village) and 3,667 (census district) vertices, and the densest real layer
#: 32,045 (the 785 blocks): the caps leave 5-15 times that room.
MAX_VERTICES_PER_FEATURE = 20_000
MAX_VERTICES_PER_FILE = 200_000
SIMPLIFY_HINT = (
    "Simplifique la capa (en QGIS: Vectorial > Herramientas de geometría > Simplificar; en un SRC "
    "métrico como EPSG:32719, 1 m de tolerancia basta para un mapa comunal) y vuelva a subirla."
)


@dataclass
class ReadOptions:
    """What the person may say about the file (all optional)."""

    layer: str | None = None
    encoding: str | None = None
    code_field: str | None = None
    name_field: str | None = None


@dataclass
class SourceFeature:
    """One feature of the file, ready to be compared with the database."""

    row: int  # 1-based position in the file
    code: str
    name: str
    attrs: dict
    geom: shapely.Geometry | None  # EPSG:4326, 2D; None when empty


@dataclass
class LayerFile:
    """What was read from the file and how."""

    file_name: str
    layer: str | None
    crs: str
    encoding: str | None
    code_field: str | None
    name_field: str
    fields: list[str]
    features: list[SourceFeature] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


@contextmanager
def opened(
    path: Path, limits: UploadLimits = DEFAULT_LIMITS, label: str | None = None, shapefile: str | None = None
) -> Iterator[Path]:
    """Yield the readable dataset inside ``path`` (the ``.shp`` of a zip; the file itself).

    ``shapefile`` names the Shapefile to use when a zip holds several.
    """
    label = label or path.name
    check_file(path, limits)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DataError(
            f"{label}: formato no admitido «{path.suffix or 'sin extensión'}». Suba un "
            "Shapefile comprimido (.zip), un GeoPackage (.gpkg) o un GeoJSON (.geojson)."
        )
    if suffix != ".zip":
        yield path
        return
    tmp = Path(tempfile.mkdtemp(prefix="sit-capa-"))
    try:
        files = safe_extract_zip(path, tmp / "x", limits, label=label)
        shps = sorted(p for p in files if p.suffix.lower() == ".shp")
        inner = [p for p in files if p.suffix.lower() in (".gpkg", ".geojson", ".json")]
        if not shps and len(inner) == 1:
            yield inner[0]
            return
        if not shps:
            raise DataError(f"{label}: el archivo comprimido no contiene ningún Shapefile (.shp).")
        chosen = [p for p in shps if shapefile and p.stem == shapefile]
        if len(shps) > 1 and chosen:
            shps = chosen[:1]
        if len(shps) > 1:
            names = ", ".join(p.name for p in shps)
            raise DataError(
                f"{label}: el archivo comprimido contiene varios Shapefiles ({names}); "
                "suba uno por archivo o indique cuál con la opción --layer."
            )
        yield shps[0]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def list_layers(path: Path, label: str | None = None) -> list[str]:
    """Names of the layers of a file (a GeoPackage may have several)."""
    label = label or path.name
    with opened(path, label=label) as ds:
        return _layers(ds, label)


def _layers(ds: Path, label: str) -> list[str]:
    try:
        return [str(row[0]) for row in pyogrio.list_layers(ds)]
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        log.warning("translated to a Spanish message", exc_info=True)
        raise DataError(f"{label}: no se pudo leer como capa geográfica ({_short(exc)}).") from exc


def _short(exc: Exception) -> str:
    """A Spanish reason for a GDAL failure.

    The library's English detail (with the temporary path the upload was unpacked to) goes
    to the log only.
    """
    log.warning("GDAL/PROJ refused the file: %s", exc, exc_info=exc)
    detail = str(exc).lower()
    if "not recognized as" in detail or "not a supported" in detail:
        return "no es un formato de capa reconocido o el archivo está dañado"
    if "no such file" in detail or "does not exist" in detail:
        return "falta una de las partes del archivo"
    if "json" in detail or "parse" in detail:
        return "el contenido no es un GeoJSON válido"
    return "el archivo está dañado o incompleto"


def _find(
    columns: list[str], wanted: str | None, candidates: tuple[str, ...], what: str, label: str, option: str
) -> str:
    """The column named ``wanted``, else the first of ``candidates`` present (any case)."""
    lower = {c.lower(): c for c in columns}
    if wanted:
        if wanted.lower() in lower:
            return lower[wanted.lower()]
        raise DataError(
            f"{label}: no existe el campo «{wanted}» indicado para {what}. Campos del "
            f"archivo: {', '.join(columns) or '(ninguno)'}."
        )
    for c in candidates:
        if c in lower:
            return lower[c]
    raise DataError(
        f"{label}: no se encontró el campo de {what} (se buscó {', '.join(candidates)}). "
        f"Campos del archivo: {', '.join(columns) or '(ninguno)'}. Indíquelo con la "
        f"opción {option}."
    )


def _value(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if v != v:  # NaN
            return ""
        if v.is_integer():
            return str(int(v))
    return str(v).strip()


def _plain(v):
    """A JSON-ready attribute value (numpy scalars to Python, NaN to None)."""
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and v != v:
        return None
    return v


def _code(kind: str, raw: str, name: str, from_field: bool) -> str:
    """Territory code as the base pack writes it (UV ``01``; localities/sites by name)."""
    if kind == "unidad_vecinal" and raw.isdigit():
        return raw.zfill(2)
    if from_field:
        return raw
    return slug(name)


def _refuse_nul(ds: Path, label: str) -> None:
    """GDAL cuts a GeoJSON string at a NUL (escaped or raw) without a word: refuse the file."""
    data = ds.read_bytes()
    if b"\x00" in data or b"\\u0000" in data:
        raise DataError(
            f"{label}: el archivo contiene un carácter NUL (invisible, no permitido) en un texto; "
            "quítelo y vuelva a subirlo. No se importó nada."
        )


def _text_problem(value: str, field: str | None, what: str, limit: str) -> str | None:
    """Why the text of ``field`` cannot be stored (too long, a NUL), or None."""
    try:
        parse_text(value, text_limit(limit))
    except ValueProblem as exc:
        return f"el campo «{field}» ({what}) {exc}"
    return None


def _name(raw: str) -> str:
    # INE and MDSF layers write names in capitals; the base pack title-cases them.
    return place_title(raw) if raw.isupper() else raw


def read_layer_file(
    path: Path,
    kind: str,
    options: ReadOptions | None = None,
    limits: UploadLimits = DEFAULT_LIMITS,
    label: str | None = None,
) -> LayerFile:
    """Read ``path`` as a layer of ``kind`` and return its features in EPSG:4326.

    Problems of single features (no code, no name, duplicated code, wrong geometry type)
    are collected in ``rejected``; problems of the whole file raise :class:`DataError`.
    """
    if kind not in KINDS:
        raise DataError(f"Tipo de territorio desconocido «{kind}» (use {', '.join(KINDS)}).")
    opts = options or ReadOptions()
    label = label or path.name
    with opened(path, limits, label, shapefile=opts.layer) as ds:
        layers = _layers(ds, label)
        if ds.suffix.lower() == ".shp":
            opts = ReadOptions(None, opts.encoding, opts.code_field, opts.name_field)
        layer = _choose_layer(layers, opts.layer, ds, label)
        encoding = None
        if ds.suffix.lower() == ".shp":
            encoding = dbf_encoding(ds, opts.encoding, label)
            if not any(p.stem == ds.stem and p.suffix.lower() == ".prj" for p in ds.parent.iterdir()):
                raise _no_crs(label, shapefile=True)
        elif ds.suffix.lower() in (".geojson", ".json"):
            _refuse_nul(ds, label)
            encoding = json_encoding(ds, opts.encoding, label)
        gdf = _read(ds, layer, encoding, label)
    if gdf.empty:
        raise DataError(f"{label}: la capa «{layer}» no contiene elementos.")
    if gdf.crs is None:
        raise _no_crs(label, shapefile=False)
    crs = gdf.crs.to_string()
    if gdf.crs.to_epsg() != 4326:
        try:
            gdf = gdf.to_crs(4326)
        except Exception as exc:
            log.warning("translated to a Spanish message", exc_info=True)
            raise DataError(
                f"{label}: no se pudo transformar desde {crs} a WGS 84 (PROJ no conoce la "
                "transformación; exporte la capa en EPSG:4326 o EPSG:32719)."
            ) from exc
    total = int(shapely.get_num_coordinates(gdf.geometry.values).sum())
    if total > MAX_VERTICES_PER_FILE:
        raise DataError(
            f"{label}: la capa tiene {format_int(total)} vértices en total; el máximo por archivo "
            f"es {format_int(MAX_VERTICES_PER_FILE)}. No se importó nada. {SIMPLIFY_HINT}"
        )
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    # Without a code field to look for, the code is derived from the name.
    code_field = (
        _find(columns, opts.code_field, CODE_FIELDS[kind], "código", label, "--code-field")
        if opts.code_field or CODE_FIELDS[kind]
        else None
    )
    name_field = _find(columns, opts.name_field, NAME_FIELDS[kind], "nombre", label, "--name-field")
    out = LayerFile(
        file_name=label,
        layer=layer,
        crs=crs,
        encoding=encoding,
        code_field=code_field,
        name_field=name_field,
        fields=columns,
    )
    keep = [c for c in columns if c.lower() in KEEP_ATTRS[kind]]
    seen: dict[str, int] = {}
    for i, row in enumerate(gdf.itertuples(index=False), start=1):
        values: dict[Hashable, Any] = dict(zip(gdf.columns, row, strict=True))
        name = _name(_value(values[name_field]))
        raw_code = _value(values[code_field]) if code_field else ""
        where = f"elemento {i}"
        problem = _text_problem(name, name_field, "nombre", "territory_name") or (
            _text_problem(raw_code, code_field, "código", "territory_code") if code_field else None
        )
        if problem:
            out.rejected.append(f"{where}: {problem}")
            continue
        if not name:
            out.rejected.append(f"{where}: el campo «{name_field}» (nombre) está vacío.")
            continue
        code = _code(kind, raw_code, name, code_field is not None)
        where = f"elemento {i} («{name}»)"
        if len(code) > text_limit("territory_code"):
            out.rejected.append(
                f"{where}: el código «{code[:40]}…» tiene {len(code)} caracteres; el máximo es "
                f"{text_limit('territory_code')}."
            )
            continue
        if not code:
            out.rejected.append(f"{where}: el campo «{code_field}» (código) está vacío.")
            continue
        if code in seen:
            if code_field:
                why = f"el código «{code}» se repite"
            else:
                why = (
                    f"el nombre se repite (el código «{code}» se deriva del nombre; una los "
                    "polígonos en uno o indique un campo de código con --code-field)"
                )
            out.rejected.append(
                f"{where}: {why} (también en el elemento {seen[code]}); cada "
                f"territorio debe tener un código único."
            )
            continue
        seen[code] = i
        geom = values[gdf.geometry.name]
        if geom is not None and not geom.is_empty:
            geom = shapely.force_2d(geom)
            if geom.geom_type not in GEOM_TYPES[kind]:
                out.rejected.append(
                    f"{where}: geometría de tipo {geom.geom_type}; para "
                    f"{KIND_LABELS[kind]} se aceptan {', '.join(GEOM_TYPES[kind])}."
                )
                continue
            vertices = int(shapely.get_num_coordinates(geom))
            if vertices > MAX_VERTICES_PER_FEATURE:
                out.rejected.append(
                    f"elemento {i} («{name}», código {code}): la geometría tiene "
                    f"{format_int(vertices)} vértices; el máximo por elemento es "
                    f"{format_int(MAX_VERTICES_PER_FEATURE)}. {SIMPLIFY_HINT}"
                )
                continue
        else:
            geom = None
        attrs = {KEEP_ATTRS[kind][c.lower()]: _plain(values[c]) for c in keep}
        out.features.append(SourceFeature(row=i, code=code, name=name, attrs=attrs, geom=geom))
    return out


def _choose_layer(layers: list[str], wanted: str | None, ds: Path, label: str) -> str:
    if not layers:
        raise DataError(f"{label}: el archivo no contiene capas.")
    if wanted:
        if wanted not in layers:
            raise DataError(f"{label}: no existe la capa «{wanted}»; capas del archivo: {', '.join(layers)}.")
        return wanted
    if len(layers) > 1:
        raise DataError(
            f"{label}: el archivo contiene {len(layers)} capas ({', '.join(layers)}); "
            "elija una (opción --layer)."
        )
    return layers[0]


def _read(ds: Path, layer: str, encoding: str | None, label: str) -> gpd.GeoDataFrame:
    try:
        info = pyogrio.read_info(ds, layer=layer)
    except Exception as exc:
        log.warning("translated to a Spanish message", exc_info=True)
        raise DataError(f"{label}: no se pudo leer la capa «{layer}» ({_short(exc)}).") from exc
    if info.get("geometry_type") is None:
        raise DataError(
            f"{label}: la capa «{layer}» no tiene geometrías (es una tabla sin "
            "coordenadas); suba una capa de polígonos o puntos."
        )
    src = ds
    tmp: Path | None = None
    try:
        if encoding and ds.suffix.lower() in (".geojson", ".json"):
            # GDAL reads GeoJSON as UTF-8 only: transcode a copy.
            tmp = Path(tempfile.mkdtemp(prefix="sit-json-"))
            src = tmp / ds.name
            try:
                src.write_text(ds.read_bytes().decode(encoding), encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise DataError(f"{label}: el archivo no se puede leer como {encoding} ({exc}).") from exc
            encoding = None
        gdf = gpd.read_file(src, layer=layer, engine="pyogrio", encoding=encoding)
    except DataError:
        raise
    except Exception as exc:
        log.warning("translated to a Spanish message", exc_info=True)
        raise DataError(f"{label}: no se pudo leer la capa «{layer}» ({_short(exc)}).") from exc
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        raise DataError(
            f"{label}: la capa «{layer}» no tiene geometrías (es una tabla sin "
            "coordenadas); suba una capa de polígonos o puntos."
        )
    if gdf.geometry.isna().all() and len(gdf):
        raise DataError(f"{label}: ningún elemento de la capa «{layer}» tiene geometría.")
    return gdf


def _no_crs(label: str, shapefile: bool) -> DataError:
    if shapefile:
        return DataError(
            f"{label}: el Shapefile no trae el archivo .prj, que dice en qué sistema de "
            "coordenadas están sus coordenadas; no se adivina. Agregue el .prj al .zip (en QGIS: "
            "Exportar > Guardar objetos como…, con su SRC, p. ej. EPSG:32719 o EPSG:4326) y "
            "vuelva a subirlo."
        )
    return DataError(
        f"{label}: el archivo no declara su sistema de coordenadas (CRS); no se adivina. "
        "Guárdelo nuevamente desde QGIS indicando su SRC (p. ej. EPSG:4326 o EPSG:32719)."
    )
