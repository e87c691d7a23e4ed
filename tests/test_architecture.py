"""The package's layout, read from its imports with ``ast``.

Stages sit at the top of ``pipeline/`` as verbs; their helpers live in wings
named by nouns. A wing never imports a stage (nor the CLI), wings depend
downward only, and no module takes part in an import circle, counting lazy
imports inside functions and ``TYPE_CHECKING`` blocks: a circle hidden by a
lazy import is still a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"

STAGES = {"ingest", "detect", "segment", "translate", "align", "export", "evaluate", "report"}
FRONT = {"cli", "cli_options", "__main__"}
# The base: the errors, the records between stages, and io (the only package that opens files).
BASE = {"__init__", "records"}
BASE_PACKAGES = {"io"}
# Wing -> the wings it may import. Everything may import the base modules.
WINGS: dict[str, set[str]] = {
    "text": set(),
    "run": set(),
    "mt": {"text"},
    "facts": {"text"},
    "claims": {"facts", "text"},
    "corpus": {"text"},  # the export filters: language ID and the Han counter
    "render": {"run", "claims", "facts", "text"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The package modules one file imports, anywhere in it (lazy imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module not in modules:
                continue
            found.add(node.module)
            for alias in node.names:  # ``from pipeline.mt import engine`` imports a module
                if f"{node.module}.{alias.name}" in modules:
                    found.add(f"{node.module}.{alias.name}")
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    names = set(modules)
    graph = {}
    for name, path in modules.items():
        # importing pipeline.a.b runs pipeline/__init__ and pipeline/a/__init__: not an edge
        # worth following, since those hold docstrings and the error classes only
        graph[name] = {m for m in _imports(path, names) if m != name}
    return graph


def _place(module: str) -> tuple[str, str]:
    """(kind, name): kind is stage, front, base or wing."""
    parts = module.split(".")
    if len(parts) == 1:
        return "base", "__init__"
    top = parts[1]
    if top in BASE_PACKAGES:
        return "base", top
    if len(parts) > 2 or top in WINGS:
        return "wing", top
    if top in STAGES:
        return "stage", top
    if top in FRONT:
        return "front", top
    return "base", top


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_every_top_level_module_has_a_place() -> None:
    tops = {p.stem for p in PACKAGE.glob("*.py")}
    assert tops == STAGES | FRONT | BASE
    wings = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert wings == set(WINGS) | BASE_PACKAGES


def test_no_import_circles() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("wing", sorted(WINGS))
def test_wings_import_no_stage_and_only_lower_wings(wing: str) -> None:
    upward = []
    for module, targets in _graph().items():
        kind, name = _place(module)
        if kind != "wing" or name != wing:
            continue
        for target in targets:
            t_kind, t_name = _place(target)
            allowed = t_kind == "base" or (t_kind == "wing" and t_name in WINGS[wing] | {wing})
            if not allowed:
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_base_modules_import_only_base() -> None:
    upward = []
    for module, targets in _graph().items():
        if _place(module)[0] == "base":
            upward += [f"{module} -> {t}" for t in targets if _place(t)[0] != "base"]
    assert upward == []


def test_wing_init_files_hold_a_docstring_only() -> None:
    for init in PACKAGE.glob("*/__init__.py"):
        body = ast.parse(init.read_text(encoding="utf-8")).body
        assert len(body) == 1 and isinstance(body[0], ast.Expr), init


def test_modules_stay_small() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 300
    }
    assert long == {}
