"""Reference layers of ``data/referencia/``: what each file is, and how it is loaded.

Each file keeps its source's attribute names (see ``data/SOURCES.md``); :data:`LAYERS` says,
per file, which layer of :data:`geo.domain.REFERENCE_LAYERS` it fills, which attribute is
its key and which its name, which attributes are kept, and the agency to cite. Personal
data some sources carry (the SAG nursery list names its owners, with phone and e-mail) are
never loaded. Features are written through :func:`geo.store.reference.save_reference_layer`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from sqlalchemy import Connection, Engine, text

from geo.db import transaction
from geo.domain import REFERENCE_LAYERS
from geo.errors import DataError
from geo.store.actor import Actor
from geo.store.permissions import require
from geo.store.reference import ReferenceRecord, ReferenceReport, save_reference_layer
from geo.territory.names import place_title
from geo.territory.vector import read_layer

log = logging.getLogger(__name__)

FOLDER = "referencia"


def _text(value: Any) -> str | None:
    """A source attribute as text: blanks and the sources' ``"None"`` are no value."""
    if value is None:
        return None
    clean = " ".join(str(value).split())
    return None if clean in ("", "None", "nan", "s/i") else clean


@dataclass(frozen=True)
class LayerSpec:
    """How one file of ``data/referencia/`` becomes features of one reference layer."""

    layer: str
    file: str
    source: str
    keep: tuple[str, ...]
    name: Callable[[dict[str, Any]], str | None]
    key: Callable[[dict[str, Any], int], str] = lambda row, i: str(i + 1)


def _field(name: str) -> Callable[[dict[str, Any]], str | None]:
    return lambda row: _text(row.get(name))


def _titled(name: str) -> Callable[[dict[str, Any]], str | None]:
    """The attribute as a name: sources in capitals or in lower case are title-cased."""

    def title(row: dict[str, Any]) -> str | None:
        value = _text(row.get(name))
        if not value or (not value.isupper() and not value.islower()):
            return value
        return place_title(value.upper())

    return title


def _key(name: str) -> Callable[[dict[str, Any], int], str]:
    return lambda row, i: _text(row.get(name)) or str(i + 1)


LAYERS: tuple[LayerSpec, ...] = (
    LayerSpec(
        "punto_critico",
        "puntos_criticos_senapred_invierno2024.geojson",
        "SENAPRED, puntos críticos invierno 2024 (vía CIREN SITRural)",
        ("sector", "causa_punt", "riesgo_2024", "Ultima Actualizacion"),
        _titled("sector"),
        _key("fid"),
    ),
    LayerSpec(
        "remocion_en_masa",
        "remociones_en_masa_sernageomin.geojson",
        "SERNAGEOMIN, catastro de remociones en masa",
        ("COD_RM", "ANO_EVENTO", "FUENTE_INFO"),
        lambda row: f"Remoción en masa {_text(row.get('COD_RM')) or ''}".strip(),
        _key("COD_RM"),
    ),
    LayerSpec(
        "canal",
        "canales_cnr.geojson",
        "Comisión Nacional de Riego (CNR), red de canales",
        ("NOMCAN", "CODCAN", "ORIGEN", "TIPO_CANAL", "JV"),
        _titled("NOMCAN"),
        _key("fid"),
    ),
    LayerSpec(
        "rio",
        "rio_huasco_tramo_ide.geojson",
        "IDE Chile, hidrografía (tramo parcial del río Huasco)",
        ("nombre", "tramo", "note"),
        _titled("nombre"),
        _key("source_fid"),
    ),
    LayerSpec(
        "zona_prc",
        "zonas_prc_vallenar_1981.geojson",
        "MINVU, Plan Regulador Comunal de Vallenar (D. 324, 1981)",
        ("ZONA", "NOMBRE", "UPERM", "UPROH", "Fecha Decreto"),
        _field("NOMBRE"),
        _key("ZONA"),
    ),
    LayerSpec(
        "limite_urbano_prc",
        "limite_urbano_prc_1981.geojson",
        "MINVU, límite urbano del Plan Regulador Comunal (D. 324, 1981)",
        ("NOM", "DO_1", "T_DOC", "N_DOC"),
        _field("NOM"),
        _key("fid"),
    ),
    LayerSpec(
        "apr",
        "agua_potable_rural_doh.geojson",
        "Dirección de Obras Hidráulicas (DOH), servicios sanitarios rurales (IDE Chile)",
        ("NOMBRE", "ID_IDE", "LEVANTAMIENTO", "FECHA_ACTUALIZACION"),
        _titled("NOMBRE"),
        _key("ID_IDE"),
    ),
    LayerSpec(
        "planta_aguas_servidas",
        "planta_aguas_servidas_siss.geojson",
        "Superintendencia de Servicios Sanitarios (SISS)",
        ("NOMBRE_OBR", "DESCRIPCIO", "DESCRIPC_3", "DESCRIPC_4", "NOMBRE_CUE"),
        _field("NOMBRE_OBR"),
        _key("fid"),
    ),
    LayerSpec(
        "vivero",
        "viveros_sag.geojson",
        "Servicio Agrícola y Ganadero (SAG), registro de viveros (IDE Chile)",
        # Not the owner's name, phones or e-mail: the nursery, its address and what it grows.
        ("nom_vivero", "direccion", "reg_sag", "sp_1", "sp_2", "sp_3", "urba_rural"),
        _field("nom_vivero"),
        _key("reg_sag"),
    ),
    LayerSpec(
        "toponimo",
        "toponimia_ide.geojson",
        "IDE Chile, toponimia",
        ("Nombre", "Tipo"),
        _field("Nombre"),
        _key("fid"),
    ),
    LayerSpec(
        "ferrocarril",
        "red_ferroviaria_ide.geojson",
        "Red ferroviaria nacional (BCN, IDE Chile)",
        ("OBEJTO", "Actividad en 2026", "Provincia"),
        lambda row: "Línea férrea" + (" (en uso)" if _text(row.get("Actividad en 2026")) == "SI" else ""),
    ),
)


