"""Dependencies point inward: services → projections → domain (docs/architecture.md, "Layers")."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED_IN_DOMAIN = {"pydantic", "pydantic_core", "eventsourcing", "domain"}


def imported_modules(package: str) -> list[tuple[str, str]]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found += [(str(path.relative_to(ROOT)), a.name) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((str(path.relative_to(ROOT)), node.module))
    return found


def test_domain_imports_only_the_standard_library_pydantic_and_eventsourcing_domain() -> None:
    offenders = [
        (where, name)
        for where, name in imported_modules("domain")
        if name.split(".")[0] not in ALLOWED_IN_DOMAIN | set(sys.stdlib_module_names)
        or (name.startswith("eventsourcing") and name != "eventsourcing.domain")
    ]
    assert offenders == []


@pytest.mark.parametrize("package", ["domain", "projections"])
def test_inner_layers_never_import_services(package: str) -> None:
    assert [(w, n) for w, n in imported_modules(package) if n.split(".")[0] == "services"] == []


def test_domain_never_imports_projections() -> None:
    assert [(w, n) for w, n in imported_modules("domain") if n.split(".")[0] == "projections"] == []
