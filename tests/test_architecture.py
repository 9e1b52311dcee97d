"""The shape of STYLE.md, checked on the import graph of every module under ``credentials/``.

Dependencies point one way: ``web -> domain -> {storage, crypto, openbadges, verification, pdf, mail}``, with
``jsonld``, ``schemas`` and ``text`` as leaves and ``config`` open to everyone; ``cli`` sits beside ``web``; the app
factory (``credentials/__init__.py``) wires everything. Nothing below ``web`` and ``cli`` imports the web framework,
and the module graph has no cycles. Every import counts: module-level, function-level and under ``TYPE_CHECKING`` alike.
"""

from __future__ import annotations

import ast
import itertools
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = "credentials"
PACKAGE = Path(__file__).resolve().parent.parent / ROOT
FRAMEWORK = ("flask", "werkzeug", "flask_login", "flask_wtf")

# Each top-level part of credentials/ and the other parts it may import; every part may import itself and config.
# A dotted entry allows that module (and its submodules) only.
MAY_IMPORT: dict[str, tuple[str, ...]] = {
    "config": (),
    "jsonld": (),
    "schemas": (),
    "text": (),
    "storage": (),
    "mail": ("text",),
    "pdf": ("text",),
    "crypto": ("jsonld",),
    "openbadges": ("jsonld", "schemas", "crypto", "text"),
    "verification": ("jsonld", "schemas", "crypto", "openbadges", "text"),
    "domain": ("jsonld", "schemas", "text", "storage", "mail", "pdf", "crypto", "openbadges", "verification"),
    # The two front doors call the domain. Besides it they may use the stateless parts of the public verifier and of
    # Open Badges (input limits and errors, the OpenAPI document, the DID document's path) and the transaction helper
    # in storage.database, never the storage models: roles and statuses are the domain's vocabulary.
    "web": ("domain", "verification", "openbadges", "text", "storage.database"),
    "cli": ("domain", "verification", "text", "storage.database", "storage.migrate", "__init__"),
    # The app factory builds every service once, so it may import anything.
    "__init__": ("*",),
}
BELOW_THE_FRONT_DOORS = tuple(part for part in MAY_IMPORT if part not in ("web", "cli", "__init__"))


