"""Place names as planners write them, against the real gazetteer of data/."""

import pytest

from geo.territory.gazetteer import ACCEPT, Gazetteer, normalize, split_places


@pytest.fixture(scope="module")
def gaz(engine):
    with engine.connect() as conn:
        return Gazetteer.load(conn)


@pytest.mark.parametrize(
    "written",
    [
        "UV 3",
        "U.V. N°3",
        "unidad vecinal 03",
        "uv3",
        "UV N° 3",
        "Quinta Valle",
        "QUINTA VALLE",
        "UV 3 Quinta Valle",
    ],
)
def test_uv_by_number_or_name(gaz, written):
    m = gaz.match(written)
    assert m.ok and m.place.kind == "unidad_vecinal" and m.place.code == "03"
    assert m.confidence == 100


@pytest.mark.parametrize(
    "written, name",
    [
        ("la compania", "La Compañía"),
        ("LA COMPAÑÍA", "La Compañía"),
        ("Rio Huasco", "Río Huasco"),
        ("liceo jose santos ossa", "LICEO JOSÉ SANTOS OSSA"),
        ("CESFAM Baquedano", "Centro de Salud Familiar Baquedano"),
        ("Posta Cachiyuyo", "Posta de Salud Rural Cachiyuyo"),
        ("Sitio: Vivero", "Vivero"),
    ],
)
def test_case_accents_aliases_and_prefixes(gaz, written, name):
    m = gaz.match(written)
    assert m.ok and m.place.name == name and m.confidence == 100


@pytest.mark.parametrize(
    "written, name",
    [
        ("Chamonat", "Chamonate"),
        ("Algarobal", "Algarrobal"),
        ("Incaguasi", "Incahuasi"),
        ("domeyco", "Domeyko"),
        ("quinta vale", "Quinta Valle"),
    ],
)
def test_typos_are_tolerated_with_a_confidence_below_100(gaz, written, name):
    m = gaz.match(written)
    assert m.ok and m.place.name == name
    assert ACCEPT <= m.confidence < 100


@pytest.mark.parametrize(
    "written, expected",
    [
        ("Huasco", ["UV 13", "UV 14", "Río Huasco"]),
        ("Torreblanca", ["UV 10", "UV 11"]),
        ("Hermanos Carrera", ["ESCUELA HERMANOS CARRERA", "Centro de Salud Familiar Hermanos Carrera"]),
    ],
)
def test_ambiguous_names_are_reported_not_guessed(gaz, written, expected):
    m = gaz.match(written)
    assert not m.ok and m.problem.startswith("ambiguo")
    for label in expected:
        assert f"«{label}»" in m.problem


@pytest.mark.parametrize("written", ["Copiapó", "Bellavista", "UV 99", "UV 3 Baquedano"])
def test_unknown_or_contradictory_names_are_reported(gaz, written):
    m = gaz.match(written)
    assert not m.ok and m.problem


def test_unknown_name_close_to_a_place_gets_a_suggestion(gaz):
    m = gaz.match("Domeykko Alto")
    assert not m.ok and "¿quiso decir" in m.problem and "Domeyko" in m.problem


def test_every_place_label_resolves_back_to_itself(gaz):
    for p in gaz.places:
        m = gaz.match(gaz.label(p))
        assert m.ok and m.place == p and m.confidence == 100, gaz.label(p)


def test_helpers():
    assert normalize("  U.V. N°3 – Ñuble ") == "u v n 3 nuble"
    assert split_places("UV 3; ; Domeyko ;") == ["UV 3", "Domeyko"]
