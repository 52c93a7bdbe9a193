"""Who may update records and who may rate: the named rules and the services that use them."""

import pytest
from freezegun import freeze_time
from sqlalchemy.exc import IntegrityError

from app.core import clock
from app.core.errors import DomainError, FieldError
from app.extensions import db
from app.tracker import delivery, permissions, rating
from app.tracker.models import Evaluation, Relation

from .helpers import days, today


def test_only_this_communitys_committee_manages(record, committee, other_committee, council_member, proposer, make):
    admin = make.user(admin=True)
    assert permissions.can_manage_record(committee, record)
    for user in (other_committee, council_member, proposer, admin, None):
        assert not permissions.can_manage_record(user, record)


@pytest.mark.parametrize("who", ["other_committee", "council_member", "proposer", "outsider"])
def test_others_cannot_update(record, who, request):
    user = request.getfixturevalue(who)
    calls = [
        lambda: delivery.update_details(
            user, record, responsible_unit="x", contact="", planned_start=None, planned_end=None
        ),
        lambda: delivery.add_milestone(user, record, title="x", planned_date=today()),
        lambda: delivery.post_update(user, record, body="x"),
        lambda: delivery.record_spending(user, record, amount=1, spent_on=today(), purpose="x"),
        lambda: delivery.start(user, record),
        lambda: delivery.pause(user, record, "x"),
    ]
    for call in calls:
        with pytest.raises(DomainError, match="居委会"):
            call()
    assert record.responsible_unit == "" and not record.milestones and not record.spending


def test_dashboard_permissions(community, committee, council_member, proposer, make):
    admin = make.user(admin=True)
    assert permissions.can_view_dashboard(committee, community)
    assert permissions.can_view_dashboard(admin, community)
    assert not permissions.can_view_dashboard(council_member, community)
    assert not permissions.can_view_dashboard(proposer, community)
    assert permissions.can_view_admin_dashboard(admin) and not permissions.can_view_admin_dashboard(committee)


def test_rating_once_in_the_window(evaluating, residents, proposer, supporters):
    assert permissions.can_rate(residents[0], evaluating)
    evaluation = rating.rate(residents[0], evaluating, stars=4, comment="很好")
    assert evaluation.relation == Relation.RESIDENT
    assert not permissions.can_rate(residents[0], evaluating)
    with pytest.raises(DomainError, match="已评价"):
        rating.rate(residents[0], evaluating, stars=5)
    assert rating.rate(proposer, evaluating, stars=5).relation == Relation.PROPOSER
    assert rating.rate(supporters[0], evaluating, stars=3).relation == Relation.SUPPORTER


def test_unique_constraint_backs_the_rule(evaluating, residents):
    rating.rate(residents[0], evaluating, stars=4)
    window = evaluating.current_window
    db.session.add(Evaluation(window_id=window.id, record_id=evaluating.id, user_id=residents[0].id, stars=2))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_race_gives_a_friendly_message(evaluating, residents, monkeypatch):
    """Two requests at once: both pass the check, the database refuses the second insert."""
    rating.rate(residents[0], evaluating, stars=4)
    monkeypatch.setattr(permissions, "has_rated", lambda user, window: False)
    with pytest.raises(DomainError, match="已评价"):
        rating.rate(residents[0], evaluating, stars=2)
    assert len(evaluating.current_window.evaluations) == 1


@pytest.mark.parametrize("who", ["pending", "outsider", "other_committee"])
def test_only_verified_residents_of_the_community_rate(evaluating, who, request):
    user = request.getfixturevalue(who)
    assert not permissions.can_rate(user, evaluating)
    with pytest.raises(DomainError, match="已认证"):
        rating.rate(user, evaluating, stars=5)


def test_council_members_are_residents_too(evaluating, council_member):
    assert permissions.can_rate(council_member, evaluating)
    rating.rate(council_member, evaluating, stars=4)
    assert [(e.user_id, e.stars) for e in evaluating.current_window.evaluations] == [(council_member.id, 4)]


def test_the_committee_that_manages_the_work_does_not_rate_it(evaluating, committee, other_committee):
    assert permissions.manages_record(committee, evaluating)
    assert not permissions.manages_record(other_committee, evaluating)
    assert not permissions.can_rate(committee, evaluating)
    with pytest.raises(DomainError, match="管理"):
        rating.rate(committee, evaluating, stars=5)
    assert evaluating.current_window.evaluations == []


@pytest.mark.parametrize("stars", [0, 6, -1, "5", None, True])
def test_stars_validated(evaluating, residents, stars):
    with pytest.raises(FieldError):
        rating.rate(residents[0], evaluating, stars=stars)


def test_comment_length(evaluating, residents):
    with pytest.raises(FieldError):
        rating.rate(residents[0], evaluating, stars=3, comment="长" * 501)


def test_no_rating_before_or_after_the_window(completed, committee, residents):
    assert not permissions.can_rate(residents[0], completed)
    with pytest.raises(DomainError, match="评价期"):
        rating.rate(residents[0], completed, stars=5)
    rating.open_evaluation(committee, completed, closes_on=days(3))
    rating.rate(residents[0], completed, stars=5)
    with freeze_time(clock.end_of_local_day(days(3))):
        assert not completed.current_window.is_open()
        with pytest.raises(DomainError, match="评价期"):
            rating.rate(residents[1], completed, stars=5)


def test_window_ends_when_the_committee_says(evaluating, committee, residents):
    rating.end_window(committee, evaluating)
    with pytest.raises(DomainError):
        rating.rate(residents[0], evaluating, stars=5)
    with pytest.raises(DomainError):
        rating.end_window(committee, evaluating)


def test_summary_withholds_groups_of_fewer_than_five(evaluating, proposer, supporters, residents):
    rating.rate(proposer, evaluating, stars=2)
    rating.rate(supporters[0], evaluating, stars=5)
    rating.rate(supporters[1], evaluating, stars=4)
    rating.rate(residents[0], evaluating, stars=3, comment="一般")
    summary = rating.window_summary(evaluating.current_window)
    assert summary["all"].count == 4 and summary["all"].rate == 50.0 and summary["all"].average == 3.5
    # The proposer's own rating is no group of its own; three and one are below five: both withheld.
    assert "proposer" not in summary
    assert summary["supporters"] is None and summary["others"] is None
    assert [e.comment for e in summary["comments"]] == ["一般"]
    assert summary["below"]  # 50 % < 60 %
    assert not summary["needs_response"]  # the window is still open


def test_summary_shows_groups_of_five_or_more(evaluating, proposer, residents):
    for user in residents:
        rating.rate(user, evaluating, stars=1)
    summary = rating.window_summary(evaluating.current_window)
    assert summary["others"].count == 5 and summary["others"].average == 1.0
    assert summary["supporters"].count == 0  # an empty group reveals nothing
    rating.rate(proposer, evaluating, stars=5)
    summary = rating.window_summary(evaluating.current_window)
    # The proposer alone is withheld, and the five others too: the total minus them would give it away.
    assert summary["supporters"] is None and summary["others"] is None
    assert summary["all"].count == 6
