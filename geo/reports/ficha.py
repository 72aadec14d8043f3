"""The Ficha territorial: what one printed page says about a UV or a rural locality.

:func:`ficha_pages` gathers, for some territories at once, everything a page shows, as
plain JSON-ready dicts of text already formatted in es-CL:

* investment from :mod:`geo.investment` only (attributed, per inhabitant against the
  commune, by source and by strategy, the initiatives largest first): the same figures as
  the page «Inversión por territorio» and ``sit investment``;
* population and its source, access to services and the gaps from :mod:`geo.coverage`
  (what Brechas shows for that territory, with the same filters);
* the map, drawn by :mod:`geo.reports.map_svg`.

The template (:mod:`geo.reports.render`) only lays these texts out: it never formats a
number, so a figure reads the same on screen, in the CLI and on paper.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from geo.coverage.allocation import Coverage, GapRules, compute_coverage
from geo.domain import INITIATIVE_KINDS, SECTOR_FILTERS, format_datetime, format_int, status_label
from geo.errors import DataError
from geo.initiatives.filters import FILTERED_SQL, filter_params
from geo.investment import labels as L
from geo.investment.attribution import TerritoryInvestment, territories_investment
from geo.investment.lines import InvestmentFilters
from geo.reports.map_svg import (
    MapLayers,
    containing_uv,
    drawn_initiatives,
    load_map_layers,
    territory_map_svg,
)
from geo.reports.render import render_pdf
from geo.territory.focus import located_territories
from geo.territory.gazetteer import Gazetteer
from geo.workshops.plan import TerritoryNeeds, territory_needs_summary

log = logging.getLogger(__name__)

#: The most initiatives and gaps a page could hold; the template prints as many
#: initiatives as fit under the rest and counts the others ("y N más").
MAX_INITIATIVES = 40
MAX_GAPS = 6
#: The needs without an answer a page lists (most votes first; the rest counted).
MAX_UNANSWERED = 3
#: Longest initiative name and strategy name printed on one line of a table.
NAME_CHARS = 78
STRATEGY_CHARS = 46

#: The data behind every page, named in its footer (data/SOURCES.md).
SOURCES = (
    "Iniciativas: catálogo del PLADECO Vallenar y registros de la SECPLAC. "
    "Unidades vecinales: Ministerio de Desarrollo Social y Familia. Localidades, manzanas y "
    "distritos: INE (precenso 2016). Límite comunal: IDE Chile (DPA 2023). Establecimientos: "
    "MINEDUC (Directorio Oficial 2025) y MINSAL (DEIS)."
)


@dataclass(frozen=True)
class Located:
    """A territory a ficha can be made of: a located UV or rural locality."""

    id: int
    kind: str
    label: str


def _short(value: str, limit: int) -> str:
    """``value`` on one line of a table: cut at a word with an ellipsis when too long."""
    value = " ".join(str(value).split())
    if len(value) <= limit:
        return value
    cut = value[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;·-–") + "…"


def _km(metres: float) -> str:
    return f"{metres / 1000:.1f}".replace(".", ",") + "\u00a0km"


def _count(n: int, noun: str) -> str:
    """``1 iniciativa``, ``12 iniciativas``."""
    return f"{format_int(n)} {noun}" + ("" if n == 1 else "s")


def _more(n: int) -> str:
    """``y 12 más``: what did not fit on the page; empty when everything did."""
    return f"y {format_int(n)} más" if n > 0 else ""


def _percent(part: float, whole: float) -> str:
    """``14 %`` (a no-break space before the sign); ``< 1 %`` for a small share that is not zero."""
    if not whole:
        return ""
    value = 100 * part / whole
    return "<\u00a01\u00a0%" if 0 < value < 0.5 else f"{value:.0f}\u00a0%"


def _nb(value: str) -> str:
    """Keep "$" on the line of its figure (a no-break space, as es-CL typesetting does)."""
    return value.replace("$ ", "$\u00a0")


def _money(amount: int | None) -> str:
    return _nb(L.money(amount))


def _per_inhabitant(value: float | None, has_amounts: bool) -> str:
    return _nb(L.per_inhabitant(value, has_amounts))


def territories(conn: Connection) -> list[Located]:
    """Every located UV and rural locality, UVs first (the order of a booklet)."""
    return [Located(i, kind, label) for i, kind, label in located_territories(conn)]


def find_territory(conn: Connection, written: str) -> Located:
    """The UV or locality named ``written`` as the gazetteer understands it ("UV 05", "Domeyko").

    Raises:
        DataError: in Spanish, when the name is unknown, ambiguous, or not a UV or locality.
    """
    match = Gazetteer.load(conn).match(written)
    if match.place is None:
        raise DataError(f"No se encontró el territorio «{written.strip()}»: {match.problem}.")
    place = match.place
    found = next((t for t in territories(conn) if t.id == place.id), None)
    if place.target != "territory" or found is None:
        raise DataError(
            f"«{written.strip()}» es {place.name}, que no es una unidad vecinal ni una localidad "
            "rural ubicada: la ficha territorial se hace de esas."
        )
    return found


def _demo_in_view(conn: Connection, filters: InvestmentFilters) -> bool:
    if not filters.map.include_demo:
        return False
    sql = f"""WITH sel AS ({FILTERED_SQL})
              SELECT EXISTS (SELECT 1 FROM sel JOIN initiative i ON i.id = sel.id WHERE i.is_demo)"""
    return bool(conn.execute(text(sql), filter_params(filters.map)).scalar())


def filters_text(filters: InvestmentFilters) -> str:
    """The filters of the pages, in Spanish, for their footer."""
    f, parts = filters.map, []
    if f.strategies:
        parts.append("estrategias " + ", ".join(f.strategies))
    if f.plans:
        parts.append("planes " + ", ".join(f.plans))
    if f.kinds:
        parts.append("tipos " + ", ".join(INITIATIVE_KINDS.get(k, k).lower() for k in f.kinds))
    if f.statuses:
        parts.append("estados " + ", ".join(status_label(s).lower() for s in f.statuses))
    if f.sectors:
        parts.append("sectores " + ", ".join(SECTOR_FILTERS.get(s, s).lower() for s in f.sectors))
    if filters.year_from is not None or filters.year_to is not None:
        parts.append(f"años {filters.year_from or '…'}–{filters.year_to or '…'}")
    if filters.sources:
        sources = (L.source_label(None if s == L.NO_SOURCE else s) for s in filters.sources)
        parts.append("fuentes " + ", ".join(sources))
    if filters.stages:
        stages = (L.stage_label(None if s == L.NO_STAGE else s).lower() for s in filters.stages)
        parts.append("etapas " + ", ".join(stages))
    parts.append("con datos de demostración" if f.include_demo else "sin datos de demostración")
    if f.include_archived:
        parts.append("con iniciativas archivadas")
    return "Filtros: " + "; ".join(parts) + "."


def _breakdown(rows: list[Any], total: int | None, label_chars: int) -> list[dict[str, Any]]:
    return [
        {
            "label": _short(b.label, label_chars),
            "amount": _money(b.amount_clp),
            "share": (b.amount_clp / total) if total else 0.0,
            "percent": _percent(b.amount_clp, total or 0),
            "n": L.count(b.n_initiatives),
        }
        for b in rows
    ]


def _access(cov: Coverage, tid: int) -> list[str]:
    acc = cov.access[cov.access["id"] == tid]
    if acc.empty:
        return []
    a = acc.iloc[0]

    def km(m: Any) -> str:
        return "sin información" if m is None or m != m else _km(m)

    return [
        f"Salud en funcionamiento más cercana: {km(a['health_m'])}; "
        f"educación: {km(a['school_m'])} (distancia media de sus habitantes).",
        f"Dentro del territorio: {format_int(a['health_inside'])} establecimiento(s) de salud y "
        f"{format_int(a['schools_inside'])} educacional(es) en funcionamiento.",
    ]


def _needs(summary: TerritoryNeeds | None) -> dict[str, Any] | None:
    """What residents asked for in the territory's workshops, and what the plan answers (issue 12)."""
    if summary is None or not summary.total:
        return None
    return {
        "line": (
            f"{format_int(summary.total)} "
            + ("necesidad registrada" if summary.total == 1 else "necesidades registradas")
            + f" en talleres: {format_int(summary.answered)} con respuesta del plan, "
            f"{format_int(summary.unanswered_count)} sin respuesta."
        ),
        "by_strategy": [
            f"{_short(g.strategy_name, STRATEGY_CHARS)}: {format_int(g.total)} "
            f"({format_int(g.answered)} con respuesta)"
            for g in summary.strategies
        ],
        "unanswered": [
            f"«{_short(u['text'], 70)}» ({u['kind'].lower()}, {_count(int(u['votes']), 'voto')})"
            for u in sorted(summary.unanswered, key=lambda u: -int(u["votes"]))[:MAX_UNANSWERED]
        ],
        "more_unanswered": _more(len(summary.unanswered) - MAX_UNANSWERED),
    }


