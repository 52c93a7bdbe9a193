"""A fixture built once per test module and put back for each later test of the module.

A module that uses a costly fixture in every test (a seeded community, a matter taken the whole
way to acceptance) overrides it with one that calls `once_per_module(request)`: the first test builds
it as the fixture it overrides would (on the empty database every test starts with), and its rows,
files and value are kept; each later test gets those rows put back (ids included, see
tests/database.py's `DatabaseSnapshot`) and the value loaded again, a few milliseconds instead of the
whole build. A build that leaves state outside the database (a logged-in client) does that part
again in a function of its own, for every test.
"""

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.extensions import db
from tests.database import DatabaseSnapshot
from tests.helpers import Builder


@dataclass(frozen=True)
class _Built:
    snapshot: DatabaseSnapshot  # its context: the fixture's value (an object's attributes)
    kind: type | None  # the value's class when it is an object with attributes (a namespace, a world)
    made: int  # the Builder's count, so that people made later get new user names


_built = {}  # (module, fixture, database kind) -> _Built, in this process (each xdist worker its own)


def once_per_module(request, build=None):
    """The value of build(), by default of the fixture this one overrides (same name): built by
    the first test of the module, put back for the others. The test's Builder (`make`) stands
    wherever the value held the first test's."""
    key = (request.module.__name__, request.fixturename, db.engine.dialect.name)
    make = request.getfixturevalue("make")
    kept = _built.get(key)
    if kept is None:
        value = build() if build else request.getfixturevalue(request.fixturename)
        db.session.commit()
        kind = type(value) if hasattr(value, "__dict__") and not isinstance(value, db.Model) else None
        files = Path(tempfile.mkdtemp(prefix="weiyi-built-once-"))
        request.session.config.add_cleanup(lambda: shutil.rmtree(files, ignore_errors=True))
        snapshot = DatabaseSnapshot.take(vars(value) if kind else value, files)
        _built[key] = _Built(snapshot, kind, make.count)
        return value
    value = kept.snapshot.restore()
    make.count = kept.made
    if kept.kind:
        attributes, value = value, kept.kind.__new__(kept.kind)
        vars(value).update(attributes)
        for name, part in attributes.items():
            if isinstance(part, Builder):
                setattr(value, name, make)
    return value


def once_per_module_with(request, name, build):
    """The value of the fixture this one overrides (a namespace, such as a `world`) with one more
    attribute, `name`, set to build(value): both built by the first test of the module, put back
    for the others."""

    def built():
        value = request.getfixturevalue(request.fixturename)
        setattr(value, name, build(value))
        return value

    return once_per_module(request, built)
