"""Cached reads for the initiative editor (keyed by the data version like ui.state)."""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st

from geo.catalogue.choices import catalogue_choices
from geo.initiatives import queries as mapdata
from geo.initiatives import read as editdata
from geo.initiatives.filters import MapFilters
from geo.territory import sites
from geo.territory.queries import base_layers, territory_choices, territory_features, territory_geojson
from ui import auth
from ui.state import engine

log = logging.getLogger(__name__)


@st.cache_data(show_spinner=False, max_entries=4)
def choices(version: str) -> dict[str, Any]:
    """Catalogue (strategy, plan, program) and territory choices."""
    with engine().connect() as conn:
        return {**catalogue_choices(conn), "territories": territory_choices(conn)}


@st.cache_data(show_spinner=False, max_entries=4)
def map_layers(version: str) -> dict[str, Any]:
    """Commune limit, UVs/localities and the placed sites for the drawing maps."""
    with engine().connect() as conn:
        base = base_layers(conn)
        return {
            "commune": base["commune"],
            "sites": base["sites"],
            "territories": territory_features(conn, MapFilters()),
        }


@st.cache_data(show_spinner=False, max_entries=16)
def initiative_list(key: tuple, version: str) -> list[tuple[int, str, str]]:
    """(id, code, name) of the initiatives that pass the shared filters."""
    with engine().connect() as conn:
        df = mapdata.filtered_initiatives(conn, MapFilters(*key))
    return list(zip(df["id"].astype(int), df["code"], df["name"], strict=True))


def initiative(initiative_id: int) -> dict[str, Any] | None:
    """The stored initiative (never cached: the version must be the current one)."""
    with engine().connect() as conn:
        return editdata.load_initiative(conn, initiative_id)


def changes(initiative_id: int) -> list[dict[str, Any]]:
    """Every change of the initiative (from the audit log), newest first; names only for accounts."""
    with engine().connect() as conn:
        return editdata.change_history(conn, initiative_id, auth.can("names"))


def history(initiative_id: int) -> list[dict[str, Any]]:
    """Its status history, newest first; names only for accounts."""
    with engine().connect() as conn:
        return editdata.status_history(conn, initiative_id, auth.can("names"))


def territory_shape(territory_id: int) -> dict[str, Any]:
    """One territory as a FeatureCollection (to highlight what would be copied)."""
    with engine().connect() as conn:
        return territory_geojson(conn, [territory_id])


def named_sites() -> list[dict[str, Any]]:
    """Every named site (located or "sin ubicar"), never cached: versions must be current."""
    with engine().connect() as conn:
        return sites.named_sites(conn)


def site_history(territory_id: int) -> list[dict[str, Any]]:
    """Each placement of a site, newest first; names only for accounts."""
    with engine().connect() as conn:
        return sites.site_history(conn, territory_id, auth.can("names"))