def _page(
    t: Located,
    inv: TerritoryInvestment,
    commune_total: int | None,
    cov: Coverage,
    layers: MapLayers,
    needs: TerritoryNeeds | None = None,
) -> dict[str, Any]:
    row = inv.row
    has_amounts = row.attributed_clp is not None
    terr = cov.territories[cov.territories["id"] == t.id]
    sector = terr["sector"].iloc[0] if not terr.empty else None
    note = terr["note"].iloc[0] if not terr.empty else None
    note = note if isinstance(note, str) else ""  # pandas gives NaN for none
    if t.kind == "unidad_vecinal":
        subtitle = "Unidad vecinal" + {"urbano": " urbana", "rural": " rural"}.get(str(sector), "")
    else:
        uv = containing_uv(layers, t.id)
        labels = dict(zip(cov.territories["id"].tolist(), cov.territories["label"].tolist(), strict=True))
        subtitle = (
            f"Localidad rural en la {labels[uv]} (su inversión también cuenta en esa unidad vecinal)"
            if uv in labels
            else "Localidad rural (su inversión también cuenta en la unidad vecinal que la contiene)"
        )
    pop = row.population
    commune_pc = inv.commune_per_inhabitant
    compare = ""
    if row.per_inhabitant is not None and commune_pc:
        compare = f"{_percent(row.per_inhabitant, commune_pc)} del promedio comunal"
    gaps = [_nb(g) for g in cov.gaps[cov.gaps["tid"] == t.id]["razon"].tolist()]
    items = inv.initiatives
    return {
        "title": t.label,
        "subtitle": subtitle,
        "map": territory_map_svg(layers, t.id),
        "map_note": f"En el mapa: {_count(drawn_initiatives(layers, t.id), 'iniciativa')} con geometría "
        "(las demás no tienen ubicación dibujada).",
        "population": f"{format_int(pop)} hab." if pop is not None else L.NO_POPULATION,
        "population_source": ". ".join(x for x in (row.population_source or "", note) if x),
        "attributed": _money(row.attributed_clp),
        "share_of_commune": (
            f"{_percent(row.attributed_clp or 0, commune_total)} de la inversión de la comuna"
            if has_amounts and commune_total
            else ""
        ),
        "per_inhabitant": _per_inhabitant(row.per_inhabitant, has_amounts),
        "commune_per_inhabitant": _per_inhabitant(commune_pc, commune_pc is not None),
        "compare": compare,
        "touching_label": L.TOUCHING_LABEL,
        "touching": _money(row.touching_clp),
        "n_initiatives": L.count(row.n_initiatives),
        "n_with_amounts": L.count(row.n_with_amounts),
        "has_amounts": has_amounts,
        "no_amounts": L.NO_AMOUNTS,
        "by_source": _breakdown(inv.breakdowns.get("source", []), row.attributed_clp, 30),
        "by_strategy": _breakdown(inv.breakdowns.get("strategy", []), row.attributed_clp, STRATEGY_CHARS),
        "initiatives": [
            {
                "name": _short(i.name, NAME_CHARS),
                "code": i.code,
                "strategy": i.strategy_code,
                "status": j["status_label"],
                "sources": _short(j["sources"], 18),
                "attributed": _money(i.attributed_clp),
            }
            for i in items[:MAX_INITIATIVES]
            for j in (i.as_json(),)
        ],
        # The template prints as many as fit: entry k is what to say when k are printed.
        "more_initiatives": [_more(len(items) - k) for k in range(min(len(items), MAX_INITIATIVES) + 1)],
        "access": _access(cov, t.id),
        "gaps": gaps[:MAX_GAPS],
        "more_gaps": _more(len(gaps) - MAX_GAPS),
        "needs": _needs(needs),
    }