def read_reference_file(spec: LayerSpec, path: Path, label: str | None = None) -> list[ReferenceRecord]:
    """The features of one file, as records (invalid geometries repaired, empty ones refused).

    Raises:
        DataError: in Spanish, naming the file (``label``, or its name), when it cannot be read,
            has no CRS, is not this layer's kind of file (none of its attributes) or a feature
            has no geometry.
    """
    name = label or path.name
    gdf = read_layer(path)
    if not any(k in gdf.columns for k in spec.keep):
        raise DataError(
            f"«{name}» no parece ser la capa «{REFERENCE_LAYERS[spec.layer]}»: no tiene ninguno de "
            f"sus campos ({', '.join(spec.keep)})."
        )
    records = []
    rows: list[dict[str, Any]] = [{str(k): v for k, v in r.items()} for r in gdf.to_dict("records")]
    for i, row in enumerate(rows):
        geom = row.pop("geometry")
        if geom is None or geom.is_empty:
            raise DataError(f"«{name}», elemento {i + 1}: no tiene geometría.")
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        attrs = {k: v for k in spec.keep if (v := _text(row.get(k))) is not None}
        records.append(
            ReferenceRecord(spec.key(row, i), spec.name(row), attrs, spec.source, shapely.to_wkb(geom))
        )
    return records


def load_reference_layers(conn: Connection, pack: Path, actor: Actor) -> dict[str, ReferenceReport]:
    """Load every reference file present in ``pack/referencia`` (a missing folder: nothing)."""
    folder = Path(pack) / FOLDER
    reports: dict[str, ReferenceReport] = {}
    if not folder.is_dir():
        log.info("no %s folder in %s: no reference layers loaded", FOLDER, pack)
        return reports
    for spec in LAYERS:
        path = folder / spec.file
        if not path.is_file():
            log.info("reference file %s missing: layer %s left as it is", spec.file, spec.layer)
            continue
        records = read_reference_file(spec, path)
        reports[spec.layer] = save_reference_layer(
            conn, actor, spec.layer, records, note={"archivo": f"{FOLDER}/{spec.file}"}
        )
    return reports


def spec_of(layer: str) -> LayerSpec:
    """How files of ``layer`` are read (a Spanish :class:`DataError` for an unknown layer)."""
    for spec in LAYERS:
        if spec.layer == layer:
            return spec
    raise DataError(f"«{layer}» no es una capa de referencia; use {', '.join(REFERENCE_LAYERS)}.")


