"""`flask demo`: loads the demo once, with the demo password, and says so; run again, it changes
nothing. Each step's content is tested in its feature's test_demo.py (on the rows of one loading)."""

import pytest
from sqlalchemy import func, select

from app import demo
from app.auth.models import User
from app.communities.models import Community
from app.extensions import db
from tests.helpers import login


def test_flask_demo_loads_once_and_prints_the_logins(app, client, monkeypatch):
    # Its first step only: the whole demo's steps run once per run, in `load_demo` (tests/database.py).
    monkeypatch.setattr(demo, "STEPS", demo.STEPS[:1])
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Demo loaded." in result.output and "Logins (password: weiyi-demo): admin, committee" in result.output
    assert db.session.scalar(select(Community.name).where(Community.slug == "xinglin")) == "杏林社区"
    users = db.session.scalar(select(func.count(User.id)))
    assert users == 1 + 1 + 1 + 8 + 300  # admin, committee, chair, council1..8, resident1..300
    login(client, db.session.scalar(select(User).where(User.username == "resident1")), "weiyi-demo")
    assert client.get("/c/xinglin/matters/?mine=1").status_code == 200

    again = app.test_cli_runner().invoke(args=["demo"], env={"DEMO_PASSWORD": "other"})
    assert again.exit_code == 0 and "already loaded; nothing to do" in again.output
    assert db.session.scalar(select(func.count(User.id))) == users


@pytest.mark.slow
def test_the_whole_demo_keeps_its_audit_chain_intact(app, load_demo):
    load_demo()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "audit log intact" in result.output, result.output
