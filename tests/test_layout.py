"""The layout rule of DESIGN.md section 2: partners -> giftcards -> loyalty, one way.

loyalty (the core domain) imports neither partners nor giftcards, except in the project's wiring
(settings, urls, celery, wsgi), which names the other apps; giftcards never imports partners.
Every module is parsed with `ast`, so an import inside a function counts as much as one at the
top, and nothing is imported to find out.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"loyalty": {"partners", "giftcards"}, "giftcards": {"partners"}}
WIRING = {Path("loyalty/settings.py"), Path("loyalty/urls.py"), Path("loyalty/celery.py")}
WIRING |= {Path("loyalty/wsgi.py")}


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in the tree."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def crossings(app: str) -> list[str]:
    """Every import in `app` of an app it may not import, as "path:line imports module"."""
    bad = []
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "migrations" in relative.parts or relative in WIRING:
            continue
        tree = ast.parse(path.read_text(), filename=str(relative))
        for line, module in imported_modules(tree):
            if module.split(".")[0] in FORBIDDEN[app]:
                bad.append(f"{relative}:{line} imports {module}")
    return bad


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_imports_run_one_way(app):
    assert crossings(app) == []


def test_the_check_sees_an_import_inside_a_function():
    tree = ast.parse("def f():\n    from partners.api import views\n    import giftcards.models\n")
    assert imported_modules(tree) == [(2, "partners.api"), (3, "giftcards.models")]


def test_relative_imports_stay_inside_their_app():
    tree = ast.parse("from . import models\nfrom .services import x\n")
    assert imported_modules(tree) == []


def test_the_wiring_is_the_only_place_loyalty_names_the_other_apps():
    wiring_imports = {
        module
        for path in WIRING
        for _, module in imported_modules(ast.parse((ROOT / path).read_text()))
    }
    assert not {module for module in wiring_imports if module.split(".")[0] == "partners"}, (
        "the wiring names the other apps by dotted strings (include, settings), not imports"
    )
