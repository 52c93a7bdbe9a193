"""Entries on behalf of residents (代录) through the services: each act counts once, the resident's
own or entered for them (refused both ways, with a message that says so), the daily cap, the role
predicates, the consent tick, the audit entry and the resident's notification."""

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.communities import permissions as community_permissions
from app.communities.models import Role
from app.core import clock
from app.core.errors import DomainError, FieldError
from app.core.vocabulary import EntryChannel
from app.extensions import db
from app.matters import behalf
from app.matters import services as matters
from app.matters.models import Comment, MicroMatter, Support
from app.notifications.models import Notification, Outbox, OutboxChannel, SmsNumber
from app.onbehalf import permissions, services
from app.rules.models import RuleSet
from app.tracker import rating
from app.tracker.models import Evaluation
from tests.matters.helpers import fields

PHONE, PAPER, VISIT = EntryChannel.PHONE, EntryChannel.PAPER, EntryChannel.VISIT


def support(worker, community, resident, matter, channel=PHONE):
    return services.support(worker, community, resident, matter_id=str(matter.id), channel=channel, agreed=True)


def comment(worker, community, resident, matter, body="楼道灯坏了很久，希望尽快修。"):
    return services.comment(
        worker, community, resident, matter_id=str(matter.id), stance="support", body=body, channel=PAPER, agreed=True
    )


def rate(worker, community, resident, record, stars=4):
    return services.rate(
        worker, community, resident, record_id=str(record.id), stars=stars, comment="", channel=VISIT, agreed=True
    )


def propose(worker, community, resident, **changes):
    return services.propose(worker, community, resident, channel=PAPER, agreed=True, **fields(**changes))


# ---------------------------------------------------------------- who may


def test_role_predicates(community, committee, grid, pending_grid, other_grid, elder, make):
    admin = make.user(admin=True)
    assert community_permissions.is_grid_worker(grid, community)
    assert not community_permissions.is_grid_worker(pending_grid, community)  # not verified
    assert not community_permissions.is_grid_worker(other_grid, community)  # another community's
    assert not community_permissions.is_grid_worker(committee, community)
    assert permissions.can_enter_on_behalf(grid, community) and permissions.can_enter_on_behalf(committee, community)
    for nobody in (elder, pending_grid, other_grid, admin):
        assert not permissions.can_enter_on_behalf(nobody, community)
    assert permissions.can_enter_for(grid, elder, community)
    assert not permissions.can_enter_for(grid, grid, community)  # one's own acts are one's own
    assert not permissions.can_enter_for(grid, other_grid, community)  # not a resident here
    assert not permissions.can_enter_for(grid, pending_grid, community)  # not verified
    assert permissions.can_see_all_entries(committee, community) and permissions.can_see_all_entries(admin, community)
    assert not permissions.can_see_all_entries(grid, community)
    assert permissions.can_see_entries(grid, community) and not permissions.can_see_entries(elder, community)


def test_only_the_committee_and_grid_workers_enter(community, collecting, elder, residents, other_grid):
    for someone in (residents[0], other_grid):
        with pytest.raises(DomainError, match="只有居委会和网格员"):
            support(someone, community, elder, collecting)
    assert collecting.support_count == 0


def test_the_resident_must_have_agreed_and_a_channel_be_chosen(community, collecting, grid, elder):
    with pytest.raises(FieldError) as refused:
        services.support(grid, community, elder, matter_id=str(collecting.id), channel=PHONE, agreed=False)
    assert refused.value.field == "agreed"
    with pytest.raises(FieldError) as refused:
        services.support(grid, community, elder, matter_id=str(collecting.id), channel="fax", agreed=True)
    assert refused.value.field == "channel"
    assert db.session.scalar(select(Support.id)) is None


# ---------------------------------------------------------------- once: own and on behalf


