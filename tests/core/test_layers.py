"""Imports point one way: a package imports only from its own layer or the layers below it.

The layers (ARCHITECTURE.md), lowest first. Imports inside functions count too: a lazy import
is a dependency all the same, it only hides a loop. The few allowed exceptions are listed with
their reason in ALLOWED."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"

LAYERS = [
    {"extensions", "models_base", "core"},
    {"audit", "notifications"},
    {"auth", "communities"},
    {"rules"},
    {"matters"},
    {"councils", "voting", "tracker"},
    {
        "publishing",
        "fund",
        "partners",
        "conventions",
        "register",
        "proxies",
        "committee_items",
        "rule_adoption",
        "onbehalf",
        "attachments",
        "moderation",
        "council_terms",
    },
    {"api", "admin", "front", "demo", "ops", "privacy", "streets"},
    {"yearbook"},  # the yearly record: reads the street office's figures
    {"app", "models"},  # the factory (app/__init__.py) and app/models.py, which gather every feature
]
LAYER = {package: level for level, packages in enumerate(LAYERS) for package in packages}

# (importing module, imported module): why the import may point upwards. Keep it short.
ALLOWED = {}


def module_name(path):
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path):
    """(line, module) of every import in the file, relative ones made absolute."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # `from app import models` imports app.models; `from app.x import y` imports app.x
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}" if base == "app" else base


def package_of(module):
    """The top-level package under app/ ("app" for the factory itself), or None outside app."""
    parts = module.split(".")
    if parts[0] != "app":
        return None
    return parts[1] if len(parts) > 1 and parts[1] in LAYER else "app"


def upward_imports():
    found = []
    for path in sorted(APP.rglob("*.py")):
        source = module_name(path)
        level = LAYER[package_of(source)]
        for line, target in imported_modules(path):
            target_package = package_of(target)
            if target_package is None or LAYER[target_package] <= level:
                continue
            if (source, target) not in ALLOWED:
                found.append(
                    f"{path.relative_to(APP.parent)}:{line} imports {target} (layer {LAYER[target_package]} > {level})"
                )
    return found


def test_every_package_has_a_layer():
    packages = {p.name for p in APP.iterdir() if (p / "__init__.py").exists()}
    modules = {p.stem for p in APP.glob("*.py") if p.stem != "__init__"}
    assert packages | modules <= set(LAYER), f"place these in LAYERS: {sorted((packages | modules) - set(LAYER))}"


def test_imports_point_down_the_layers():
    found = upward_imports()
    assert not found, "imports from a lower layer to a higher one:\n" + "\n".join(found)


def test_the_allowed_exceptions_are_still_needed():
    present = {(module_name(p), t) for p in APP.rglob("*.py") for _line, t in imported_modules(p)}
    assert set(ALLOWED) <= present, f"remove from ALLOWED: {sorted(set(ALLOWED) - present)}"


def test_the_check_sees_lazy_and_relative_imports(tmp_path, monkeypatch):
    """The checker itself: an upward import hidden in a function or written relatively is found."""
    fake = tmp_path / "app"
    (fake / "core").mkdir(parents=True)
    (fake / "matters").mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "matters" / "__init__.py").write_text("")
    (fake / "core" / "__init__.py").write_text("from ..matters import lifecycle\n")
    (fake / "core" / "i18n.py").write_text("def f():\n    from app.matters.lifecycle import status_label\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["APP"]), "APP", fake)
    found = upward_imports()
    assert len(found) == 2
    assert any("app/core/i18n.py:2 imports app.matters.lifecycle" in line for line in found)
