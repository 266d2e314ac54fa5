"""The TMDB package stands alone: it imports no other FilmBot layer, no database and no Discord."""

from __future__ import annotations

import ast
from pathlib import Path

import filmbot.tmdb

PACKAGE = Path(filmbot.tmdb.__file__).parent
FORBIDDEN = (
    "filmbot.config",
    "filmbot.db",
    "filmbot.services",
    "filmbot.exts",
    "filmbot.bot",
    "filmbot.cli",
    "sqlalchemy",
    "discord",
)


def imported_modules(source: Path) -> set[str]:
    """Every module a source file imports, at top level or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(), str(source))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def is_forbidden(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in FORBIDDEN)


def test_the_tmdb_package_imports_nothing_outside_its_contract() -> None:
    offenders = {
        f"{source.name}: {module}"
        for source in sorted(PACKAGE.glob("*.py"))
        for module in imported_modules(source)
        if is_forbidden(module)
    }
    assert sorted(PACKAGE.glob("*.py")) and not offenders


def test_the_boundary_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text("def f():\n    from filmbot.db.cache import DatabaseCache\n")
    assert {m for m in imported_modules(source) if is_forbidden(m)} == {"filmbot.db.cache"}
