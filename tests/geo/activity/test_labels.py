"""Every action the write path records has a Spanish name; no password is ever shown."""

from __future__ import annotations

import ast

from geo.activity.labels import ACTIONS, PASSWORD_SHOWN, notes, shown_value
from geo.settings import PROJECT_ROOT


def _strings(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def recorded_actions() -> set[str]:
    """The action of every ``Entry(...)`` in geo/: a literal, a conditional of literals, or a
    variable assigned literals in the same module."""
    found: set[str] = set()
    for path in (PROJECT_ROOT / "geo").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assigned: dict[str, set[str]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assigned.setdefault(target.id, set()).update(_strings(node.value))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name != "Entry":
                continue
            first = node.args[0]
            found |= assigned.get(first.id, set()) if isinstance(first, ast.Name) else _strings(first)
    return found


def test_every_recorded_action_has_a_spanish_name():
    actions = recorded_actions()
    assert {"editar_iniciativa", "ubicar_sitio", "cuenta_bloqueada"} <= actions  # the scan finds them
    assert sorted(actions - set(ACTIONS)) == []


def test_a_password_field_or_detail_is_only_ever_cambiada():
    for field in ("password", "password_hash", "contrasena", "nueva_contraseña"):
        assert shown_value(field, "$argon2id$v=19$m=65536,t=3,p=4$abc") == PASSWORD_SHOWN
    shown = notes({"password": "establecida", "motivo": "olvido"})
    assert shown == ["Motivo: olvido", "Contraseña: cambiada"]
    assert "$argon2" not in shown_value(
        "attrs", {"password_hash": "$argon2id$x", "zona": "norte"}, "territory"
    )


def test_where_a_placed_site_came_from_is_a_note():
    origin = {
        "capa": "Canales de riego (CNR)",
        "elemento": "Canal Perales",
        "fuente": "CNR",
        "referencia_id": 7,
    }
    assert notes({"origen": origin}) == [
        "Ubicado según: capa: Canales de riego (CNR); elemento: Canal Perales; fuente: CNR; referencia_id: 7"
    ]
