"""HTTP flows: public pages, the committee's forms (good and bad input), rating, permissions."""

import io

import pytest
from sqlalchemy import select

from app.extensions import db
from app.tracker import delivery, rating
from app.tracker.models import Evaluation, Milestone, RecordState
from tests.helpers import image_bytes, login

from .helpers import days, reload, today


def url(record, tail=""):
    return f"/c/xinglin/tracker/{record.id}{tail}"


# ---------------------------------------------------------------- public pages


def test_public_pages_for_anyone(client, evaluating, residents):
    rating.rate(residents[0], evaluating, stars=5, comment="很好")
    for path in ("/c/xinglin/tracker/", url(evaluating), f"/c/xinglin/matters/{evaluating.matter_id}/timeline"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert len(response.data) < 50_000, path
    html = client.get(url(evaluating)).get_data(as_text=True)
    assert "/c/xinglin/meetings/7/minutes" in html  # what decided it
    assert "<progress" in html and "<meter" in html and "<svg" in html
    assert "很好" in html and "resident1" not in html  # comments without names


def test_record_of_another_community_is_not_found(client, record, other_community):
    assert client.get(f"/c/other/tracker/{record.id}").status_code == 404
    assert client.get("/c/xinglin/tracker/999999").status_code == 404
    assert client.get("/c/xinglin/tracker/99999999999999999999").status_code == 404
    assert client.get(f"/c/other/matters/{record.matter_id}/timeline").status_code == 404


def test_overdue_is_shown_as_text_everywhere(client, started, committee, app):
    delivery.add_milestone(committee, started, title="材料进场", planned_date=days(-3))
    login(client, committee)
    pages = [
        url(started),
        "/c/xinglin/tracker/",
        "/c/xinglin/dashboard",
        url(started, "/manage"),
        f"/c/xinglin/matters/{started.matter_id}/timeline",
    ]
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        assert "tracker-overdue" in html, path
        assert "逾期" in html, path
    assert "/c/xinglin/tracker/" in client.get("/c/xinglin/tracker/?overdue=1").get_data(as_text=True)


def test_matter_page_shows_the_panel_and_timeline_link(client, started, committee):
    delivery.add_milestone(committee, started, title="材料进场", planned_date=days(-3))
    html = client.get(f"/c/xinglin/matters/{started.matter_id}").get_data(as_text=True)
    assert f"/c/xinglin/matters/{started.matter_id}/timeline" in html
    assert f"/c/xinglin/tracker/{started.id}" in html
    assert "tracker-overdue" in html


# ---------------------------------------------------------------- the committee's forms


def test_committee_flow_through_the_forms(client, record, committee, proposer):
    login(client, committee)
    assert client.get(url(record, "/manage")).status_code == 200
    response = client.post(
        url(record, "/details"),
        data={
            "details-responsible_unit": "苏州某建设公司",
            "details-contact": "李工",
            "details-planned_start": str(days(1)),
            "details-planned_end": str(days(30)),
        },
    )
    assert response.status_code == 302
    response = client.post(
        url(record, "/milestones"), data={"milestone-title": "安装坡道", "milestone-planned_date": str(days(10))}
    )
    assert response.status_code == 302
    assert client.post(url(record, "/start")).status_code == 302
    milestone = db.session.scalar(select(Milestone))
    response = client.post(
        url(record, f"/milestones/{milestone.id}/done"),
        data={
            f"m{milestone.id}-done_on": str(today()),
            f"m{milestone.id}-note": "坡道已安装",
            f"m{milestone.id}-photos": [(io.BytesIO(image_bytes()), "site.png")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert reload(record).progress_percent == 100  # from the milestones: 1 of 1 done
    # with milestones the progress is theirs: a stated percentage is refused with the reason
    refused = client.post(url(record, "/updates") + "?lang=en", data={"update-percent": "80", "update-body": "收尾"})
    assert refused.status_code == 400 and "Progress follows the milestones here (1 of 1 done)" in refused.get_data(
        as_text=True
    )
    assert client.post(url(record, "/updates"), data={"update-body": "收尾"}).status_code == 302
    assert (
        client.post(
            url(record, "/spending"),
            data={"spending-amount": "5000", "spending-spent_on": str(today()), "spending-purpose": "材料费"},
        ).status_code
        == 302
    )
    response = client.post(url(record, "/accept"), data={"accept-accepted_on": str(today()), "accept-note": "合格"})
    assert response.status_code == 302
    response = client.post(url(record, "/evaluation"), data={"evaluation-closes_on": str(days(10))})
    assert response.status_code == 302
    record = reload(record)
    assert record.state == RecordState.EVALUATION and record.progress_percent == 100 and record.spent == 5000
    html = client.get(url(record)).get_data(as_text=True)
    assert "坡道已安装" in html and "/c/xinglin/tracker/photos/" in html
    photo_link = db.session.scalar(select(Milestone)).photos[0]
    photo = client.get(f"/c/xinglin/tracker/photos/{photo_link.photo_id}")
    assert photo.status_code == 200 and photo.mimetype == "image/png"
    assert client.get(f"/c/other/tracker/photos/{photo_link.photo_id}").status_code == 404
    assert client.get("/c/xinglin/tracker/photos/424242").status_code == 404


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"update-percent": "101"}, "update-percent", None),
        ({"update-percent": "-3"}, "update-percent", None),
        ({"update-percent": "abc"}, "update-percent", None),
        ({"update-percent": "", "update-body": ""}, "update-body", None),
    ],
)
def test_bad_progress_keeps_the_form(client, started, committee, data, field, message):
    login(client, committee)
    response = client.post(url(started, "/updates"), data={"update-body": "我写的说明", **data})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert reload(started).progress_percent == 0


