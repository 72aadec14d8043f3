"""Loader of the reviewed PLADECO catalogue (``data/pladeco_2014_2017.yaml``).

Strategies, plans and programs form the hierarchy; the tracked initiatives are the plan's
leaves: every project and study, plus a program the plan lists without any project or
study (kind ``programa``) and a plan without programs (kind ``plan``). Statuses and
amounts are not in the plan, so they are left empty. Re-loading updates the plan's own
wording and links by name, and never touches what planners edited (status, amounts, ...)
nor links made by hand.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, Engine, text

from geo.db import transaction
from geo.domain import SCOPES
from geo.errors import DataError
from geo.store.actor import Actor
from geo.store.initiatives import InitiativeChange, save_initiatives
from geo.store.links import PlaceLinks
from geo.store.permissions import require
from geo.store.territories import TerritoryRecord, ensure_places
from geo.territory.names import slug

log = logging.getLogger(__name__)

CATALOGUE_FILE = "pladeco_2014_2017.yaml"
SOURCE = "pladeco_2014_2017"
SITE_SOURCE = "PLADECO 2014-2017: lugar nombrado en el plan, sin ubicar"
PLACE_PATTERNS = (
    r"sitio:.+",
    r"localidad:.+",
    r"localidades:rurales",
    r"sector:urbano",
    r"uv:todas",
    r"uv:\d{1,2}",
    r"escuelas:(municipales|rurales)",
    r"salud:(atencion_primaria|postas_rurales)",
    r"fuera:.+",
)
#: Facility selectors: what "todas las unidades educativas" and the municipal health
#: network mean in today's data (municipal schools passed to the SLEP Huasco in 2025).
_SCHOOL = (
    "facility.kind = 'escuela' AND facility.in_operation"
    " AND facility.dependency = 'Servicio Local de Educación (SLEP)'"
)
FACILITY_SELECTORS = {
    "escuelas:municipales": _SCHOOL,
    "escuelas:rurales": (
        _SCHOOL + " AND NOT EXISTS (SELECT 1 FROM boundary b WHERE b.kind = 'limite_urbano'"
        " AND ST_Intersects(b.geom, facility.geom))"
    ),
    "salud:atencion_primaria": (
        "facility.kind = 'salud' AND facility.in_operation AND facility.dependency = 'Municipal'"
    ),
    "salud:postas_rurales": (
        "facility.kind = 'salud' AND facility.in_operation"
        " AND facility.subtype = 'Posta de Salud Rural (PSR)'"
    ),
}
TERRITORY_SELECTORS = {
    "localidades:rurales": "kind = 'localidad'",
    "sector:urbano": "kind = 'unidad_vecinal' AND sector = 'urbano'",
    "uv:todas": "kind = 'unidad_vecinal'",
}


@dataclass
class Leaf:
    """One tracked initiative of the catalogue."""

    code: str
    name: str
    kind: str
    strategy: str
    plan: str | None
    program: str | None
    scope: str
    places: list[str]
    description: str | None = None


@dataclass
class CatalogueReport:
    """Counts written by a catalogue load."""

    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def read_catalogue(path: Path) -> dict[str, Any]:
    """Read and validate the catalogue file; raise DataError with a Spanish message."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataError(f"No se encontró el catálogo del PLADECO «{path}».") from exc
    except yaml.YAMLError as exc:
        raise DataError(f"«{path.name}» no es un YAML válido: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("strategies"), list):
        raise DataError(f"«{path.name}»: falta la lista «strategies».")
    seen: set[str] = set()

    def check_code(code: Any, where: str) -> None:
        if not isinstance(code, str) or not code:
            raise DataError(f"«{path.name}», {where}: falta el código.")
        if code in seen:
            raise DataError(f"«{path.name}», {where}: el código «{code}» está repetido.")
        seen.add(code)

    for s in doc["strategies"]:
        check_code(s.get("code"), "estrategia")
        for p in s.get("plans") or []:
            check_code(p.get("code"), f"plan de {s['code']}")
            for g in p.get("programs") or []:
                check_code(g.get("code"), f"programa de {p['code']}")
                for it in g.get("items") or []:
                    where = f"ítem {it.get('code')}"
                    check_code(it.get("code"), where)
                    if it.get("kind") not in ("proyecto", "estudio"):
                        raise DataError(f"«{path.name}», {where}: tipo «{it.get('kind')}» no válido.")
                    if it.get("scope") not in SCOPES:
                        raise DataError(f"«{path.name}», {where}: alcance «{it.get('scope')}» no válido.")
                    for place in it.get("places") or []:
                        if not any(re.fullmatch(pat, place) for pat in PLACE_PATTERNS):
                            raise DataError(f"«{path.name}», {where}: lugar «{place}» no reconocido.")
    return doc


def catalogue_leaves(doc: dict[str, Any]) -> list[Leaf]:
    """Flatten the catalogue into the initiatives that are tracked (the plan's leaves)."""
    leaves: list[Leaf] = []
    for s in doc["strategies"]:
        for p in s.get("plans") or []:
            programs = p.get("programs") or []
            if not programs:
                leaves.append(
                    Leaf(
                        p["code"],
                        p["name"],
                        "plan",
                        s["code"],
                        p["code"],
                        None,
                        "comunal",
                        [],
                        description=p.get("definition"),
                    )
                )
            for g in programs:
                items = g.get("items") or []
                if not items and g.get("name"):
                    leaves.append(
                        Leaf(
                            g["code"],
                            g["name"],
                            "programa",
                            s["code"],
                            p["code"],
                            g["code"],
                            g.get("scope", "comunal"),
                            g.get("places") or [],
                        )
                    )
                for it in items:
                    leaves.append(
                        Leaf(
                            it["code"],
                            it["name"],
                            it["kind"],
                            s["code"],
                            p["code"],
                            g["code"],
                            it["scope"],
                            it.get("places") or [],
                        )
                    )
    return leaves


def _upsert_hierarchy(conn: Connection, doc: dict[str, Any]) -> dict[str, int]:
    counts = {"strategies": 0, "plans": 0, "programs": 0}
    for i, s in enumerate(doc["strategies"], start=1):
        conn.execute(
            text(
                """
            INSERT INTO strategy (code, name, title, objective, position)
            VALUES (:code, :name, :title, :objective, :pos)
            ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, title = EXCLUDED.title,
                objective = EXCLUDED.objective, position = EXCLUDED.position
            """
            ),
            {
                "code": s["code"],
                "name": s["name"],
                "title": s.get("title") or s["name"],
                "objective": s.get("objective"),
                "pos": i,
            },
        )
        counts["strategies"] += 1
        for j, p in enumerate(s.get("plans") or [], start=1):
            conn.execute(
                text(
                    """
                INSERT INTO plan (strategy_id, code, name, definition, position)
                VALUES ((SELECT id FROM strategy WHERE code = :s), :code, :name, :definition, :pos)
                ON CONFLICT (code) DO UPDATE SET strategy_id = EXCLUDED.strategy_id,
                    name = EXCLUDED.name, definition = EXCLUDED.definition,
                    position = EXCLUDED.position
                """
                ),
                {
                    "s": s["code"],
                    "code": p["code"],
                    "name": p["name"],
                    "definition": p.get("definition"),
                    "pos": j,
                },
            )
            counts["plans"] += 1
            for k, g in enumerate(p.get("programs") or [], start=1):
                conn.execute(
                    text(
                        """
                    INSERT INTO program (plan_id, code, name, position)
                    VALUES ((SELECT id FROM plan WHERE code = :p), :code, :name, :pos)
                    ON CONFLICT (code) DO UPDATE SET plan_id = EXCLUDED.plan_id,
                        name = EXCLUDED.name, position = EXCLUDED.position
                    """
                    ),
                    {"p": p["code"], "code": g["code"], "name": g.get("name"), "pos": k},
                )
                counts["programs"] += 1
    return counts


def _territories_for(conn: Connection, place: str, named: dict[tuple[str, str], int]) -> list[int]:
    kind, _, value = place.partition(":")
    if kind in ("sitio", "localidad"):
        return [named[(kind, slug(value))]]
    if kind == "uv" and value.isdigit():
        return list(
            conn.execute(
                text("SELECT id FROM territory WHERE kind = 'unidad_vecinal' AND code = :c"),
                {"c": value.zfill(2)},
            ).scalars()
        )
    if place in TERRITORY_SELECTORS:
        return list(
            conn.execute(
                text(f"SELECT id FROM territory WHERE {TERRITORY_SELECTORS[place]} ORDER BY code")
            ).scalars()
        )
    if place in FACILITY_SELECTORS:
        # The territories of a facility-based place are the UVs that hold those facilities.
        return list(
            conn.execute(
                text(
                    f"""
            SELECT DISTINCT t.id FROM territory t JOIN facility ON ST_Intersects(t.geom, facility.geom)
             WHERE t.kind = 'unidad_vecinal' AND {FACILITY_SELECTORS[place]}
            """
                )
            ).scalars()
        )
    return []


def _facilities_for(conn: Connection, place: str) -> list[int]:
    if place not in FACILITY_SELECTORS:
        return []
    return list(
        conn.execute(
            text(f"SELECT id FROM facility WHERE {FACILITY_SELECTORS[place]} ORDER BY facility.code")
        ).scalars()
    )


def _named_places(conn: Connection, leaves: list[Leaf], actor: Actor, report: CatalogueReport) -> dict:
    """Ids of the sites and localities the plan names, creating missing ones "sin ubicar"."""
    records = {}
    for leaf in leaves:
        for place in leaf.places:
            kind, _, value = place.partition(":")
            if kind in ("sitio", "localidad"):
                records[(kind, slug(value))] = TerritoryRecord(kind, slug(value), value, SITE_SOURCE)
    known = {
        (r.kind, r.code)
        for r in conn.execute(text("SELECT kind, code FROM territory WHERE kind IN ('sitio', 'localidad')"))
    }
    for (kind, _), rec in records.items():
        if kind == "localidad" and (kind, rec.code) not in known:
            report.warnings.append(f"Localidad «{rec.name}» sin ubicación en los datos base.")
    return ensure_places(conn, actor, list(records.values()))


def load_catalogue(engine: Engine | Connection, path: Path, actor: Actor | None = None) -> CatalogueReport:
    """Load the catalogue in one transaction; link initiatives to the places they name.

    Initiatives are written through the one write path: only the plan's own wording
    (name, kind, place in the hierarchy, scope; the description while none was written)
    is compared and written, so what planners changed (status, amounts, notes, links made
    by hand or from a spreadsheet) stays. The plan's code lists and the places it names are
    the administrator's, like an official layer: the actor's role needs ``official_layers``
    and ``initiatives``, checked before anything is read.
    """
    actor = actor or Actor.system("carga del catálogo del PLADECO")
    require(actor, "official_layers")
    require(actor, "initiatives")
    doc = read_catalogue(path)
    report = CatalogueReport()
    with transaction(engine) as conn:
        uv_count = conn.execute(
            text("SELECT count(*) FROM territory WHERE kind = 'unidad_vecinal'")
        ).scalar_one()
        if uv_count == 0:
            raise DataError("No hay unidades vecinales cargadas: ejecute primero «sit load base».")
        report.counts.update(_upsert_hierarchy(conn, doc))
        leaves = catalogue_leaves(doc)
        named = _named_places(conn, leaves, actor, report)
        ids = {
            (r.level, r.code): r.id
            for r in conn.execute(
                text(
                    "SELECT 'strategy' AS level, code, id FROM strategy UNION ALL "
                    "SELECT 'plan', code, id FROM plan UNION ALL SELECT 'program', code, id FROM program"
                )
            )
        }
        existing = {
            r.code: r
            for r in conn.execute(
                text("SELECT id, code, description FROM initiative WHERE code = ANY(:c)"),
                {"c": [leaf.code for leaf in leaves]},
            )
        }
        changes = []
        links = facility_links = 0
        for leaf in leaves:
            territories: dict[int, str] = {}
            facilities: dict[int, str] = {}
            for place in leaf.places:
                for tid in _territories_for(conn, place, named):
                    territories.setdefault(tid, f"pladeco:{place}")
                for fid in _facilities_for(conn, place):
                    facilities.setdefault(fid, f"pladeco:{place}")
            links += len(territories)
            facility_links += len(facilities)
            values = {
                "code": leaf.code,
                "name": leaf.name,
                "kind": leaf.kind,
                "strategy_id": ids[("strategy", leaf.strategy)],
                "plan_id": ids.get(("plan", leaf.plan)) if leaf.plan else None,
                "program_id": ids.get(("program", leaf.program)) if leaf.program else None,
                "scope": leaf.scope,
            }
            old = existing.get(leaf.code)
            if leaf.description and (old is None or old.description is None):
                values["description"] = leaf.description
            changes.append(
                InitiativeChange(
                    values=values,
                    id=old.id if old else None,
                    place_links=PlaceLinks(territories, facilities, scope="pladeco:"),
                    source=SOURCE,
                    where=f"ítem {leaf.code} del catálogo",
                )
            )
        save_initiatives(conn, actor, changes)
        report.counts["initiatives"] = len(leaves)
        report.counts["territory_links"] = links
        report.counts["facility_links"] = facility_links
        conn.execute(text("ANALYZE initiative"))
        conn.execute(text("ANALYZE initiative_territory"))
    return report
