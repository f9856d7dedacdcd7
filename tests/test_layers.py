"""The architecture, enforced: one folder per layer, imports only downward.

Every ``import`` of a ``highlights`` module, including those inside functions, is
read from the source (an AST walk; imports under ``if TYPE_CHECKING:`` are not run
and are skipped) and checked against the layer order below.  A module may import
its own layer and the layers below it.  The only upward edges allowed are the
documented lazy facades on :class:`highlights.Highlights` into the output layer.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import highlights

SRC = Path(highlights.__file__).resolve().parent

#: Bottom to top.  A module's layer is that of the longest prefix listed here.
LAYERS: list[tuple[str, ...]] = [
    ("highlights.errors", "highlights.types", "highlights.timeline", "highlights._validate",
     "highlights._atomic", "highlights._progress", "highlights._format", "highlights._schema",
     "highlights._window", "highlights._version"),
    ("highlights.io",),
    ("highlights.features",),
    ("highlights.cache",),
    ("highlights.published", "highlights.labels"),
    ("highlights.fusion",),
    ("highlights.selection",),
    ("highlights.evaluate", "highlights.synth"),
    ("highlights.learn",),
    ("highlights.result",),
    ("highlights.export",),
    ("highlights.api", "highlights.channel"),
    ("highlights.cli", "highlights.__main__", "highlights.model", "highlights"),
]

#: (importer, imported, function) edges allowed upward: lazy facades that let a result
#: write itself (``result.export(...)``, ``result.plot(...)``, ``result.to_html(...)``).
FACADES = {
    ("highlights.result", "highlights.export.bundle", "export"),
    ("highlights.result", "highlights.export.plot", "plot"),
    ("highlights.result", "highlights.export.report", "to_html"),
    ("highlights.result", "highlights.export.report", "_repr_html_"),
}


def layer_of(module: str) -> int:
    best, rank = -1, -1
    for i, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > best:
                best, rank = len(name), i
    if rank < 0:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS in test_layers.py")
    return rank


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_blocks(tree: ast.AST) -> set[int]:
    """Line numbers of statements inside ``if TYPE_CHECKING:`` blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                lines.update(range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
    return lines


def _is_module(name: str) -> bool:
    base = SRC.parent.joinpath(*name.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def imports_of(path: Path) -> list[tuple[str, int, str]]:
    """``(imported module, line, enclosing function)`` for every runtime import."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_blocks(tree)
    out: list[tuple[str, int, str]] = []

    def visit(node: ast.AST, func: str) -> None:
        for child in ast.iter_child_nodes(node):
            f = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else func
            if isinstance(child, ast.ImportFrom) and child.lineno not in skip:
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - (child.level - 1)]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                if target == "highlights" or target.startswith("highlights."):
                    # "from . import x" imports a submodule x when x is one
                    for alias in child.names:
                        sub = f"{target}.{alias.name}"
                        out.append((sub if _is_module(sub) else target, child.lineno, f))
            elif isinstance(child, ast.Import) and child.lineno not in skip:
                for alias in child.names:
                    if alias.name.startswith("highlights"):
                        out.append((alias.name, child.lineno, f))
            visit(child, f)

    visit(tree, "")
    return out


def all_modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    for path in all_modules():
        layer_of(module_name(path))


def test_imports_only_go_down() -> None:
    bad = []
    for path in all_modules():
        src = module_name(path)
        for target, line, func in imports_of(path):
            if layer_of(target) > layer_of(src) and (src, target, func) not in FACADES:
                bad.append(f"{src}:{line} ({func or 'module'}) imports {target}")
    assert not bad, "upward imports:\n" + "\n".join(bad)


def test_the_checker_catches_an_upward_import(tmp_path: Path, monkeypatch) -> None:
    """A module of a low layer that imports a high one, even inside a function, fails."""
    fake = SRC / "fusion" / "_layer_probe.py"
    code = "def f():\n    from ..api import find_highlights\n    return find_highlights\n"
    fake.write_text(code, encoding="utf-8")
    try:
        found = [(t, func) for t, _, func in imports_of(fake)]
        assert ("highlights.api", "f") in found
        assert layer_of("highlights.api") > layer_of(module_name(fake))
    finally:
        fake.unlink()


def _public_names(pkg: object) -> set[str]:
    names = set(getattr(pkg, "__all__", ()))
    return {n for n in names if not n.startswith("_")}


def test_no_public_name_is_also_a_submodule() -> None:
    clashes = []
    for info in pkgutil.walk_packages(highlights.__path__, "highlights."):
        if not info.ispkg:
            continue
        pkg = importlib.import_module(info.name)
        subs = {m.name for m in pkgutil.iter_modules(pkg.__path__)}
        clashes += [f"{info.name}.{n}" for n in _public_names(pkg) & subs]
    top_subs = {m.name for m in pkgutil.iter_modules(highlights.__path__)}
    clashes += [f"highlights.{n}" for n in _public_names(highlights) & top_subs]
    assert not clashes, f"public names that are also submodules: {clashes}"


def test_public_names_keep_their_meaning_after_imports() -> None:
    """``highlights.select`` stays the function whatever was imported before."""
    import highlights.api  # noqa: F401 - imports every layer below
    from highlights import find_highlights  # noqa: F401

    for name in highlights.__all__:
        value = getattr(highlights, name)
        assert not isinstance(value, type(highlights)), f"highlights.{name} is a module"


def test_lazy_table_matches_the_typed_names() -> None:
    """``__init__``'s lazy table and its TYPE_CHECKING imports name the same objects."""
    tree = ast.parse((SRC / "__init__.py").read_text(encoding="utf-8"))
    typed: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom)
                for alias in stmt.names:
                    typed[alias.asname or alias.name] = "." * stmt.level + (stmt.module or "")
    assert typed == highlights._LAZY
    for name, module in highlights._LAZY.items():
        obj = getattr(importlib.import_module(module, "highlights"), name)
        assert getattr(highlights, name) is obj


@pytest.mark.parametrize("old", ["highlights.model", "highlights.io.chat", "highlights.synth"])
def test_documented_old_paths_still_import(old: str) -> None:
    with pytest.warns(DeprecationWarning) if old == "highlights.model" else _nothing():
        mod = importlib.reload(importlib.import_module(old))
    assert mod is not None


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