def test_support_counts_once_both_ways(community, collecting, grid, elder, residents):
    support(grid, community, elder, collecting)
    row = db.session.scalar(select(Support).where(Support.user_id == elder.id))
    assert (row.entered_by_id, row.channel) == (grid.id, "phone")
    assert collecting.support_count == 1
    with pytest.raises(DomainError, match="网格员 小李已于 .* 为您代录过（电话）"):
        matters.support(elder, collecting)
    with pytest.raises(DomainError, match="网格员 小李已于 .* 为孙奶奶代录过"):
        support(grid, community, elder, collecting)
    # the other way: the resident's own support first
    matters.support(residents[0], collecting)
    with pytest.raises(DomainError, match="居民1本人已于 .* 做过"):
        support(grid, community, residents[0], collecting)
    db.session.refresh(collecting)
    assert collecting.support_count == 2
    assert len(db.session.scalars(select(Support)).all()) == 2


def test_supports_entered_on_behalf_reach_the_threshold(community, collecting, grid, residents):
    for person in residents[:3]:  # the community's threshold is 3
        support(grid, community, person, collecting)
    db.session.refresh(collecting)
    assert collecting.status == "under_review"


def test_proposal_counts_once_both_ways(community, grid, elder, residents):
    matter = propose(grid, community, elder)
    assert matter.proposer_id == elder.id and matter.status == "collecting"
    assert (matter.entered_by_id, matter.channel) == (grid.id, "paper")
    with pytest.raises(FieldError, match="为您代录过（纸质表格）"):
        matters.create_matter(elder, community, **fields())
    with pytest.raises(FieldError, match="为孙奶奶代录过"):
        propose(grid, community, elder)
    matters.create_matter(elder, community, **fields(title="另一件事"))  # another proposal is another act
    # the other way
    matters.create_matter(residents[0], community, submit=True, **fields())
    with pytest.raises(FieldError, match="居民1本人已于 .* 做过"):
        propose(grid, community, residents[0])
    matters.create_matter(residents[0], community, **fields())  # own twice: unchanged, allowed
    assert db.session.query(MicroMatter).count() == 4


def test_comment_counts_once_both_ways(community, collecting, grid, elder, residents):
    entered = comment(grid, community, elder, collecting)
    assert (entered.author_id, entered.entered_by_id, entered.channel) == (elder.id, grid.id, "paper")
    with pytest.raises(FieldError, match="为您代录过"):
        matters.add_comment(elder, collecting, "support", "楼道灯坏了很久，希望尽快修。")
    matters.add_comment(elder, collecting, "neutral", "另外，楼梯扶手也松了。")  # something new: fine
    matters.add_comment(residents[0], collecting, "oppose", "我觉得不急。")
    with pytest.raises(FieldError, match="居民1本人已于 .* 做过"):
        comment(grid, community, residents[0], collecting, body="我觉得不急。")
    assert db.session.query(Comment).count() == 3
    assert matters.stance_counts(collecting)["support"] == 1


def test_rating_counts_once_both_ways(community, evaluating, grid, elder, residents):
    evaluation = rate(grid, community, elder, evaluating)
    assert (evaluation.user_id, evaluation.entered_by_id, evaluation.channel) == (elder.id, grid.id, "visit")
    with pytest.raises(DomainError, match="为您代录过（入户走访）"):
        rating.rate(elder, evaluating, stars=2)
    rating.rate(residents[0], evaluating, stars=5)
    with pytest.raises(DomainError, match="居民1本人已于 .* 做过"):
        rate(grid, community, residents[0], evaluating)
    assert db.session.query(Evaluation).count() == 2
    assert rating.window_summary(evaluating.current_window)["all"].count == 2


# ---------------------------------------------------------------- the daily cap


def test_daily_cap_per_worker_per_local_day(community, collecting, grid, committee, residents, elder):
    ruleset = db.session.scalar(select(RuleSet).where(RuleSet.community_id == community.id))
    ruleset.on_behalf_daily_cap = 2
    db.session.commit()
    support(grid, community, residents[0], collecting)
    comment(grid, community, residents[1], collecting)
    assert services.entered_today(grid, community) == 2
    with pytest.raises(DomainError, match="代录上限（2 条）"):
        support(grid, community, residents[2], collecting)
    support(committee, community, residents[2], collecting)  # the cap is per worker
    tomorrow = clock.to_utc(clock.to_local(clock.now()).replace(hour=0, minute=1) + timedelta(days=1))
    with freeze_time(tomorrow):
        assert services.entered_today(grid, community) == 0
        comment(grid, community, elder, collecting)


