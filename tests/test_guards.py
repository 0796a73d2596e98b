"""Guards on the shape of the code, as scikit-learn and datasette keep theirs: each fails
with the names of what broke the rule."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import kraftsamling

SRC = Path(kraftsamling.__file__).parent
ROOT = SRC.parent.parent


def _modules() -> list[str]:
    names = ["kraftsamling"]
    for info in pkgutil.walk_packages([str(SRC)], prefix="kraftsamling."):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return sorted(names)


def _package_of(module: str, is_package: bool) -> str:
    """The package a module sits in (a package is in itself)."""
    return module if is_package else module.rpartition(".")[0]


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found.extend((node.lineno, f"{node.module}.{a.name}") for a in node.names)
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names)
    return [(line, name) for line, name in found if name.startswith("kraftsamling.")]


def _private_owner(name: str) -> str | None:
    """``kraftsamling.chat._store`` is private to ``kraftsamling.chat``; ``None`` if public."""
    parts = name.split(".")
    for i, part in enumerate(parts[1:], start=1):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:i])
    return None


def test_no_package_imports_another_packages_private_modules() -> None:
    """A ``_private`` module is imported only from inside its own package: every other
    package goes through the public names in ``__init__``."""
    offences = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        relative = path.relative_to(SRC.parent).with_suffix("")
        module = ".".join(relative.parts)
        package = _package_of(module.removesuffix(".__init__"), path.name == "__init__.py")
        for line, name in _imports(path):
            owner = _private_owner(name)
            if owner is not None and not (package + ".").startswith(owner + "."):
                offences.append(f"{path.relative_to(SRC)}:{line} imports {name}")
    assert offences == []


def test_tests_use_only_the_public_api() -> None:
    """The tests are outside every package: they import public names, as users do, so a
    private module can change without a test pinning it."""
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for line, name in _imports(path)
        if _private_owner(name) is not None
    ]
    assert offences == []


def _record_event_actions(path: Path) -> list[tuple[int, str]]:
    """``(line, action)`` of every ``record_event(..., action="...")`` call in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record_event":
            for keyword in node.keywords:
                if keyword.arg == "action" and isinstance(keyword.value, ast.Constant):
                    found.append((node.lineno, str(keyword.value.value)))
    return found


def test_import_audit_events_are_written_by_ingest_alone() -> None:
    """Every import is audited by construction: only ``kraftsamling.ingest`` writes an
    import's event, and every module's storer goes through ``ingest``."""
    from kraftsamling.ingest import IMPORT_ACTIONS

    offences = [f"{path.relative_to(SRC)}:{line} writes {action!r}"
                for path in sorted(SRC.rglob("*.py")) if path.name != "ingest.py"
                for line, action in _record_event_actions(path) if action in IMPORT_ACTIONS]
    assert offences == []
    storers = {"tabular/_store.py": "import_table", "chat/_store.py": "save_analysis",
               "cases/_store.py": "save_assessment", "twin/_store.py": "save_twins",
               "autolarm/_review.py": "submit_response"}
    bypassing = []
    for file, function in storers.items():
        tree = ast.parse((SRC / file).read_text(encoding="utf-8"))
        body = next(n for n in tree.body
                    if isinstance(n, ast.FunctionDef) and n.name == function)
        calls = {getattr(n.func, "id", None) for n in ast.walk(body) if isinstance(n, ast.Call)}
        if "ingest" not in calls:
            bypassing.append(f"{file}:{function}")
    assert bypassing == []


@pytest.mark.parametrize("module", _modules())
def test_every_all_name_exists(module: str) -> None:
    imported = importlib.import_module(module)
    names = getattr(imported, "__all__", [])
    assert [n for n in names if not hasattr(imported, n)] == []
    assert len(names) == len(set(names))


def test_every_setting_is_documented() -> None:
    from kraftsamling.settings import Settings

    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"`{name}`" not in documented]
    assert missing == []


def test_every_setting_belongs_to_a_plugin_or_the_core() -> None:
    from kraftsamling.plugins import plugin_manager
    from kraftsamling.settings import Settings

    claimed = {name for _, names in plugin_manager().hook.settings_section() for name in names}
    core = {"host", "port", "session_idle_minutes", "session_max_hours"}
    assert sorted(set(Settings.model_fields) - claimed - core) == []
    assert sorted(claimed - set(Settings.model_fields)) == []


def test_every_plugin_schema_declares_its_identifiers_purpose() -> None:
    """Identifier columns carry their hash purpose, so storing and searching share it."""
    from kraftsamling.plugins import plugin_schemas

    schemas = plugin_schemas()
    names = [s.name for s in schemas]
    assert len(names) == len(set(names))
    for expected in ("chatt", "chattenkät", "autolarm-etiketter", "autolarm-svar",
                     "tvilling-mätning", "personer", "ärenden-economic-assistance",
                     "ärenden-social-services"):
        assert expected in names
    for schema in schemas:
        for column in schema.columns:
            if column.kind == "identifier":
                assert re.fullmatch(r"[a-z]+", column.purpose), (schema.name, column.name)


def test_the_twin_and_case_searches_hash_as_storing_does() -> None:
    """The web app's search and the stores hash through the same declared column."""
    from kraftsamling.cases import CASE_ID, CASE_SCHEMAS
    from kraftsamling.privacy import Pseudonymization
    from kraftsamling.twin import PUPIL_ID, WAVE_SCHEMA, pupil_alias

    privacy = Pseudonymization.with_default_recognizers(b"guard")
    assert pupil_alias(b"guard", "E01") == privacy.identifier("E01", PUPIL_ID)
    assert WAVE_SCHEMA.columns[0] is PUPIL_ID
    for schema in CASE_SCHEMAS.values():
        assert schema.columns[0].purpose == CASE_ID.purpose


def test_every_table_is_some_plugins() -> None:
    from kraftsamling.plugins import plugin_tables
    from kraftsamling.store.models import Base

    declared = [t.__tablename__ for t in plugin_tables()]
    assert len(declared) == len(set(declared))
    assert set(declared) == set(Base.metadata.tables)


def test_the_core_command_is_thin() -> None:
    lines = (SRC / "cli.py").read_text(encoding="utf-8").count("\n")
    assert lines <= 300


def _top_level_imports(path: Path, known: set[str]) -> set[str]:
    """Modules a file imports when it is imported (not inside functions or TYPE_CHECKING)."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {name for name in found if name in known}


def test_no_import_loops_between_files() -> None:
    """No cycle among module-level imports (a package's ``__init__`` re-exporting its own
    modules is the one allowed edge back)."""
    import networkx as nx

    files = {}
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        files[name] = path
    graph = nx.DiGraph()
    for name, path in files.items():
        for target in _top_level_imports(path, set(files)):
            # importing a.b.c imports a and a.b first; their re-exports are not a loop
            if target != name and not name.startswith(target + "."):
                graph.add_edge(name, target)
    assert list(nx.simple_cycles(graph)) == []
