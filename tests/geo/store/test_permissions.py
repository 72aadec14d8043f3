"""The role table: who may do what, and the Spanish refusal (no database needed)."""

import pytest

from geo.domain import ROLES
from geo.store.actor import Actor
from geo.store.permissions import CAPABILITIES, NotAuthorised, allowed, require


@pytest.mark.parametrize(
    ("role", "may", "may_not"),
    [
        ("administrador", set(CAPABILITIES), set()),
        (
            "secplac",
            {"initiatives", "spreadsheets", "sites", "evaluation", "activity", "reports", "need_links"},
            {"official_layers", "population", "accounts", "demo", "workshops"},
        ),
        (
            "facilitador",
            {"workshops", "need_links", "reports", "names"},
            {"initiatives", "spreadsheets", "sites", "official_layers", "accounts", "activity"},
        ),
        (
            "concejo",
            {"reports", "names"},
            {"initiatives", "sites", "workshops", "need_links", "official_layers", "accounts"}
            | {"activity", "evaluation"},
        ),
        (None, set(), set(CAPABILITIES)),
    ],
)
def test_each_role_may_what_the_issue_table_says(role, may, may_not):
    assert all(allowed(role, c) for c in may)
    assert not any(allowed(role, c) for c in may_not)


def test_processes_and_the_operator_may_everything():
    for actor in (Actor.system("carga"), Actor.console()):
        for capability in CAPABILITIES:
            require(actor, capability)


def test_a_refusal_names_the_role_and_who_may():
    actor = Actor.account(7, "Carla Díaz", "concejo", "página Iniciativas")
    with pytest.raises(
        NotAuthorised, match="No autorizado: el rol Concejo Municipal no puede modificar iniciativas"
    ):
        require(actor, "initiatives")
    with pytest.raises(NotAuthorised, match="sin sesión iniciada"):
        require(Actor("visitante", "página Mapa"), "names")


def test_every_capability_names_known_roles():
    for _, roles in CAPABILITIES.values():
        assert roles <= set(ROLES)
