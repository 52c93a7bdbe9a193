"""Features plug in through their init_app, from one ordered list in create_app: what a feature
adds does not depend on which module Python happened to import first."""

import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app, features, plug_in
from app.matters import hooks, lifecycle

ROOT = Path(__file__).resolve().parents[2]
PANEL_FEATURES = [
    "councils",
    "tracker",
    "partners",
    "voting",
    "onbehalf",
]  # agenda item, implementation, delivery tasks, vote, 代录


def panel_features():
    return [panel.__module__.split(".")[1] for panel in hooks.panels()]


def test_every_feature_package_is_plugged_in():
    packages = {p.name for p in (ROOT / "app").iterdir() if (p / "__init__.py").exists()}
    assert {feature.__name__.removeprefix("app.") for feature in features()} == packages


def test_panels_take_their_declared_order(app):
    assert panel_features() == PANEL_FEATURES


@pytest.mark.slow
def test_panel_order_does_not_depend_on_import_order():
    """Importing the features backwards (publishing first flipped two panels once) changes nothing."""
    script = (
        "import app.partners, app.publishing, app.voting, app.tracker, app.councils\n"
        "from app import create_app\n"
        "from app.matters import hooks\n"
        "create_app('test')\n"
        "print(' '.join(p.__module__.split('.')[1] for p in hooks.panels()))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == PANEL_FEATURES


def test_plugging_in_again_changes_nothing(app):
    before = (
        hooks.panels(),
        list(lifecycle.TRANSITION_GUARDS),
        list(lifecycle.matter_transitioned.receivers),
        dict(app.blueprints),
    )
    plug_in(app)
    second = create_app("test")
    assert sorted(second.blueprints) == sorted(before[3])
    assert sorted(second.cli.commands) == sorted(app.cli.commands)
    assert (
        hooks.panels(),
        list(lifecycle.TRANSITION_GUARDS),
        list(lifecycle.matter_transitioned.receivers),
        dict(app.blueprints),
    ) == before
