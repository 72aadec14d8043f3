"""Cached engine, cached query results keyed by (filters, data version), and banners."""

from __future__ import annotations

import logging
from typing import Any, NoReturn

import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

from geo.catalogue import choices as catalogue_choices
from geo.db import get_engine
from geo.domain import format_int
from geo.initiatives import queries as mapdata
from geo.initiatives.filters import MapFilters
from geo.investment.labels import money
from geo.settings import get_settings
from geo.sheets.cells import table_csv
from geo.territory.population import population_table
from geo.territory.queries import base_layers, territory_features
from layers.initiative_points import EncodedInitiatives, encode_initiatives
from layers.sanitize import clean_feature_collection
from layers.territory_shading import encode_territories
from ui.filters import DEMO_TOGGLE

log = logging.getLogger(__name__)


#: Shown instead of the page while PostgreSQL does not answer (a restart, a network cut).
DATABASE_UNREACHABLE = (
    "No se pudo conectar a la base de datos. Si se está reiniciando, espere un momento y pulse "
    "«Reintentar»: no hace falta recargar la página. Si sigue sin responder, revise "
    "DATABASE_URL o ejecute `scripts/run.sh`, que prepara una base local."
)


def engine() -> Engine:
    """One engine per process and database URL.

    Its pool checks a connection before lending it (``pool_pre_ping``, ``geo.db``): after
    PostgreSQL restarts, or cuts the app's connections, the next query gets a new one.
    """
    return _engine(get_settings().database_url)


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return get_engine(url)


def data_version() -> str:
    """Current data fingerprint (cheap query; part of every cache key)."""
    with engine().connect() as conn:
        return mapdata.data_version(conn)


def database_ready() -> tuple[str, None] | tuple[None, str]:
    """(the data version, None) when the database answers and is migrated, else (None, a Spanish explanation).

    The router's first query of every run; it hands the version on (``ui.frame.draw_frame``),
    so a run asks for it once.
    """
    try:
        with engine().connect() as conn:
            return mapdata.data_version(conn), None
    except OperationalError as exc:
        log.warning("database unreachable: %s", exc.orig or exc)
        return None, DATABASE_UNREACHABLE
    except ProgrammingError:
        return None, "La base de datos no tiene el esquema del SIT: ejecute `sit db upgrade`."


def database_problem(problem: str) -> NoReturn:
    """Show ``problem`` with a «Reintentar» button in place of the page, then stop the run.

    The button is the next interaction of an open tab: its click reruns the app, which
    checks the database again and draws the page once it answers (no reload needed). The
    shared filters are not drawn meanwhile; they keep their values (``persist_state``).
    """
    st.error(problem, icon="🔌")
    st.button("Reintentar", key="_sit_retry_database", type="primary")
    st.stop()


def database_lost(exc: OperationalError) -> NoReturn:
    """The database went away while the page was running: log it, then as :func:`database_problem`."""
    log.warning("database connection lost while drawing the page", exc_info=exc)
    database_problem(DATABASE_UNREACHABLE)


@st.cache_data(show_spinner=False, max_entries=8)
def filter_options(version: str) -> dict[str, Any]:
    """Choices for the shared filters."""
    with engine().connect() as conn:
        return catalogue_choices.filter_options(conn)


