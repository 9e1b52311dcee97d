"""The dependency rule of STYLE.md: web -> domain -> {storage, crypto, openbadges, pdf}; nothing points back."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "credentials"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def imported_modules(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text())
    # The package a relative import starts from: the module's own package (for __init__.py, itself).
    package = list(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                names.add(".".join([*base, node.module] if node.module else base))
            else:
                names.add(node.module)
    return names


def layer(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else path.stem


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_dependencies_point_one_way(path):
    forbidden = {
        "domain": ("flask", "werkzeug", "flask_login", "flask_wtf", "credentials.web", "credentials.cli"),
        "storage": ("flask", "credentials.domain", "credentials.web", "credentials.cli"),
        "mail": ("flask", "credentials.domain", "credentials.web", "credentials.storage"),
        "config": ("flask", "credentials.domain", "credentials.web", "credentials.storage"),
    }.get(layer(path), ())
    bad = sorted(m for m in imported_modules(path) if m and m.startswith(forbidden))
    assert not bad, f"{path.relative_to(PACKAGE)} imports {bad}"


def test_domain_never_touches_request_state():
    for path in (PACKAGE / "domain").rglob("*.py"):
        source = path.read_text()
        for name in ("request.", "current_app", "flask.g", "session["):
            assert name not in source, f"{path.name} uses {name}"


def test_no_grab_bag_modules_and_no_giant_modules():
    for path in MODULES:
        assert path.stem not in ("utils", "helpers", "manager", "misc"), path
        lines = len(path.read_text().splitlines())
        assert lines <= 400, f"{path.relative_to(PACKAGE)} has {lines} lines; split it"
