"""Import contract types that FilmBot adds to import-linter's own (see pyproject.toml)."""

from __future__ import annotations

import sys
from typing import NamedTuple

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


class IllegalImport(NamedTuple):
    """One direct import that breaks a contract."""

    importer: str
    imported: str
    line_numbers: tuple[int, ...]


class StandardLibraryOnlyContract(Contract):
    """Check that packages import nothing but the standard library and themselves."""

    type_name = "standard_library_only"

    packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        """Find the direct imports of anything outside each package and the standard library."""
        illegal = [
            found
            for package in self.packages  # type: ignore[attr-defined]
            for found in _foreign_imports(graph, package)
        ]
        return ContractCheck(kept=not illegal, warnings=[], metadata={"illegal": illegal})

    def render_broken_contract(self, check: ContractCheck) -> None:
        """List each illegal import with its line numbers."""
        for found in check.metadata["illegal"]:
            lines = ", ".join(map(str, found.line_numbers))
            output.print_error(f"- {found.importer} -> {found.imported} (l.{lines})", bold=False)
            output.new_line()


def _foreign_imports(graph: ImportGraph, package: str) -> list[IllegalImport]:
    """Return the imports from inside the package of modules outside it and the standard library."""
    members = {package, *graph.find_descendants(package)}
    found = []
    for importer in sorted(members):
        for imported in sorted(graph.find_modules_directly_imported_by(importer) - members):
            if imported.partition(".")[0] in sys.stdlib_module_names:
                continue
            details = graph.get_import_details(importer=importer, imported=imported)
            lines = tuple(detail["line_number"] for detail in details)
            found.append(IllegalImport(importer, imported, lines))
    return found
