"""Cached reads for the initiative editor (keyed by the data version like ui.state)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from geo import editdata, mapdata, sites
from ui.state import engine


@st.cache_data(show_spinner=False, max_entries=4)
def choices(version: str) -> dict[str, Any]:
    """Catalogue (strategy, plan, program) and territory choices."""
    with engine().connect() as conn:
        return {**editdata.catalogue_choices(conn), "territories": editdata.territory_choices(conn)}


@st.cache_data(show_spinner=False, max_entries=4)
def map_layers(version: str) -> dict[str, Any]:
    """Commune limit and UVs/localities for the drawing map."""
    with engine().connect() as conn:
        return {"commune": mapdata.base_layers(conn)["commune"],
                "territories": mapdata.territory_features(conn, mapdata.MapFilters())}


@st.cache_data(show_spinner=False, max_entries=16)
def initiative_list(key: tuple, version: str) -> list[tuple[int, str, str]]:
    """(id, code, name) of the initiatives that pass the shared filters."""
    with engine().connect() as conn:
        df = mapdata.filtered_initiatives(conn, mapdata.MapFilters(*key))
    return list(zip(df["id"].astype(int), df["code"], df["name"], strict=True))


def initiative(initiative_id: int) -> dict[str, Any] | None:
    """The stored initiative (never cached: the version must be the current one)."""
    with engine().connect() as conn:
        return editdata.load_initiative(conn, initiative_id)


def history(initiative_id: int) -> list[dict[str, Any]]:
    """Its status history, newest first."""
    with engine().connect() as conn:
        return editdata.status_history(conn, initiative_id)


def territory_shape(territory_id: int) -> dict[str, Any]:
    """One territory as a FeatureCollection (to highlight what would be copied)."""
    with engine().connect() as conn:
        return editdata.territory_geojson(conn, [territory_id])


def unlocated_sites() -> list[dict[str, Any]]:
    """Named sites still without a location."""
    with engine().connect() as conn:
        return sites.unlocated_sites(conn)
