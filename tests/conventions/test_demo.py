"""The conventions demo step: 居民公约 v1 of 8 articles, one amendment incorporated as v2 through the
council and the residents' assembly (entered by the committee, confirmed by the chair), one still
collecting supports."""

import pytest

from app.audit.services import verify
from app.conventions import amendments, demo
from app.demo import core, rows_kept
from app.extensions import db


@pytest.mark.slow
def test_demo_step(app, client):
    context = {"password": "weiyi-demo"}
    with rows_kept():  # as `flask demo` loads
        core.load(context)
        demo.load(context)
    db.session.commit()
    convention = context["convention"]
    assert convention.title == "居民公约"
    assert [v.number for v in convention.versions] == [1, 2]
    assert len(convention.current.articles) == 8
    assert convention.current.articles[7].text == demo.AMENDED
    assert convention.versions[0].articles[7].text == demo.ARTICLES[7]
    open_, closed = amendments.amendments(convention)
    assert [a.status for a in open_] == ["collecting"] and [a.status for a in closed] == ["incorporated"]
    adopted = closed[0]
    assert adopted.motion.vote.result.passed and adopted.assembly.approved
    entry = adopted.assembly  # entered by the committee, confirmed by a second person: the chair
    assert (entry.entered_by.username, entry.confirmed_by.username, entry.status) == ("committee", "chair", "confirmed")
    assert adopted.motion.item.meeting.status == "closed"
    assert verify() == []
    page = client.get("/c/xinglin/convention")
    assert page.status_code == 200 and demo.AMENDED in page.get_data(as_text=True)
    assert len(page.data) < 50_000