def test_bad_spending_keeps_the_text(client, started, committee):
    login(client, committee)
    response = client.post(
        url(started, "/spending"),
        data={"spending-amount": "-50", "spending-spent_on": str(today()), "spending-purpose": "购买扶手材料"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "购买扶手材料" in html and 'id="spending-amount-error"' in html
    response = client.post(
        url(started, "/spending"),
        data={"spending-amount": "50", "spending-spent_on": str(days(2)), "spending-purpose": "购买扶手材料"},
    )
    assert response.status_code == 400 and 'id="spending-spent_on-error"' in response.get_data(as_text=True)
    response = client.post(
        url(started, "/spending"),
        data={"spending-amount": "50000", "spending-spent_on": str(today()), "spending-purpose": "超支"},
    )
    assert response.status_code == 400
    assert 'id="spending-over_budget_reason-error"' in response.get_data(as_text=True)
    assert reload(started).spent == 0


def test_done_date_in_the_future_is_refused(client, started, committee):
    milestone = delivery.add_milestone(committee, started, title="安装", planned_date=days(3))
    login(client, committee)
    response = client.post(
        url(started, f"/milestones/{milestone.id}/done"),
        data={f"m{milestone.id}-done_on": str(days(1)), f"m{milestone.id}-note": "我的备注"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "我的备注" in html and f'id="m{milestone.id}-done_on-error"' in html
    response = client.post(
        url(started, f"/milestones/{milestone.id}/done"), data={f"m{milestone.id}-done_on": "2026-02-30"}
    )
    assert response.status_code == 400
    response = client.post(
        url(started, f"/milestones/{milestone.id}/done"),
        content_type="multipart/form-data",
        data={
            f"m{milestone.id}-done_on": str(today()),
            f"m{milestone.id}-photos": [(io.BytesIO(b"<script>"), "evil.jpg")],
        },
    )
    assert response.status_code == 400
    assert f'id="m{milestone.id}-photos-error"' in response.get_data(as_text=True)
    assert db.session.get(Milestone, milestone.id).done_on is None
    assert (
        client.post(url(started, "/milestones/999999/done"), data={"m999999-done_on": str(today())}).status_code == 404
    )


def test_illegal_state_changes_are_refused_with_a_message(client, record, committee):
    login(client, committee)
    response = client.post(url(record, "/close"))
    assert response.status_code == 400
    response = client.post(url(record, "/accept"), data={"accept-accepted_on": str(today()), "accept-note": "x"})
    assert response.status_code == 400
    response = client.post(url(record, "/start"))  # no responsible unit yet
    assert response.status_code == 400 and "开始实施前请填写责任单位" in response.get_data(as_text=True)
    assert reload(record).state == RecordState.PLANNED


@pytest.mark.parametrize("who", ["proposer", "council_member", "other_committee", "outsider"])
def test_others_get_403(client, record, who, request):
    login(client, request.getfixturevalue(who))
    assert client.get(url(record, "/manage")).status_code == 403
    response = client.post(url(record, "/details"), data={"details-responsible_unit": "我来"})
    assert response.status_code == 403
    assert client.post(url(record, "/start")).status_code == 403
    assert client.get("/c/xinglin/dashboard").status_code == 403
    assert reload(record).responsible_unit == ""


def test_anonymous_is_sent_to_log_in(client, record):
    response = client.get(url(record, "/manage"))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.post(url(record, "/start")).status_code == 302
    assert client.get("/c/xinglin/dashboard").status_code == 302


# ---------------------------------------------------------------- rating


def test_resident_rates_once(client, evaluating, residents):
    login(client, residents[0])
    page = client.get(url(evaluating, "/rate"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('type="radio"') == 5 and "<legend>" in html
    response = client.post(url(evaluating, "/rate"), data={"stars": "4", "comment": "不错"})
    assert response.status_code == 302
    response = client.post(url(evaluating, "/rate"), data={"stars": "1", "comment": "再评一次"})
    assert response.status_code == 400
    assert "您已评价过该项目" in response.get_data(as_text=True)
    assert [e.stars for e in db.session.scalars(select(Evaluation))] == [4]


@pytest.mark.parametrize("stars", ["", "0", "6", "abc"])
def test_bad_stars(client, evaluating, residents, stars):
    login(client, residents[0])
    response = client.post(url(evaluating, "/rate"), data={"stars": stars, "comment": "我的意见"})
    assert response.status_code == 400
    assert "我的意见" in response.get_data(as_text=True)
    assert db.session.scalar(select(Evaluation)) is None


def test_outsider_and_pending_cannot_rate(client, evaluating, outsider, pending):
    for user in (outsider, pending):
        login(client, user)
        response = client.post(url(evaluating, "/rate"), data={"stars": "5"})
        assert response.status_code == 400
        client.post("/auth/logout")
    assert db.session.scalar(select(Evaluation)) is None


def test_rating_before_the_window_is_refused(client, completed, residents):
    login(client, residents[0])
    assert 'class="notice"' in client.get(url(completed, "/rate")).get_data(as_text=True)
    assert client.post(url(completed, "/rate"), data={"stars": "5"}).status_code == 400


# ---------------------------------------------------------------- English


def test_english_pages(client, evaluating):
    html = client.get(url(evaluating) + "?lang=en").get_data(as_text=True)
    assert "Residents' verdict" in html and "Milestones" in html


def test_forms_carry_their_csrf_token(app, client, record, committee):
    import re

    delivery.update_details(
        committee, record, responsible_unit="施工队", contact="", planned_start=None, planned_end=None
    )
    app.config["WTF_CSRF_ENABLED"] = True
    login_page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
    client.post("/auth/login", data={"username": "committee", "password": "password123", "csrf_token": token})
    assert client.post(url(record, "/start")).status_code == 400  # no token: refused
    assert reload(record).state == RecordState.PLANNED
    html = client.get(url(record, "/manage")).get_data(as_text=True)
    start_token = re.search(r'name="confirm-csrf_token"[^>]*value="([^"]+)"', html).group(1)
    assert client.post(url(record, "/start"), data={"confirm-csrf_token": start_token}).status_code == 302
    assert reload(record).state == RecordState.IN_PROGRESS


def test_other_forms_keep_the_records_values_after_an_error(client, started, committee):
    login(client, committee)
    response = client.post(url(started, "/spending"), data={"spending-amount": "-1"})
    assert response.status_code == 400
    assert 'value="苏州市某建设公司"' in response.get_data(as_text=True)  # the plan form still shows the record


def test_the_committee_managing_the_work_is_not_offered_the_rating(client, evaluating, committee):
    login(client, committee)
    record_page = client.get(url(evaluating) + "?lang=en").get_data(as_text=True)
    assert "cannot rate it" in record_page and url(evaluating, "/rate") not in record_page.split("evaluation-h")[1]
    page = client.get(url(evaluating, "/rate") + "?lang=en").get_data(as_text=True)
    assert "cannot rate it" in page and 'name="stars"' not in page
    response = client.post(url(evaluating, "/rate") + "?lang=en", data={"stars": "5"})
    assert response.status_code == 400 and "cannot rate it" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Evaluation.id))) == 0


def test_the_record_page_shows_no_group_of_fewer_than_five(client, evaluating, proposer, residents):
    rating.rate(proposer, evaluating, stars=1, comment="不满意")
    for user in residents:
        rating.rate(user, evaluating, stars=5)
    html = client.get(url(evaluating) + "?lang=en").get_data(as_text=True)
    table = html.split("Who rated")[1].split("</table>")[0]
    assert table.count("Not shown: fewer than 5 ratings") == 2  # the proposer's group, and the others with it
    assert "Everyone" in table
    # The comment carries its stars, not who gave it.
    comments = html.split("不满意")[0].rsplit("<li", 1)[1]
    assert "proposer" not in comments.lower()
