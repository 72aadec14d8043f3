"""The layout's rules, checked on the source: no import cycles, layers stay in their lane,
and one write path for initiatives, territories and population figures."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _modules(package: str) -> dict[str, Path]:
    out = {}
    for path in (ROOT / package).rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(path: Path) -> set[str]:
    """Every module imported anywhere in the file (also inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def test_no_import_cycles_in_geo_and_layers():
    modules = {**_modules("geo"), **_modules("layers")}
    graph = {m: {i for i in _imports(p) if i in modules and i != m} for m, p in modules.items()}
    # A package's __init__ is imported with any of its modules: ignore edges to mere packages.
    packages = {m for m, p in modules.items() if p.name == "__init__.py"}
    graph = {m: deps - packages for m, deps in graph.items()}
    cycles, state, stack = [], {}, []

    def visit(m: str) -> None:
        state[m] = "open"
        stack.append(m)
        for d in sorted(graph[m]):
            if state.get(d) == "open":
                cycles.append(stack[stack.index(d) :] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert cycles == []


def test_geo_never_imports_streamlit_and_layers_never_touch_the_database():
    for name, path in _modules("geo").items():
        assert not any(i.split(".")[0] == "streamlit" for i in _imports(path)), name
    for name, path in _modules("layers").items():
        bad = {
            i
            for i in _imports(path)
            if i.split(".")[0] in ("sqlalchemy", "geoalchemy2", "psycopg") or i.startswith("geo.")
        }
        assert not bad, (name, bad)


_WRITE = re.compile(
    r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(initiative|territory|initiative_territory|"
    r"initiative_facility|status_history|audit_log|app_user|reference_feature|workshop|"
    r"workshop_territory|need|need_initiative|funding_line|evaluation_cut|cut_initiative|cut_funding_line|"
    r"cut_territory)\b",
    re.I,
)
#: Derived data recomputed by the write path itself: geometry links and urban/rural sectors.
_DERIVED = {"geo/territory/links.py", "geo/territory/sectors.py"}


def test_only_the_store_writes_initiatives_territories_accounts_history_and_audit():
    offenders = []
    for folder in ("geo", "ui", "pages", "layers"):
        for path in (ROOT / folder).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith("geo/store/") or rel in _DERIVED:
                continue
            for m in _WRITE.finditer(path.read_text(encoding="utf-8")):
                offenders.append(f"{rel}: {m.group(0)}")
    assert offenders == []


def test_derived_writes_run_only_inside_the_write_path():
    callers = set()
    for path in (ROOT / "geo").rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        source = path.read_text(encoding="utf-8")
        if re.search(r"\blink_by_geometry\(", source) and rel != "geo/territory/links.py":
            callers.add(rel)
    assert callers <= {"geo/store/initiatives.py", "geo/store/territories.py"}, callers


#: Functions of the store that take an actor but change nothing a role governs: the audit
#: writer (called by every write function after its own check) and the check itself.
_NO_ROLE_CHECK = {"geo/store/audit.py:record", "geo/store/permissions.py:require"}


def test_every_write_function_of_the_store_checks_the_role_first():
    """A public function of ``geo/store`` given an ``actor`` calls ``require`` before anything else."""
    unchecked = []
    for path in sorted((ROOT / "geo" / "store").glob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            if "actor" not in {a.arg for a in node.args.args + node.args.kwonlyargs}:
                continue
            if f"{rel}:{node.name}" in _NO_ROLE_CHECK:
                continue
            body = node.body[1:] if ast.get_docstring(node) else node.body
            first = body[0] if body else None
            calls = [] if first is None else [n for n in ast.walk(first) if isinstance(n, ast.Call)]
            if not any(isinstance(c.func, ast.Name) and c.func.id == "require" for c in calls):
                unchecked.append(f"{rel}:{node.name}")
    assert unchecked == []


def test_a_module_logger_everywhere_and_no_print_outside_the_cli():
    for folder in ("geo", "layers", "ui"):
        for name, path in _modules(folder).items():
            if path.name == "__init__.py":
                continue
            source = path.read_text(encoding="utf-8")
            assert "log = logging.getLogger(__name__)" in source, name
            if not name.startswith("geo.cli"):
                assert "print(" not in source, name  # the CLI prints what the person reads


def _handlers(folder: str):
    for path in (ROOT / folder).rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ExceptHandler):
                yield path.relative_to(ROOT).as_posix(), node, ast.get_source_segment(source, node) or ""


def test_an_error_shown_to_a_person_is_logged_with_its_traceback_first():
    # Pages and glue show errors through ui.messages.refused (log, then the Spanish text).
    silent = [
        f"{rel}:{node.lineno}"
        for folder in ("ui", "pages")
        for rel, node, seg in _handlers(folder)
        if (".error(" in seg or '_error"] =' in seg or "return None, str(exc)" in seg)
        and "refused(" not in seg
        and "log." not in seg
    ]
    assert silent == []
    # In geo, a broad "except Exception" turned into a Spanish DataError is logged there.
    unlogged = [
        f"{rel}:{node.lineno}"
        for rel, node, seg in _handlers("geo")
        if isinstance(node.type, ast.Name) and node.type.id == "Exception" and "log." not in seg
    ]
    assert unlogged == []


def test_sit_starts_without_pandas_geopandas_or_openpyxl():
    """``sit --help`` and the commands that need no file load none of the heavy libraries
    (it took 1.4 s when a type annotation pulled in pandas); the tests run sit ~70 times."""
    code = (
        "import sys, geo.cli.main; "
        "print(sorted(m for m in ('pandas', 'geopandas', 'openpyxl', 'streamlit') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
