"""Suggestions for the plan's sites "sin ubicar", on the real site names and reference layers."""

import pytest
from sqlalchemy import text

from geo.store.actor import Actor
from geo.store.permissions import NotAuthorised
from geo.territory.suggestions import confirm_suggestion, match_score, site_suggestions
from tests.support.actors import TESTER


def by_name(conn):
    ids = dict(conn.execute(text("SELECT name, id FROM territory WHERE kind = 'sitio'")).all())
    found = site_suggestions(conn)
    return {name: [(s.layer, s.feature_name) for s in found.get(i, [])] for name, i in ids.items()}


def test_the_sites_sources_name_get_their_candidates_and_the_others_none(conn):
    got = by_name(conn)
    assert got["Chamonate"] == [("punto_critico", "Chamonate")]
    assert got["Ladera Avda. Los Canales"] == [("punto_critico", "Avenida Los Canales")]
    assert got["Ladera Avda. Carlos Dittborn"] == [
        ("punto_critico", "Avenida Carlos Dittborn - Avenida Matta")
    ]
    assert got["Río Huasco"] == [("rio", "Rio Huasco")]
    # Every nursery of the SAG list, CONAF's at the Parque Municipal too (by the layer's kind), last.
    assert {layer for layer, _ in got["Vivero"]} == {"vivero"} and len(got["Vivero"]) == 5
    assert got["Vivero"][-1] == ("vivero", "Provincial De Conaf")
    # data/SOURCES.md: nothing was found for these; a partial word is no candidate.
    for name in ("Ladera Avda. Huasco", "Ladera Independencia", "Sector Norte", "Centro Cultural"):
        assert got[name] == [], name


@pytest.mark.parametrize(
    ("site", "feature", "matches"),
    [
        ("Ladera Avda. Carlos Dittborn", "Avenida Carlos Ditborn", True),  # a typo in the source
        ("Ladera Avda. Huasco", "Rio Huasco", False),  # "avenida" is not found
        ("Sector Norte", "El Morro Norte", False),  # one word: it must be the first
        ("Centro Cultural", "Centro", False),  # every word of the site must be there
        ("Vivero", "Vivero San Martin", True),
    ],
)
def test_every_word_of_the_site_must_be_in_the_feature(site, feature, matches):
    assert (match_score(site, feature) is not None) is matches


def _site(conn, name):
    return conn.execute(
        text(
            "SELECT id, version, geom IS NULL AS unplaced FROM territory WHERE kind = 'sitio' AND name = :n"
        ),
        {"n": name},
    ).one()


def test_a_person_confirms_one_and_the_history_says_where_it_came_from(conn):
    site = _site(conn, "Chamonate")
    (suggestion,) = site_suggestions(conn)[site.id]
    result = confirm_suggestion(conn, TESTER, site.id, suggestion.feature_id, site.version)
    assert result.version == site.version + 1 and not _site(conn, "Chamonate").unplaced
    same = conn.execute(
        text(
            "SELECT ST_Equals(t.geom, r.geom) FROM territory t, reference_feature r "
            "WHERE t.id = :t AND r.id = :r"
        ),
        {"t": site.id, "r": suggestion.feature_id},
    ).scalar()
    assert same
    details = (
        conn.execute(
            text(
                "SELECT details FROM audit_log WHERE table_name = 'territory' AND row_id = :r "
                "ORDER BY id DESC"
            ),
            {"r": str(site.id)},
        )
        .scalars()
        .first()
    )
    assert details["origen"]["elemento"] == "Chamonate" and "SENAPRED" in details["origen"]["fuente"]
    assert site.id not in site_suggestions(conn)  # placed: no longer waiting


@pytest.mark.parametrize("role", ["facilitador", "concejo", None])
def test_only_who_may_place_sites_confirms(conn, role):
    site = _site(conn, "Chamonate")
    (suggestion,) = site_suggestions(conn)[site.id]
    with pytest.raises(NotAuthorised):
        confirm_suggestion(
            conn, Actor("Otra persona", "prueba", role=role), site.id, suggestion.feature_id, site.version
        )
    assert _site(conn, "Chamonate").unplaced
