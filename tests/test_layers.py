"""Stage order: no module imports a stage that comes after its own (DESIGN.md: collect →
store → extract → cluster → compare → report), and no stage imports the glue on top.

Imports are read with ``ast`` from every module under ``coverage_cmp/``, including imports
inside functions and ``TYPE_CHECKING`` blocks: a lazy import still ties the layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "coverage_cmp"
#: The stages, earliest first; a stage may import only earlier ones.
STAGES = ("collect", "extract", "cluster", "compare", "report")
#: Shared by every stage (records, errors, settings, the store, text helpers).
BOTTOM = ("model", "errors", "settings", "store", "_text", "pair_model")
#: Calls the stages; nothing in a stage or the bottom layer may import it.
GLUE = ("pipeline", "cli", "scale", "engine", "parquet", "__main__")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every ``coverage_cmp`` module the source of ``module`` imports; ``from a import b``
    counts ``a.b`` too, since ``b`` may be a module."""
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[:len(parts) - node.level + 1]
                module_from = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module_from = node.module or ""
            found.add(module_from)
            found.update(f"{module_from}.{alias.name}" for alias in node.names)
    return {m for m in found if m.split(".")[0] == "coverage_cmp"}


def layer(module: str) -> str:
    """The top-level part of the package a module belongs to (``coverage_cmp`` itself for
    the package's ``__init__``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def forbidden_layers(own: str) -> set[str]:
    if own in STAGES:
        return {*STAGES[STAGES.index(own) + 1:], *GLUE, "coverage_cmp"}
    if own in BOTTOM:
        return {*STAGES, *GLUE, "coverage_cmp"}
    return set()


MODULES = sorted(PACKAGE.rglob("*.py"))
#: Known upward imports (importer, imported module), each with why it is tolerated;
#: ``test_the_known_upward_imports_are_still_there`` fails once one is gone.
KNOWN = {
    # ``Comparison.to_dataframes()`` is the public door to the optional pandas tables; the
    # import is lazy so that pandas loads only when asked.
    ("coverage_cmp.model", "coverage_cmp.compare.frames"),
}


def covers(known: tuple[str, str], upward: tuple[str, str]) -> bool:
    """Whether ``upward`` (importer, imported name) is the known import or a name in it."""
    return upward[0] == known[0] and (upward[1] == known[1]
                                      or upward[1].startswith(f"{known[1]}."))


def upward_imports(path: Path) -> set[tuple[str, str]]:
    own = module_name(path)
    forbidden = forbidden_layers(layer(own))
    imported = imported_modules(path.read_text(encoding="utf-8"), own,
                                is_package=path.name == "__init__.py")
    return {(own, module) for module in imported
            if layer(module) in forbidden and layer(module) != layer(own)}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_no_module_imports_a_later_stage_or_the_glue(path):
    unknown = {upward for upward in upward_imports(path)
               if not any(covers(known, upward) for known in KNOWN)}
    assert unknown == set()


def test_every_module_belongs_to_a_known_layer():
    known = {*STAGES, *BOTTOM, *GLUE, "coverage_cmp"}
    assert {layer(module_name(p)) for p in MODULES} <= known


def test_the_known_upward_imports_are_still_there():
    found = set().union(*(upward_imports(p) for p in MODULES))
    gone = {known for known in KNOWN if not any(covers(known, upward) for upward in found)}
    assert gone == set()


def test_the_reader_sees_plain_relative_and_lazy_imports():
    source = ("from coverage_cmp.report.corpus import corpus_summary\n"
              "import coverage_cmp.pipeline\n"
              "def later():\n    from ..compare import events\n    from .align import align\n")
    imported = imported_modules(source, "coverage_cmp.cluster.sub")
    assert {"coverage_cmp.report.corpus", "coverage_cmp.pipeline", "coverage_cmp.compare.events",
            "coverage_cmp.cluster.align"} <= imported
    assert {layer(m) for m in imported} == {"report", "pipeline", "compare", "cluster"}
