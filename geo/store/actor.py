"""Who writes: the person (or process) every change is recorded under."""

from __future__ import annotations

import getpass
import logging
from dataclasses import dataclass

from geo.store.permissions import SYSTEM_ROLE

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actor:
    """The author of a change and the way it arrived.

    Attributes:
        name: shown in histories and the audit log ("Ana Pérez", an OS user name, ...).
        via: how the change arrived ("página Iniciativas", "planilla datos.xlsx", "consola").
        user_id: the account (``app_user.id``) of a person who logged in.
        role: what the actor may do (:mod:`geo.store.permissions`): an account's role,
            ``"sistema"`` for processes and the server's operator, None for nobody.
    """

    name: str
    via: str
    user_id: int | None = None
    role: str | None = None

    @classmethod
    def account(cls, user_id: int, full_name: str, role: str, via: str) -> Actor:
        """A person logged in with an account: recorded under its id and full name."""
        return cls(full_name, via, user_id, role)

    @classmethod
    def console(cls, via: str = "consola (sit)") -> Actor:
        """The operating-system user running the ``sit`` command."""
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry (some containers)
            user = "usuario desconocido"
        return cls(user, via, role=SYSTEM_ROLE)

    @classmethod
    def system(cls, via: str) -> Actor:
        """A process acting on its own (a loader run by ``sit setup``, a migration)."""
        return cls("sistema", via, role=SYSTEM_ROLE)

    def describe(self) -> str:
        """``name (via)``, as the audit and the histories show it."""
        return f"{self.name} ({self.via})" if self.via else self.name
