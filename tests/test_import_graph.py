"""The package's modules import one another without circles.

The graph is read from the source (``ast``), so a circle is found even where a lazy import inside a
function keeps it from failing at import time. An edge goes from a module to every module of the
project it imports: ``import a.b`` and ``from a import b`` (``a.b`` a module) point at ``a.b``,
``from a.b import name`` at ``a.b``. Imports under ``if TYPE_CHECKING:`` are left out (they never
run), and so is the parent package Python initialises first (every submodule would otherwise sit on
a circle with a package ``__init__`` that imports it).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ('basicsr_lfdn', 'datasets_prep')


def module_files() -> dict[str, Path]:
    """``{dotted module name: file}`` of every module of the packages."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob('*.py')):
            parts = path.relative_to(ROOT).with_suffix('').parts
            modules['.'.join(parts[:-1] if parts[-1] == '__init__' else parts)] = path
    return modules


def _is_type_checking_block(node: ast.AST) -> bool:
    test = getattr(node, 'test', None) if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == 'TYPE_CHECKING') or (
        isinstance(test, ast.Attribute) and test.attr == 'TYPE_CHECKING'
    )


def _import_nodes(node: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement under ``node``, at any depth, outside ``if TYPE_CHECKING:`` blocks."""
    found = []
    for child in ast.iter_child_nodes(node):
        if _is_type_checking_block(child):
            found += [n for branch in child.orelse for n in _import_nodes(ast.Module(body=[branch]))]
            continue
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            found.append(child)
        found += _import_nodes(child)
    return found


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules that module ``name`` (file ``path``) imports."""
    package = name if path.name == '__init__.py' else name.rpartition('.')[0]
    targets = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding='utf-8'), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        base = node.module or ''
        if node.level:
            anchor = package.split('.')[: len(package.split('.')) - node.level + 1]
            base = '.'.join(anchor + ([base] if base else []))
        targets.add(base)
        targets.update(f'{base}.{alias.name}' for alias in node.names)
    return {target for target in targets if target in modules and target != name}


def import_graph() -> dict[str, set[str]]:
    modules = module_files()
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle (``[a, b, …, a]``) per strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_circle_through(group, graph) for group in groups]


def _circle_through(group: list[str], graph: dict[str, set[str]]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start, members = group[0], set(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for successor in sorted(graph[node] & members):
                if successor == start:
                    return paths[node] + [start]
                if successor not in paths:
                    paths[successor] = paths[node] + [successor]
                    following.append(successor)
        frontier = following
    raise AssertionError(f'no circle through {start}')


def test_the_graph_sees_the_imports():
    graph = import_graph()
    assert 'basicsr_lfdn.research.rows' in graph['basicsr_lfdn.scoring']
    assert 'basicsr_lfdn.benchmark.worker' in graph['basicsr_lfdn.research.latency']  # a lazy import counts
    assert 'basicsr_lfdn.compat' in graph['basicsr_lfdn']  # ``from package import module``


def test_find_cycles_names_every_circle():
    graph = {'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}, 'e': {'e'}}
    assert find_cycles(graph) == [['a', 'b', 'c', 'a']]


def test_the_package_has_no_import_circles():
    cycles = find_cycles(import_graph())
    assert cycles == [], '\n'.join(' -> '.join(cycle) for cycle in cycles)