@dataclass(frozen=True)
class Import:
    importer: str  # a module of credentials/
    imported: str  # resolved to a module of credentials/ where it names one
    line: int

    def where(self) -> str:
        return f"{MODULES[self.importer].relative_to(PACKAGE.parent)}:{self.line}"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_in(source: str, name: str, is_package: bool, modules) -> list[Import]:
    """Every import in ``source`` (the module ``name``), relative ones resolved. ``from a import b`` imports the
    module ``a.b`` when there is one, else ``a``; ``importlib.import_module("a")`` with a literal name counts too."""
    package = name.split(".") if is_package else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [Import(name, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                found.append(Import(name, submodule if submodule in modules else target, node.lineno))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append(Import(name, node.args[0].value, node.lineno))
    return found


def all_imports() -> list[Import]:
    found = set()
    for name, path in MODULES.items():
        found.update(imports_in(path.read_text(encoding="utf-8"), name, path.name == "__init__.py", MODULES))
    return sorted(found, key=lambda imp: (imp.importer, imp.line, imp.imported))


def in_package(name: str) -> bool:
    return name == ROOT or name.startswith(ROOT + ".")


def within(name: str, module: str) -> bool:
    """``name`` is ``module`` or one of its submodules; the root package stands only for itself."""
    return name == module or (module != ROOT and name.startswith(module + "."))


def layer(name: str) -> str:
    """The top-level part of credentials/ that module ``name`` belongs to."""
    parts = name.split(".")
    return "__init__" if parts == [ROOT] else parts[1]


def allowed(importer: str, imported: str) -> bool:
    own = layer(importer)
    permitted = ("config", own, *MAY_IMPORT[own])
    return "*" in permitted or any(
        layer(imported) == entry if "." not in entry else within(imported, f"{ROOT}.{entry}") for entry in permitted
    )


def layer_violations(imports: list[Import]) -> list[tuple[Import, str]]:
    """Each import its importer's part may not make, with the rule it breaks."""
    found = []
    for imp in imports:
        own = layer(imp.importer)
        if in_package(imp.imported) and not allowed(imp.importer, imp.imported):
            found.append((imp, f"{own} may import only {', '.join(('config', *MAY_IMPORT[own]))}"))
        elif own in BELOW_THE_FRONT_DOORS and imp.imported.split(".")[0] in FRAMEWORK:
            found.append((imp, "only web, cli and the app factory may use the web framework"))
    return found


def cycles(imports: list[Import]) -> list[list[str]]:
    """The import cycles among credentials' modules: per strongly connected component, the shortest cycle through
    each of its modules (each cycle once), as ``[a, b, ..., a]``."""
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for imp in imports:
        if imp.imported in graph and imp.imported != imp.importer:
            graph[imp.importer].add(imp.imported)
    found, seen = [], set()
    for component in strongly_connected(graph):
        for start in sorted(component) if len(component) > 1 else ():
            chain = shortest_cycle(graph, start, component)
            if (edges := frozenset(itertools.pairwise(chain))) not in seen:
                seen.add(edges)
                found.append(chain)
    return found


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, without recursion."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components = []
    for root in sorted(graph):
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        work = [(root, iter(sorted(graph[root])))]
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component, member = set(), None
                    while member != node:
                        member = stack.pop()
                        component.add(member)
                    components.append(component)
    return components


def shortest_cycle(graph: dict[str, set[str]], start: str, component: set[str]) -> list[str]:
    """The shortest path from ``start`` back to itself inside ``component`` (breadth first)."""
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for successor in sorted(graph[node] & component):
            if successor == start:
                chain = [node]
                while (before := previous[chain[-1]]) is not None:
                    chain.append(before)
                return [*reversed(chain), start]
            if successor not in previous:
                previous[successor] = node
                queue.append(successor)
    raise AssertionError(f"{start} is on no cycle inside {sorted(component)}")


def readable_cycle(chain: list[str], imports: list[Import]) -> str:
    where = {(imp.importer, imp.imported): imp.where() for imp in imports}
    return " -> ".join([*(f"{a} ({where[a, b]})" for a, b in itertools.pairwise(chain)), chain[-1]])


def report(title: str, lines: list[str]) -> str:
    return f"{title} ({len(lines)}):\n  " + "\n  ".join(lines)


IMPORTS = all_imports()


# -- the rules -------------------------------------------------------------------------------------------------------


def test_every_part_of_the_package_has_a_place_in_the_layers():
    parts = {layer(name) for name in MODULES}
    assert parts <= set(MAY_IMPORT), (
        f"parts in no layer (give them a line in MAY_IMPORT): {sorted(parts - set(MAY_IMPORT))}"
    )


@pytest.mark.parametrize("part", sorted(MAY_IMPORT))
def test_dependencies_point_one_way(part):
    bad = [
        f"{imp.where()}: {imp.importer} imports {imp.imported} ({rule})"
        for imp, rule in layer_violations(IMPORTS)
        if layer(imp.importer) == part
    ]
    assert not bad, report(f"imports that break the layering of {part}", bad)


def test_no_import_cycles():
    bad = [readable_cycle(chain, IMPORTS) for chain in cycles(IMPORTS)]
    assert not bad, report("import cycles", bad)


def test_domain_never_touches_request_state():
    bad = [
        f"{path.relative_to(PACKAGE)} uses {name}"
        for path in sorted((PACKAGE / "domain").rglob("*.py"))
        for name in ("request.", "current_app", "flask.g", "session[")
        if name in path.read_text(encoding="utf-8")
    ]
    assert not bad, report("domain code touching request state", bad)


def test_no_grab_bag_modules_and_no_giant_modules():
    bad = []
    for path in MODULES.values():
        if "migrations" in path.parts:
            continue
        if path.stem in ("utils", "helpers", "manager", "misc"):
            bad.append(f"{path.relative_to(PACKAGE)}: name it after what it does")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 400:
            bad.append(f"{path.relative_to(PACKAGE)} has {lines} lines; split it")
    assert not bad, report("modules to rename or split", bad)


# -- the checker itself ----------------------------------------------------------------------------------------------


def test_the_checker_resolves_every_kind_of_import():
    source = (
        "import credentials.crypto.canonical\n"
        "from . import sibling, CONSTANT\n"
        "from ..storage.models import User\n"
        "def later():\n"
        "    from credentials.web import views\n"
        "    importlib.import_module('credentials.pdf')\n"
    )
    modules = {"credentials.domain.sibling", "credentials.web.views"}
    assert {imp.imported for imp in imports_in(source, "credentials.domain.audit", False, modules)} == {
        "credentials.crypto.canonical",
        "credentials.domain.sibling",
        "credentials.domain",
        "credentials.storage.models",
        "credentials.web.views",
        "credentials.pdf",
    }
    assert {imp.imported for imp in imports_in("from .engine import X", "credentials.verification", True, ())} == {
        "credentials.verification.engine"
    }


def test_the_checker_knows_the_rules():
    assert not allowed("credentials.crypto.canonical", "credentials.openbadges.contexts")
    assert not allowed("credentials.verification.inputs", "credentials.pdf")
    assert not allowed("credentials.storage.models.accounts", "credentials.domain.people.roles")
    assert not allowed("credentials.web.accounts", "credentials.storage.models.accounts")
    assert allowed("credentials.web.auth", "credentials.storage.database")
    assert allowed("credentials.domain.audit", "credentials.config")
    assert allowed("credentials.cli.verify", ROOT) and not allowed("credentials.web.verify", ROOT)
    flask_in_domain = Import("credentials.domain.audit", "flask", 1)
    assert [rule for _, rule in layer_violations([flask_in_domain])] == [
        "only web, cli and the app factory may use the web framework"
    ]


def test_the_checker_finds_cycles_and_reports_them_as_chains():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"a"}}
    assert sorted(sorted(c) for c in strongly_connected(graph)) == [["a", "b", "c"], ["d"], ["e"]]
    assert shortest_cycle(graph, "b", {"a", "b", "c"}) == ["b", "c", "a", "b"]
    imports = [Import(f"{ROOT}.{a}", f"{ROOT}.{b}", 7) for a, b in (("pdf", "mail"), ("mail", "pdf"))]
    assert readable_cycle(["credentials.pdf", "credentials.mail", "credentials.pdf"], imports).startswith(
        "credentials.pdf (credentials/pdf/__init__.py:7) -> credentials.mail (credentials/mail/__init__.py:7)"
    )
