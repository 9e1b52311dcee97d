"""Print the shape of the code: the largest folder and module, long views, import cycles, layer violations and
repeated code, for this checkout or another one (``--tree``), so a change can be compared with what came before.

    .venv/bin/python bench/structure.py                   # this checkout
    .venv/bin/python bench/structure.py --tree /tmp/base  # e.g. a `git archive` of an older commit

Figures:
- modules in the largest folder of ``credentials/`` (``.py`` files directly in one folder; migrations left out);
- the largest module (lines);
- views over 25 lines: functions in ``credentials/web/`` decorated as routes (``@bp.get``, ``@bp.route`` ...), counted
  from their first decorator to their last line;
- import cycles: strongly connected groups of modules in the import graph of ``credentials/`` (every ``import`` and
  ``from ... import``, function-level ones included, relative imports resolved, ``from pkg import module`` counted as
  importing the module);
- layer violations: what ``tests/test_architecture.py`` of the measured tree reports (its failing cases), when it
  has one that runs under pytest;
- repeated code: the pair count the ``duplicates`` tool prints for ``credentials/``, when that tool is installed.
"""

from __future__ import annotations

import argparse
import ast
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VIEW_LIMIT = 25
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}


def modules(package: Path) -> list[Path]:
    """Every Python module of the package, migrations left out."""
    return sorted(p for p in package.rglob("*.py") if "migrations" not in p.parts)


def module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module name -> the package's modules it imports."""
    paths = {module_name(p, package): p for p in modules(package)}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        is_package = path.name == "__init__.py"
        here = name.split(".") if is_package else name.split(".")[:-1]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = here[: len(here) - node.level + 1] if node.level else []
                module = ".".join([*base, node.module] if node.module else base)
                targets.add(module)
                targets.update(f"{module}.{alias.name}" for alias in node.names)
        graph[name] = {t for t in targets if t in paths and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def long_views(web: Path) -> list[tuple[str, int]]:
    """(module:function, lines) of every route function longer than VIEW_LIMIT lines."""
    found = []
    for path in sorted(web.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            is_view = any(
                isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in ROUTE_DECORATORS
                for d in node.decorator_list
            )
            if is_view:
                lines = node.end_lineno - min(d.lineno for d in node.decorator_list) + 1
                if lines > VIEW_LIMIT:
                    found.append((f"{path.relative_to(web.parent.parent)}:{node.name}", lines))
    return found


def layer_violations(tree: Path) -> str:
    """How many cases of the tree's architecture test fail, as pytest reports it."""
    test = tree / "tests" / "test_architecture.py"
    if not test.exists():
        return "no architecture test"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", str(test.relative_to(tree))],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr.strip()[-200:]
    failed = re.search(r"(\d+) failed", summary)
    return f"{failed.group(1) if failed else 0} failing cases ({summary.strip('= ')})"


def repeated_code(package: Path) -> str:
    """The first line of `duplicates` over the package."""
    if shutil.which("duplicates") is None:
        return "the duplicates tool is not installed"
    result = subprocess.run(
        ["duplicates", "--repo", str(package), "--most", "1", "--seconds", "120"],
        cwd=package,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.splitlines()[0] if result.stdout else result.stderr.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=PROJECT_ROOT, help="the checkout to measure")
    args = parser.parse_args()
    package = args.tree.resolve() / "credentials"

    paths = modules(package)
    folders = Counter(p.parent for p in paths if p.name != "__init__.py")
    folder, count = folders.most_common(1)[0]
    sizes = {p: len(p.read_text().splitlines()) for p in paths}
    largest = max(sizes, key=sizes.get)
    views = long_views(package / "web")
    found_cycles = cycles(import_graph(package))

    print(f"tree: {args.tree.resolve()}")
    print(f"modules in credentials/: {len(paths)} ({sum(sizes.values())} lines)")
    print(f"largest folder: {folder.relative_to(package.parent)}/ with {count} modules")
    print(f"largest module: {largest.relative_to(package.parent)} ({sizes[largest]} lines)")
    print(f"views over {VIEW_LIMIT} lines: {len(views)}")
    for name, lines in views:
        print(f"  {name} ({lines} lines)")
    print(f"import cycles: {len(found_cycles)}")
    for group in found_cycles:
        print(f"  {' <-> '.join(group)}")
    print(f"layer violations (architecture test): {layer_violations(args.tree.resolve())}")
    print(f"repeated code (duplicates): {repeated_code(package)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
