"""Synthetic demo portfolio: reproducible, flagged ``is_demo``, removable exactly.

The catalogue of the PLADECO has no statuses, amounts or geometries; demos and benchmarks
need them. This module invents them on request only, inside the real territories, and
marks every row so that the pages announce it and ``sit demo clear`` removes it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep
from sqlalchemy import Connection, Engine, text

from geo.db import transaction
from geo.domain import FUNDING_LINE_SOURCES, STATUSES
from geo.errors import DataError
from geo.store.actor import Actor
from geo.store.funding import FundingLineValues
from geo.store.initiatives import InitiativeChange, delete_demo, save_initiatives
from geo.store.permissions import require

log = logging.getLogger(__name__)

DEMO_SOURCE = "demo"
ACTIONS = (
    "Mejoramiento",
    "Construcción",
    "Reposición",
    "Conservación",
    "Habilitación",
    "Ampliación",
    "Diagnóstico",
    "Normalización",
)
OBJECTS = (
    "sede social",
    "plaza",
    "multicancha",
    "pavimento participativo",
    "luminarias",
    "área verde",
    "red de agua potable",
    "veredas",
    "paradero",
    "centro comunitario",
    "posta",
    "escuela",
    "cierre perimetral",
    "alcantarillado",
    "ciclovía",
)


@dataclass(frozen=True)
class DemoResult:
    """How many demo initiatives and links a generation wrote."""

    initiatives: int
    links: int


def _random_point(rng: np.random.Generator, poly: BaseGeometry) -> shapely.Point:
    minx, miny, maxx, maxy = poly.bounds
    prepared = prep(poly)
    while True:
        p = shapely.Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if prepared.contains(p):
            return p


def _random_geometry(rng: np.random.Generator, poly: BaseGeometry) -> BaseGeometry:
    """A point (80 %), a short street-like line (10 %) or a small block polygon (10 %)."""
    p = _random_point(rng, poly)
    draw = rng.random()
    if draw < 0.8:
        return p
    # Offsets of ~50-300 m in degrees at latitude -28.6.
    dx, dy = rng.uniform(-0.003, 0.003, size=2)
    if draw < 0.9:
        line = shapely.LineString([(p.x, p.y), (p.x + dx, p.y + dy)])
        clipped = line.intersection(poly)
        return clipped if clipped.geom_type == "LineString" and clipped.length > 0 else p
    size = abs(dx) / 3 + 0.0003
    square = shapely.box(p.x, p.y, p.x + size, p.y + size).intersection(poly)
    return square if square.geom_type == "Polygon" and square.area > 0 else p


def _territory_polygons(conn: Connection) -> list[tuple[int, str, BaseGeometry]]:
    rows = conn.execute(
        text(
            """
        SELECT t.id, t.sector,
               ST_AsBinary(COALESCE(ST_Intersection(t.geom, c.geom), t.geom)) AS wkb
          FROM territory t
          LEFT JOIN boundary c ON c.kind = 'limite_comunal'
         WHERE t.kind = 'unidad_vecinal' AND t.geom IS NOT NULL
         ORDER BY t.code
        """
        )
    ).all()
    return [(r.id, r.sector or "rural", shapely.from_wkb(bytes(r.wkb))) for r in rows]


def generate_demo(engine: Engine | Connection, initiatives: int, seed: int, actor: Actor) -> DemoResult:
    """Write ``initiatives`` synthetic initiatives (same seed, same portfolio); needs ``demo``."""
    require(actor, "demo")
    if initiatives <= 0:
        raise DataError("La cantidad de iniciativas de demostración debe ser mayor que cero.")
    rng = np.random.default_rng(seed)
    with transaction(engine) as conn:
        programs = conn.execute(
            text(
                """
            SELECT g.id AS program_id, p.id AS plan_id, p.strategy_id
              FROM program g JOIN plan p ON p.id = g.plan_id ORDER BY g.code
            """
            )
        ).all()
        if not programs:
            raise DataError("No hay catálogo del PLADECO cargado: ejecute «sit load pladeco».")
        polygons = _territory_polygons(conn)
        if not polygons:
            raise DataError("No hay unidades vecinales con geometría: ejecute «sit load base».")
        # Most public works happen where people live: 3 of 4 demo items in urban UVs.
        urban = [i for i, (_, sector, _) in enumerate(polygons) if sector == "urbano"]
        rural = [i for i, (_, sector, _) in enumerate(polygons) if sector != "urbano"]
        statuses = list(STATUSES)
        rows = []
        for n in range(1, initiatives + 1):
            pool = urban if (urban and (rng.random() < 0.75 or not rural)) else rural
            _, _, poly = polygons[pool[int(rng.integers(len(pool)))]]
            program = programs[int(rng.integers(len(programs)))]
            kind = "estudio" if rng.random() < 0.2 else "proyecto"
            amount = int(round(float(rng.lognormal(17.5 if kind == "proyecto" else 16.0, 1.0)), -3))
            start = int(rng.integers(2014, 2018))
            name = (
                f"[DEMO] {ACTIONS[int(rng.integers(len(ACTIONS)))]} "
                f"{OBJECTS[int(rng.integers(len(OBJECTS)))]} N° {n}"
            )
            rows.append(
                {
                    "code": f"DEMO-{seed}-{n:05d}",
                    "name": name,
                    "kind": kind,
                    "strategy_id": program.strategy_id,
                    "plan_id": program.plan_id,
                    "program_id": program.program_id,
                    "status": statuses[int(rng.integers(len(statuses)))],
                    "start": start,
                    "end": (end := start + int(rng.integers(0, 4))),
                    "funding": _demo_lines(rng, amount, start, end),
                    "description": f"Dato sintético de demostración (semilla {seed}); no es del PLADECO.",
                    "wkb": shapely.to_wkb(_random_geometry(rng, poly)),
                }
            )
        existing = set(
            conn.execute(
                text("SELECT code FROM initiative WHERE code = ANY(:c)"), {"c": [r["code"] for r in rows]}
            ).scalars()
        )
        changes = [
            InitiativeChange(
                values={
                    "code": r["code"],
                    "name": r["name"],
                    "kind": r["kind"],
                    "strategy_id": r["strategy_id"],
                    "plan_id": r["plan_id"],
                    "program_id": r["program_id"],
                    "status": r["status"],
                    "scope": "localizada",
                    "responsible_unit": "SECPLAC (demo)",
                    "start_year": r["start"],
                    "end_year": r["end"],
                    "description": r["description"],
                },
                geometry=r["wkb"],
                set_geometry=True,
                funding=r["funding"],
                source=DEMO_SOURCE,
                is_demo=True,
            )
            for r in rows
            if r["code"] not in existing  # the same seed twice adds nothing
        ]
        save_initiatives(conn, actor, changes)
        links = conn.execute(
            text(
                "SELECT count(*) FROM initiative_territory it JOIN initiative i ON i.id = it.initiative_id "
                "WHERE i.is_demo AND it.link_method = 'geometria'"
            )
        ).scalar_one()
        # Fresh statistics: without them the planner picks poor plans right after a bulk load.
        conn.execute(text("ANALYZE initiative"))
        conn.execute(text("ANALYZE initiative_territory"))
    return DemoResult(initiatives=len(changes), links=links)


#: Ministries and services named by the demo's sectorial lines.
_SECTORS = ("MINVU", "MOP", "MINSAL", "MINEDUC", "IND", "SUBDERE")
#: How often a demo line has each source (municipal and FNDR money is the most common).
_SOURCE_WEIGHTS = {
    "municipal": 4,
    "fndr": 3,
    "fril": 2,
    "pmu": 2,
    "pmb": 1,
    "sectorial": 2,
    "privado": 1,
    "otro": 1,
}


def _demo_lines(rng: np.random.Generator, amount: int, start: int, end: int) -> list[FundingLineValues]:
    """One to three funding lines that add up to ``amount`` (to the thousand), in start..end.

    Earlier years are spent (``ejecutado``) or approved, later ones approved or applied for;
    one line in ten that is applied for has no amount yet (never a made-up $ 0).
    """
    codes = list(FUNDING_LINE_SOURCES)
    weights = np.array([_SOURCE_WEIGHTS[c] for c in codes], dtype=float)
    k = int(rng.integers(1, 4))
    shares = rng.dirichlet(np.ones(k))
    parts = [int(round(amount * float(s), -3)) for s in shares[:-1]]
    parts.append(amount - sum(parts))
    years = sorted(int(y) for y in rng.integers(start, end + 1, size=k))
    lines = []
    for part, year in zip(parts, years, strict=True):
        source = codes[int(rng.choice(len(codes), p=weights / weights.sum()))]
        detail = _SECTORS[int(rng.integers(len(_SECTORS)))] if source == "sectorial" else None
        late = (year - start) / max(1, end - start)
        stage = ("ejecutado", "aprobado", "postulado")[min(2, int(late * 2 + rng.random()))]
        unknown = stage == "postulado" and rng.random() < 0.1
        lines.append(FundingLineValues(source, detail, year, None if unknown else max(part, 0), stage))
    return lines


def clear_demo(engine: Engine | Connection, actor: Actor) -> int:
    """Delete every demo row (initiatives, and workshops/needs flagged demo); return the count."""
    return delete_demo(engine, actor)