def test_the_day_is_the_local_day(community, collecting, grid, residents, app):
    """Two entries at 23:30 and 00:30 local time are on two days, whatever the UTC date says."""
    ruleset = db.session.scalar(select(RuleSet).where(RuleSet.community_id == community.id))
    ruleset.on_behalf_daily_cap = 1
    db.session.commit()
    day = clock.local_today() + timedelta(days=1)
    evening = clock.to_utc(clock.to_local(clock.now()).replace(hour=23, minute=30) + timedelta(days=1))
    with freeze_time(evening):
        assert clock.local_today() == day
        support(grid, community, residents[0], collecting)
    with freeze_time(evening + timedelta(hours=1)):
        assert clock.local_today() == day + timedelta(days=1)
        support(grid, community, residents[1], collecting)
        with pytest.raises(DomainError, match="代录上限（1 条）"):
            support(grid, community, residents[2], collecting)


# ---------------------------------------------------------------- audit and notification


def test_audited_with_who_entered_it(community, collecting, grid, elder):
    support(grid, community, elder, collecting)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "matter.supported"))
    assert entry.actor_id == grid.id
    assert entry.data["on_behalf_of"] == elder.id and entry.data["channel"] == "phone"


def test_the_resident_is_told_in_the_inbox_and_by_sms(community, collecting, grid, elder):
    db.session.add(SmsNumber(user_id=elder.id, phone="13800001234", consent_version="1"))
    db.session.commit()
    support(grid, community, elder, collecting)
    note = db.session.scalar(select(Notification).where(Notification.user_id == elder.id))
    assert note.message == behalf.TOLD["support"]
    assert note.params["name"] == "网格员 小李" and note.params["channel"] == "phone"
    assert note.link == f"/c/xinglin/matters/{collecting.id}"
    sms = db.session.scalar(select(Outbox).where(Outbox.user_id == elder.id, Outbox.channel == OutboxChannel.SMS))
    assert sms is not None and "网格员 小李" in sms.body and "电话" in sms.body


def test_a_refused_entry_leaves_nothing(community, collecting, grid, elder):
    matters.support(elder, collecting)
    before = db.session.query(AuditEntry).count()
    with pytest.raises(DomainError):
        support(grid, community, elder, collecting)
    assert db.session.query(AuditEntry).count() == before
    assert db.session.scalar(select(Notification).where(Notification.user_id == elder.id)) is None


# ---------------------------------------------------------------- lists


def test_entries_per_worker_and_day(community, collecting, evaluating, grid, committee, elder, residents):
    support(grid, community, elder, collecting)
    rate(grid, community, elder, evaluating)
    comment(committee, community, residents[0], collecting)
    everything = services.entries(community)
    assert [e.kind for e in everything] == ["comment", "rating", "support"]
    assert [e.kind for e in services.entries(community, worker=grid)] == ["rating", "support"]
    assert [e.kind for e in services.entries(community, resident=residents[0])] == ["comment"]
    assert services.entries(community, day=clock.local_today() - timedelta(days=1)) == []
    summary = services.daily_summary(community)
    assert {(w.username, total, tuple(sorted(c.items()))) for _day, w, c, total in summary} == {
        ("grid1", 2, (("phone", 1), ("visit", 1))),
        ("committee", 1, (("paper", 1),)),
    }


def test_grid_worker_role_is_granted_and_removed_by_the_committee(community, committee, elder):
    from app.communities import services as community_services
    from app.communities.models import Membership

    membership = db.session.scalar(select(Membership).where(Membership.user_id == elder.id))
    community_services.set_role(committee, community, membership.id, Role.GRID_WORKER)
    assert permissions.can_enter_on_behalf(elder, community)
    community_services.set_role(committee, community, membership.id, Role.RESIDENT)
    assert not permissions.can_enter_on_behalf(elder, community)
