"""The standard_library_only import contract that guards filmbot.domain."""

from __future__ import annotations

from grimp import ImportGraph
from scripts.import_contracts import IllegalImport, StandardLibraryOnlyContract


def graph_of(imports: list[tuple[str, str, int]]) -> ImportGraph:
    """Build an import graph from (importer, imported, line) triples."""
    graph = ImportGraph()
    graph.add_module("app.domain")
    for importer, imported, line in imports:
        graph.add_import(
            importer=importer, imported=imported, line_number=line, line_contents="import"
        )
    return graph


def contract() -> StandardLibraryOnlyContract:
    """The contract as pyproject.toml configures it for the domain."""
    return StandardLibraryOnlyContract(
        name="domain", session_options={}, contract_options={"packages": ["app.domain"]}
    )


def test_standard_library_and_own_imports_keep_the_contract() -> None:
    graph = graph_of(
        [
            ("app.domain.rules", "app.domain.models", 3),
            ("app.domain.rules", "datetime", 4),
            ("app.domain.models", "collections.abc", 5),
            ("app.db", "sqlalchemy", 1),
        ]
    )

    check = contract().check(graph, verbose=False)

    assert check.kept
    assert check.metadata["illegal"] == []


def test_third_party_and_sibling_imports_break_the_contract_with_their_lines() -> None:
    graph = graph_of(
        [
            ("app.domain.rules", "datetime", 2),
            ("app.domain.rules", "pydantic", 7),
            ("app.domain", "app.db.models", 9),
        ]
    )

    check = contract().check(graph, verbose=False)

    assert not check.kept
    assert check.metadata["illegal"] == [
        IllegalImport("app.domain", "app.db.models", (9,)),
        IllegalImport("app.domain.rules", "pydantic", (7,)),
    ]