def replace_reference_layer(
    bind: Engine | Connection,
    actor: Actor,
    layer: str,
    path: Path,
    *,
    dry_run: bool,
    label: str | None = None,
) -> ReferenceReport:
    """Replace ``layer`` with a new edition of its source (or preview it: ``dry_run``).

    The file must be the same kind as the layer's file in ``data/referencia/`` (its
    attributes: :data:`LAYERS`), in any declared CRS. Features are matched by their key:
    new ones are added, changed ones updated, missing ones removed, all audited under the
    actor (who needs the right of official layers, checked before the file is read). A
    preview runs the same writes and rolls them back. An empty file is refused: a layer is
    not emptied from a file.
    """
    require(actor, "official_layers")
    spec = spec_of(layer)
    name = label or path.name
    records = read_reference_file(spec, path, label=name)
    if not records:
        raise DataError(f"«{name}» no tiene elementos: una capa de referencia no se vacía desde un archivo.")
    with transaction(bind) as conn:
        preview = conn.begin_nested() if dry_run else None
        try:
            return save_reference_layer(conn, actor, layer, records, note={"archivo": name})
        finally:
            if preview is not None:
                preview.rollback()


#: What a map's tooltip says of a feature besides its name: (attribute, Spanish label).
MAP_DETAILS: dict[str, tuple[tuple[str, str], ...]] = {
    "punto_critico": (("causa_punt", "Causa"), ("riesgo_2024", "Riesgo 2024")),
    "remocion_en_masa": (("ANO_EVENTO", "Año del evento"),),
    "canal": (("TIPO_CANAL", "Tipo"), ("ORIGEN", "Origen")),
    "zona_prc": (("UPERM", "Usos permitidos"),),
    "apr": (("LEVANTAMIENTO", "Registro"),),
    "planta_aguas_servidas": (("DESCRIPCIO", "Operador"), ("DESCRIPC_3", "Situación")),
    "vivero": (("urba_rural", "Sector"),),
    "toponimo": (("Tipo", "Tipo"),),
}
#: Lines and areas are simplified by this many metres for the map (points are kept): about
#: a pixel at the city's zoom, so nothing visible is lost and the page stays light.
MAP_TOLERANCE_M = 2.0


def map_reference_layers(conn: Connection, tolerance_m: float = MAP_TOLERANCE_M) -> dict[str, dict[str, Any]]:
    """Every loaded reference layer as a GeoJSON FeatureCollection for the maps, by layer code.

    Coordinates with 5 decimals (about 1 m); properties: ``layer``, ``capa`` (its Spanish
    title), ``nombre``, ``detalle`` (:data:`MAP_DETAILS`) and ``fuente``. Texts are not
    escaped here: the maps escape them (``layers.sanitize``). Layers with no features are left out.
    """
    rows = conn.execute(
        text(
            """
            SELECT layer, name, attrs, source,
                   ST_AsGeoJSON(CASE WHEN ST_Dimension(geom) = 0 THEN geom
                        ELSE ST_Transform(ST_SimplifyPreserveTopology(ST_Transform(geom, 32719), :tol), 4326)
                   END, 5) AS geometry
              FROM reference_feature
             ORDER BY layer, key
            """
        ),
        {"tol": tolerance_m},
    ).all()
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        details = " · ".join(
            f"{label}: {value}"
            for attr, label in MAP_DETAILS.get(r.layer, ())
            if (value := _text((r.attrs or {}).get(attr)))
        )
        title = REFERENCE_LAYERS.get(r.layer, r.layer)
        fc = out.setdefault(r.layer, {"type": "FeatureCollection", "features": []})
        fc["features"].append(
            {
                "type": "Feature",
                "geometry": json.loads(r.geometry),
                "properties": {
                    "layer": r.layer,
                    "capa": title,
                    "nombre": r.name or title,
                    "detalle": details,
                    "fuente": r.source,
                },
            }
        )
    return out


#: The reference layers' fingerprint: changes whenever a layer is loaded or replaced. Also
#: the last part of :func:`geo.initiatives.queries.data_version`.
REFERENCE_VERSION_SQL = "SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM reference_feature"


def reference_version(conn: Connection) -> str:
    """A fingerprint that changes whenever a reference layer is loaded or replaced."""
    return str(conn.execute(text(REFERENCE_VERSION_SQL)).scalar_one())