def ficha_pages(
    conn: Connection, chosen: list[Located], filters: InvestmentFilters, now: datetime
) -> dict[str, Any]:
    """Everything the template prints for ``chosen`` (one page each, in that order)."""
    layers = load_map_layers(conn, filters.map)
    cov = compute_coverage(conn, filters.map, GapRules())
    report, investments = territories_investment(conn, [t.id for t in chosen], filters)
    needs = {n.territory_id: n for n in territory_needs_summary(conn, [t.id for t in chosen])}
    pages = [
        _page(t, inv, report.total_clp, cov, layers, needs.get(t.id))
        for t, inv in zip(chosen, investments, strict=True)
    ]
    rules = GapRules()
    return {
        "generated": f"Generado el {format_datetime(now)}",
        "gap_rules": (
            f"Umbrales de Brechas: inversión por habitante bajo el {100 * rules.per_capita_share:.0f}\u00a0% "
            f"del valor comunal; salud a más de {_km(rules.max_health_m)}; "
            f"educación a más de {_km(rules.max_school_m)}."
        ),
        "demo": _demo_in_view(conn, filters),
        "filters": filters_text(filters),
        "sources": SOURCES,
        "pages": pages,
    }


def ficha_pdf(
    conn: Connection, chosen: list[Located], filters: InvestmentFilters, now: datetime | None = None
) -> bytes:
    """The PDF of the fichas of ``chosen``, one A4 page each, in that order."""
    if not chosen:
        raise DataError("No hay territorios ubicados para hacer la ficha territorial.")
    return render_pdf("ficha.typ", ficha_pages(conn, chosen, filters, now or datetime.now(UTC)))
