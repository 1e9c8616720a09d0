"""Imports run one way: site plumbing, then accounts, then workshops, then actions, then the public
site, then the demo data that fills them all. An earlier layer never imports a later one, so each
can be read, and changed, without the ones built on it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["feedback_site", "accounts", "workshops", "actions", "progress", "demo"]
# The project's composition root wires every app together by design.
WIRING = {
    "feedback_site/settings.py",
    "feedback_site/urls.py",
    "feedback_site/wsgi.py",
    "feedback_site/asgi.py",
}


def imported_modules(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module


def imports_of_later_layers(source: str, layer: str) -> list[tuple[int, str]]:
    later = LAYERS[LAYERS.index(layer) + 1 :]
    return sorted(
        (line, module)
        for line, module in imported_modules(ast.parse(source))
        if module.split(".")[0] in later
    )


def modules_of(layer: str):
    for path in sorted((ROOT / layer).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative not in WIRING and "/migrations/" not in relative:
            yield relative, path


@pytest.mark.parametrize("layer", LAYERS)
def test_no_module_imports_a_later_layer(layer):
    offending = [
        f"{relative}:{line}: {path.read_text().splitlines()[line - 1].strip()}"
        for relative, path in modules_of(layer)
        for line, _ in imports_of_later_layers(path.read_text(), layer)
    ]
    assert not offending, "Imports that run back up the layers:\n" + "\n".join(offending)


def test_the_check_finds_a_late_import_even_inside_a_function():
    source = "def f():\n    from progress.cache import page_etag\n\nimport actions.models\n"
    assert imports_of_later_layers(source, "workshops") == [
        (2, "progress.cache"),
        (4, "actions.models"),
    ]
    assert imports_of_later_layers(source, "progress") == []


def test_every_app_is_in_a_layer():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps == set(LAYERS)
