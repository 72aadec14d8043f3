"""Writes to reference layers (``reference_feature``): a whole layer replaced by its source.

One layer at a time: features are matched by their key; new ones are created, changed ones
updated (only when the name, the attributes, the source or the geometry differ, bumping the
version), and those the source no longer has are removed. Every change is one audit row;
the actor needs the right of official layers (:mod:`geo.store.permissions`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely
from sqlalchemy import Connection, text

from geo.domain import REFERENCE_LAYERS
from geo.errors import DataError
from geo.store.actor import Actor
from geo.store.audit import Entry, json_text, record
from geo.store.permissions import require
from geo.store.territories import same_geometry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReferenceRecord:
    """A feature as its source gives it (geometry as WKB in EPSG:4326)."""

    key: str
    name: str | None
    attrs: Mapping[str, Any]
    source: str
    wkb: bytes


@dataclass
class ReferenceReport:
    """How many features of the layer were created, changed, removed or left as they were."""

    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    changed_keys: list[str] = field(default_factory=list)


def _summary(wkb: bytes | None) -> str | None:
    if wkb is None:
        return None
    geom = shapely.from_wkb(wkb)
    return f"{geom.geom_type}, {shapely.get_num_coordinates(geom)} vértices"


def save_reference_layer(
    conn: Connection,
    actor: Actor,
    layer: str,
    records: Sequence[ReferenceRecord],
    note: Mapping[str, Any] | None = None,
) -> ReferenceReport:
    """Make ``layer`` hold exactly ``records`` (inside the caller's transaction)."""
    require(actor, "official_layers")
    if layer not in REFERENCE_LAYERS:
        raise DataError(f"«{layer}» no es una capa de referencia; use {', '.join(REFERENCE_LAYERS)}.")
    keys = [r.key for r in records]
    if len(set(keys)) != len(keys):
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        raise DataError(f"La capa «{REFERENCE_LAYERS[layer]}» repite las claves {', '.join(repeated[:5])}.")
    stored = {
        row.key: row
        for row in conn.execute(
            text(
                "SELECT id, key, name, attrs, source, ST_AsBinary(geom) AS wkb, version "
                "FROM reference_feature WHERE layer = :l FOR UPDATE"
            ),
            {"l": layer},
        )
    }
    report = ReferenceReport()
    entries: list[Entry] = []
    extra = dict(note or {})
    for r in records:
        old = stored.get(r.key)
        if old is None:
            new_id = conn.execute(
                text(
                    """
                    INSERT INTO reference_feature (layer, key, name, attrs, source, geom)
                    VALUES (:layer, :key, :name, CAST(:attrs AS jsonb), :source,
                            ST_SetSRID(ST_GeomFromWKB(:wkb), 4326))
                    RETURNING id
                    """
                ),
                {
                    "layer": layer,
                    "key": r.key,
                    "name": r.name,
                    "attrs": json_text(dict(r.attrs)),
                    "source": r.source,
                    "wkb": r.wkb,
                },
            ).scalar_one()
            changes: dict[str, list[Any]] = {
                "layer": [None, layer],
                "key": [None, r.key],
                "name": [None, r.name],
                "geometry": [None, _summary(r.wkb)],
            }
            entries.append(
                Entry(
                    "crear_referencia",
                    "reference_feature",
                    new_id,
                    {"version": 1, "changes": changes, **extra},
                )
            )
            report.created += 1
            continue
        changes = {}  # field -> [before, after]
        if old.name != r.name:
            changes["name"] = [old.name, r.name]
        if dict(old.attrs) != json.loads(json_text(dict(r.attrs))):
            changes["attrs"] = [dict(old.attrs), dict(r.attrs)]
        if old.source != r.source:
            changes["source"] = [old.source, r.source]
        if not same_geometry(shapely.from_wkb(bytes(old.wkb)), shapely.from_wkb(r.wkb)):
            changes["geometry"] = [_summary(bytes(old.wkb)), _summary(r.wkb)]
        if not changes:
            report.unchanged += 1
            continue
        conn.execute(
            text(
                """
                UPDATE reference_feature
                   SET name = :name, attrs = CAST(:attrs AS jsonb), source = :source,
                       geom = ST_SetSRID(ST_GeomFromWKB(:wkb), 4326),
                       version = version + 1, updated_at = now()
                 WHERE id = :id
                """
            ),
            {
                "id": old.id,
                "name": r.name,
                "attrs": json_text(dict(r.attrs)),
                "source": r.source,
                "wkb": r.wkb,
            },
        )
        entries.append(
            Entry(
                "editar_referencia",
                "reference_feature",
                old.id,
                {"version": old.version + 1, "changes": changes, **extra},
            )
        )
        report.updated += 1
        report.changed_keys.append(r.key)
    gone = [row for key, row in stored.items() if key not in set(keys)]
    if gone:
        conn.execute(
            text("DELETE FROM reference_feature WHERE id = ANY(:ids)"), {"ids": [g.id for g in gone]}
        )
        for g in gone:
            entries.append(
                Entry(
                    "eliminar_referencia",
                    "reference_feature",
                    g.id,
                    {"changes": {"key": [g.key, None], "name": [g.name, None]}, **extra},
                )
            )
        report.removed = len(gone)
    record(conn, actor, entries)
    log.info("reference layer %s: %s by %s", layer, report, actor.describe())
    return report