@st.cache_data(show_spinner="Preparando el mapa…", max_entries=32)
def map_payload(key: tuple, version: str) -> dict[str, Any]:
    """Everything the map page draws for one filter selection, as plain dicts/DataFrames."""
    filters = MapFilters(*key)
    with engine().connect() as conn:
        table = mapdata.filtered_initiatives(conn, filters)
        territories = clean_feature_collection(territory_features(conn, filters))
        # Sanitised once here, where the result is cached, not on every rerun.
        view = initiatives_table(table)
        payload = {
            "table": table,
            # The Spanish table and its CSV, built once per selection instead of every rerun.
            "view": view,
            "csv": table_csv(view),
            # Which initiatives of the map's store (initiative_store) the filters show.
            "selected": tuple(int(i) for i in table.loc[table["has_geometry"], "id"]),
            "territories": territories,
            # Their shapes and names for the map's fixed part: the same for every selection.
            "territory_store": encode_territories(territories),
            "base": {k: clean_feature_collection(v) for k, v in base_layers(conn).items()},
            "strategies": [
                tuple(r)
                for r in conn.exec_driver_sql(
                    "SELECT position, code, name FROM strategy ORDER BY position"
                ).all()
            ],
        }
    return payload


@st.cache_data(show_spinner="Preparando el mapa…", max_entries=2)
def initiative_store(version: str) -> EncodedInitiatives:
    """Every initiative with a geometry (demo and archived included), encoded once for the map.

    No filter changes it, so the map is built once per data version and keeps its view
    whatever the person filters (a toggle of demo data too); each selection only says which
    of these to show (``map_payload(...)["selected"]``).
    """
    everything = MapFilters(include_demo=True, include_archived=True)
    with engine().connect() as conn:
        return encode_initiatives(mapdata.initiative_features(conn, everything))


@st.cache_data(show_spinner="Calculando la población…", max_entries=4)
def population(version: str) -> dict[int, dict[str, Any]]:
    """Population shown for each UV and locality id, the one figure of every page.

    From :func:`geo.territory.population.population_table` (official figure where the
    municipality imported one, else the Census 2017 estimate), with its source and note.
    Cached by data version: the estimate runs the dasymetric overlay in PostGIS.
    """
    with engine().connect() as conn:
        table = population_table(conn)
    return {r["id"]: {k: r[k] for k in ("population", "official", "source", "note")} for r in table.rows}


@st.cache_data(show_spinner=False, max_entries=8)
def quality(version: str) -> mapdata.QualityReport:
    """The data-quality report."""
    with engine().connect() as conn:
        return mapdata.data_quality(conn)


def demo_banner(version: str, shown: bool) -> None:
    """Announce demo data on every page while any exists: whether it is shown, and how to change it."""
    n = quality(version).demo_initiatives
    if not n:
        return
    if shown:
        st.warning(
            f"**Datos de demostración a la vista:** se muestran {format_int(n)} iniciativas "
            "sintéticas (no son del PLADECO) junto a las reales. Para ocultarlas, desactive "
            f"«{DEMO_TOGGLE}» en la barra lateral; para eliminarlas de la base, ejecute "
            "`sit demo clear`.",
            icon="⚠️",
        )
    else:
        st.info(
            f"**Hay datos de demostración en la base:** {format_int(n)} iniciativas sintéticas "
            "(no son del PLADECO), que **no se muestran**. Para verlas, active "
            f"«{DEMO_TOGGLE}» en la barra lateral.",
            icon="ℹ️",
        )


def initiatives_table(df: pd.DataFrame) -> pd.DataFrame:
    """The filtered initiatives with Spanish column names and CLP amounts."""
    from geo.domain import INITIATIVE_KINDS, SCOPES, status_label

    return pd.DataFrame(
        {
            "Código": df["code"],
            "Iniciativa": df["name"],
            "Tipo": df["kind"].map(INITIATIVE_KINDS),
            "Estrategia": df["strategy_code"] + " · " + df["strategy_name"],
            "Plan": df["plan_name"],
            "Programa": df["program_name"].fillna("—"),
            "Estado": df["status"].map(status_label),
            "Monto": df["total_clp"].map(lambda v: money(None if pd.isna(v) else int(v))),
            "Fuente de financiamiento": df["sources"].fillna("—"),
            "Alcance": df["scope"].map(SCOPES),
            "Territorios": df["territories"].replace("", "—"),
            "Demo": df["is_demo"].map({True: "Sí", False: ""}),
        }
    )
