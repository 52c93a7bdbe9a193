"""The demo's grid worker `grid1` and their entries: a proposal on a paper form, supports by phone
call, a rating on a home visit, all counted as the residents' own."""

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.communities.permissions import is_grid_worker
from app.extensions import db
from app.onbehalf import services
from tests.helpers import login


@pytest.mark.slow
def test_demo_grid_worker_and_entries(app, client, load_demo):
    context = load_demo()  # every step of app.demo.STEPS
    community = context["community"]
    grid = db.session.scalar(select(User).where(User.username == "grid1"))
    assert is_grid_worker(grid, community)
    kinds = {(e.kind, e.channel) for e in services.entries(community, worker=grid)}
    assert kinds == {("proposal", "paper"), ("support", "phone"), ("rating", "visit")}
    login(client, grid)
    page = client.get("/c/xinglin/on-behalf/")
    assert page.status_code == 200 and len(page.data) < 50_000
