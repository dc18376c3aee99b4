"""Dependencies point one way: app/ (core) ← campaigns/ ← targets/ ← what uses everything.

Checked on the source, so an import that points back fails here before review.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# package: the packages it must never import
FORBIDDEN = {
    "app": {"campaigns", "targets"},
    "campaigns": {"targets"},
}
# Pure rules: no Flask, so pages, API, exports and briefings can all reuse them.
PURE_MODULES = [
    "app/formatting.py",
    "campaigns/rules.py",
    "campaigns/progress/rules.py",
    "campaigns/tasks/rules.py",
    "targets/rules.py",
    "targets/demo_entries.py",
]


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", FORBIDDEN)
def test_no_import_points_back(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
        if imported_packages(path) & FORBIDDEN[package]
    }
    assert offenders == {}


@pytest.mark.parametrize("module", PURE_MODULES)
def test_rules_do_not_import_flask(module):
    imported = imported_packages(ROOT / module)
    assert not imported & {"flask", "flask_babel", "flask_login", "flask_sqlalchemy", "sqlalchemy"}
