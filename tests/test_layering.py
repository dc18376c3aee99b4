"""Dependencies point one way: app/ (core) ← campaigns/ ← targets/ ← what uses everything.

Checked on the source, so an import that points back fails here before review.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# package: the modules it must never import (a dotted name covers everything inside it)
FORBIDDEN = {
    "app": {"campaigns", "targets"},
    "campaigns": {"targets"},
    # targets.results builds on the rest of targets/, and targets.briefings on targets.results:
    # only their own modules (and the layers built on them, BUILT_ON) import them, and
    # targets/__init__.py, which plugs them in (calls their init_app).
    "targets": {"targets.results", "targets.briefings"},
}
# layer: the layers it builds on, which it may import although FORBIDDEN keeps them from the
# rest of targets/
BUILT_ON = {"targets.briefings": {"targets.results"}}
# Pure rules: no Flask, so pages, API, exports and briefings can all reuse them.
PURE_MODULES = [
    "app/formatting.py",
    "campaigns/rules.py",
    "campaigns/progress/rules.py",
    "campaigns/tasks/rules.py",
    "targets/rules.py",
    "targets/demo_entries.py",
    "targets/results/rules.py",
    "targets/briefings/rules.py",
]


def imported_modules(path: Path) -> set[str]:
    """Dotted names of what `path` imports; `from a import b` counts as a and a.b."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def imported_packages(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def inside(name: str, package: str) -> bool:
    return name == package or name.startswith(f"{package}.")


def forbidden_imports(path: Path, forbidden: set[str]) -> list[str]:
    module = module_name(path)
    return sorted(
        name
        for name in imported_modules(path)
        for package in forbidden
        if inside(name, package) and not may_import(module, package)
    )


def may_import(module: str, package: str) -> bool:
    """`package` itself, the package that plugs it in, and the layers built on it."""
    return (
        inside(module, package)
        or module == package.rpartition(".")[0]
        or any(inside(module, layer) and package in below for layer, below in BUILT_ON.items())
    )


@pytest.mark.parametrize("package", FORBIDDEN)
def test_no_import_points_back(package):
    offenders = {
        str(path.relative_to(ROOT)): forbidden_imports(path, FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
        if forbidden_imports(path, FORBIDDEN[package])
    }
    assert offenders == {}


@pytest.mark.parametrize("module", PURE_MODULES)
def test_rules_do_not_import_flask(module):
    imported = imported_packages(ROOT / module)
    assert not imported & {"flask", "flask_babel", "flask_login", "flask_sqlalchemy", "sqlalchemy"}
