"""Imports flow one way (DESIGN.md → Apps and layout):
core ← researchers, cms ← grants ← projects, transfer ← portal; nothing imports portal.

Every import statement of every module (migrations and imports inside functions included) is
read from the source, so a lazy import cannot hide an arrow the wrong way."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "researchers", "cms", "grants", "projects", "transfer", "portal")

# What each layer may import besides itself.
MAY_IMPORT = {
    "core": set(),
    "researchers": {"core"},
    "cms": {"core"},
    "grants": {"core", "researchers", "cms"},
    "projects": {"core", "researchers", "cms", "grants"},
    "transfer": {"core", "researchers", "cms", "grants", "projects"},
    "portal": {"core", "researchers", "cms", "grants", "projects", "transfer"},
}


def imported_apps(path):
    """(line, app) for each import of a portal app in the module at `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in APPS:
                yield node.lineno, top


def modules(app):
    return sorted((ROOT / app).rglob("*.py"))


def wrong_arrows(app):
    return [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for path in modules(app)
        for line, target in imported_apps(path)
        if target != app and target not in MAY_IMPORT[app]
    ]


@pytest.mark.parametrize("app", APPS)
def test_imports_flow_one_way(app):
    assert (ROOT / app).is_dir(), f"{app}/ is missing"
    assert modules(app), f"{app}/ has no modules"
    assert wrong_arrows(app) == []


def test_the_walker_sees_a_wrong_arrow(tmp_path):
    """The check itself: a lazy import inside a function is found."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from portal.stats import figures\n    import grants.models\n")
    assert list(imported_apps(module)) == [(2, "portal"), (3, "grants")]
