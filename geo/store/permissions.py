"""Who may do what: the role table of the accounts, checked by every write function.

The pages hide what a role may not use, but the rule lives here, on the server: every
function of :mod:`geo.store` that changes data starts with :func:`require`, so a page, a
spreadsheet, a layer file or ``sit --user`` asking on behalf of someone without the right
gets the same Spanish refusal (:class:`NotAuthorised`) and nothing is written.

| role | may |
|---|---|
| administrador | everything: accounts, official layers, population figures, demo data |
| secplac | initiatives, sites, spreadsheets, evaluation cuts, reports, the activity log |
| facilitador | workshops and residents' needs; reads everything else |
| secplac, facilitador | confirm which initiatives answer a need (``need_links``) |
| concejo | reads everything, downloads reports |
| público (no account) | with ``public_read``: the map, Brechas and investment pages, no names |
| participante (no account) | with a workshop's open participation code: send a need from a phone |

Processes acting on their own (``Actor.system``: the loaders of ``sit setup``, migrations)
and the operating-system user running ``sit`` without ``--user`` act as ``sistema``, which
may everything: whoever runs them already holds the database's credentials.
"""

from __future__ import annotations

import logging
from typing import Protocol

from geo.domain import ROLES
from geo.errors import DataError

log = logging.getLogger(__name__)

#: The role of processes and of the server's operator (``sit`` without ``--user``).
SYSTEM_ROLE = "sistema"
#: A resident sending a need from a phone with a workshop's open participation code: no
#: account and no name; it may only ``participate`` (:mod:`geo.store.participation`).
PARTICIPANT_ROLE = "participante"

#: Each capability, its Spanish name (used in the refusal) and the roles that have it.
CAPABILITIES: dict[str, tuple[str, frozenset[str]]] = {
    "initiatives": ("modificar iniciativas", frozenset({"administrador", "secplac"})),
    "spreadsheets": ("importar planillas", frozenset({"administrador", "secplac"})),
    "sites": ("ubicar sitios", frozenset({"administrador", "secplac"})),
    "evaluation": ("gestionar cortes de evaluación", frozenset({"administrador", "secplac"})),
    "official_layers": ("reemplazar capas oficiales", frozenset({"administrador"})),
    "population": ("modificar cifras de población", frozenset({"administrador"})),
    "demo": ("generar o borrar datos de demostración", frozenset({"administrador"})),
    "accounts": ("administrar cuentas", frozenset({"administrador"})),
    "workshops": ("gestionar talleres y necesidades", frozenset({"administrador", "facilitador"})),
    # The issue: "the facilitator or a planner confirms links" of a need to the plan. SECPLAC
    # confirms links but records no workshops or needs (that is the facilitator's work).
    "need_links": (
        "confirmar qué iniciativas responden a una necesidad",
        frozenset({"administrador", "facilitador", "secplac"}),
    ),
    "participate": ("enviar necesidades desde un teléfono", frozenset({"administrador", "facilitador"})),
    "activity": ("ver la actividad", frozenset({"administrador", "secplac"})),
    "reports": (
        "descargar informes",
        frozenset({"administrador", "secplac", "facilitador", "concejo"}),
    ),
    "names": (
        "ver nombres de personas",
        frozenset({"administrador", "secplac", "facilitador", "concejo"}),
    ),
}


class Actor(Protocol):
    """What a check needs of :class:`geo.store.actor.Actor` (which imports this module)."""

    @property
    def role(self) -> str | None:
        """The actor's role; None: nobody logged in."""


class NotAuthorised(DataError):
    """The actor's role does not allow the change; nothing was written."""


def allowed(role: str | None, capability: str) -> bool:
    """Whether ``role`` (None: nobody logged in) has ``capability``."""
    _, roles = CAPABILITIES[capability]
    if role == PARTICIPANT_ROLE:
        return capability == "participate"
    return role == SYSTEM_ROLE or (role is not None and role in roles)


def require(actor: Actor, capability: str) -> None:
    """Refuse, in Spanish, when ``actor`` may not do ``capability``."""
    if allowed(actor.role, capability):
        return
    what, roles = CAPABILITIES[capability]
    who = ROLES.get(
        actor.role or "", "participante" if actor.role == PARTICIPANT_ROLE else "sin sesión iniciada"
    )
    names = ", ".join(sorted(ROLES[r] for r in roles))
    raise NotAuthorised(f"No autorizado: el rol {who} no puede {what} (pueden: {names}).")
