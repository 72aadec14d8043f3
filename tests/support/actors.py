"""Who the tests write as (every write needs an actor, and every write checks its role)."""

from geo.store.actor import Actor

#: A person with the administrator's role, without an account row (``user_id`` None: the
#: audit's foreign key to ``app_user`` needs no account in the test database). Not
#: ``Actor.system``: the tests write as a person does through a page, and the widest role
#: a person can hold lets every write of the layers under test run; the refusals of the
#: other roles are tested one by one in ``tests/geo/store/test_roles_enforced.py``.
TESTER = Actor("Persona de prueba", "pruebas automáticas", role="administrador")
