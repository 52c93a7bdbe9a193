"""The printable A4 notice still fits on one sheet now that it carries the audit log's head (the
full COUNT:HASH wraps instead of widening the page), in Chinese and in English."""

import re

import pytest
from sqlalchemy import select

from app.audit.services import head
from app.auth.models import User
from app.communities.models import Community
from app.extensions import db
from app.publishing import services as publishing

from .test_publishing_notice import seed

PREFACE = "根据《杏林社区居民议事规则》，现将本项目验收情况公示如下，欢迎居民监督。"


def pdf_pages(pdf):
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
@pytest.mark.parametrize("preface", ["", PREFACE])
def test_the_printed_notice_with_the_audit_head_fits_one_a4_page(live_app, live_server, new_page, lang, preface):
    record_id = seed(live_app)
    with live_app.app_context():
        committee = db.session.scalar(select(User).where(User.username == "committee"))
        community = db.session.scalar(select(Community).where(Community.slug == "xinglin"))
        start, end = publishing.default_period(community)
        notice = publishing.publish_notice(
            committee, community, "acceptance", record_id, preface=preface, period_start=start, period_end=end
        )
        token = head().token
        notice_id = notice.id
    page = new_page("desktop")
    page.goto(f"{live_server.url}/c/xinglin/notices/{notice_id}/print?lang={lang}")
    assert page.locator(".audit-head code").inner_text() == token
    page.emulate_media(media="print")
    assert pdf_pages(page.pdf(format="A4")) == 1
