"""The gap list's order and texts, from hand-made tables (no database: the rules are pure)."""

import math

import pandas as pd

from geo.coverage.allocation import GapRules
from geo.coverage.gaps import find_gaps

TERRITORIES = [
    # id, kind, sector, label, population
    (1, "unidad_vecinal", "urbano", "UV 01 · Centro", 100),
    (2, "unidad_vecinal", "urbano", "UV 02 · Ñuble", 250),
    (3, "localidad", "rural", "Cachiyuyo", None),
]


def tables(cells):
    """The territories, and a matrix cell per (territory, strategy) from ``cells``."""
    terr = pd.DataFrame(TERRITORIES, columns=["id", "kind", "sector", "label", "population"])
    rows = []
    for tid, kind, _sector, label, pop in TERRITORIES:
        for code, name in (("E1", "Desarrollo social"), ("E2", "Medio ambiente")):
            n, n_commune, pc = cells.get((tid, code), (0, 0, math.nan))
            rows.append((tid, kind, label, pop, code, name, n, n_commune, pc))
    matrix = pd.DataFrame(
        rows,
        columns=[
            "tid",
            "kind",
            "label",
            "population",
            "strategy_code",
            "strategy_name",
            "n_iniciativas",
            "n_comunales",
            "inversion_per_capita",
        ],
    )
    return terr, matrix


def test_gaps_are_ranked_by_people_then_territory_then_the_rules_order():
    terr, matrix = tables(
        {
            (1, "E2"): (0, 2, math.nan),  # two commune-wide initiatives reach it
            (2, "E1"): (3, 0, 10.0),  # 10 per person against 100 in the commune
            (2, "E2"): (1, 0, 50.0),  # the commune's E2 figure is unknown: no comparison
        }
    )
    access = pd.DataFrame({"id": [1, 2], "health_m": [3600.0, None], "school_m": [6000.0, 100.0]})
    gaps = find_gaps(terr, matrix, access, GapRules(), {"E1": 100.0, "E2": None})

    assert list(zip(gaps["tipo"], gaps["territorio"], gaps["strategy_code"].fillna("—"), strict=True)) == [
        ("bajo_per_capita", "UV 02 · Ñuble", "E1"),
        # Three gaps of UV 01 weigh its 100 people: the matrix's order, then distances.
        ("sin_iniciativas", "UV 01 · Centro", "E1"),
        ("sin_iniciativas", "UV 01 · Centro", "E2"),
        ("distancia_educacion", "UV 01 · Centro", "—"),
        ("distancia_salud", "UV 01 · Centro", "—"),
        # A rural place without people known weighs nothing: last.
        ("rural_sin_iniciativas", "Cachiyuyo", "—"),
    ]
    assert gaps["puntaje"].tolist() == [225.0, 100.0, 100.0, 100.0, 20.0, 0.0]
    assert gaps["poblacion"].tolist()[:5] == [250, 100, 100, 100, 100]
    assert math.isnan(gaps["poblacion"].iloc[5])
    assert gaps["razon"].tolist() == [
        "La inversión por habitante de UV 02 · Ñuble en E1 · Desarrollo social ($ 10) es el 10 % "
        "del valor comunal ($ 100), bajo el umbral del 50 %.",
        "UV 01 · Centro (100 hab.) no tiene ninguna iniciativa vinculada de la estrategia "
        "E1 · Desarrollo social.",
        "UV 01 · Centro (100 hab.) no tiene ninguna iniciativa vinculada de la estrategia "
        "E2 · Medio ambiente; solo la alcanzan 2 iniciativa(s) de alcance comunal.",
        "Los habitantes de UV 01 · Centro viven en promedio a 6,0 km del establecimiento "
        "educacional en funcionamiento más cercano (umbral 3,0 km).",
        "Los habitantes de UV 01 · Centro viven en promedio a 3,6 km del establecimiento de salud "
        "en funcionamiento más cercano (umbral 3,0 km).",
        "La localidad rural Cachiyuyo (población sin información) no tiene ninguna iniciativa "
        "vinculada con los filtros actuales.",
    ]


def test_only_the_strategies_in_view_and_a_score_to_one_decimal():
    terr, matrix = tables({(1, "E1"): (1, 0, 33.3), (2, "E1"): (1, 0, 100.0), (3, "E1"): (1, 0, math.nan)})
    access = pd.DataFrame({"id": [1, 2, 3], "health_m": [0.0] * 3, "school_m": [0.0] * 3})
    gaps = find_gaps(terr, matrix, access, GapRules(per_capita_share=0.5), {"E1": 80.0}, ["E1"])
    # 33,3 of 80: 42 %, severity 0.58375 x 100 people.
    assert gaps[["tipo", "tid", "puntaje"]].values.tolist() == [["bajo_per_capita", 1, 58.4]]
    assert gaps["strategy_code"].tolist() == ["E1"]


def test_no_gap_is_an_empty_table_with_the_columns():
    terr, matrix = tables({(t, c): (1, 0, 100.0) for t in (1, 2, 3) for c in ("E1", "E2")})
    access = pd.DataFrame({"id": [1], "health_m": [10.0], "school_m": [10.0]})
    gaps = find_gaps(terr, matrix, access, GapRules(), {"E1": 100.0, "E2": 100.0})
    assert gaps.empty and list(gaps.columns) == [
        "tipo",
        "tipo_label",
        "tid",
        "territorio",
        "strategy_code",
        "razon",
        "poblacion",
        "puntaje",
    ]
