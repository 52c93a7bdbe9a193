"""The fund through its pages and the flows it follows: sources, commitments on approval,
payments from the tracker's spending, releases on acceptance, overdraw, corrections, closed years."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.core import clock
from app.core.errors import DomainError, FieldError
from app.extensions import db
from app.fund import services
from app.fund.models import FundEntry, FundYearClosing
from app.matters import lifecycle
from app.tracker import delivery
from tests.helpers import login

from .helpers import add_source, entries, figures, year


def page_url(tail=""):
    return f"/c/xinglin/fund/{year()}{tail}"


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def audited(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def started(record, committee):
    delivery.update_details(
        committee, record, responsible_unit="苏州某工程队", contact="李工", planned_start=None, planned_end=None
    )
    delivery.start(committee, record)
    return record


# ---------------------------------------------------------------- sources


def test_committee_records_a_charity_source(client, community, committee):
    login(client, committee)
    response = client.post(
        page_url("/sources"),
        data={
            "source_kind": "charity",
            "amount": "¥60,000",
            "entry_date": str(clock.local_today()),
            "donor": "杏林社区基金",
            "matching_percent": "30",
        },
    )
    assert response.status_code == 302
    (entry,) = entries(community)
    assert (entry.kind, entry.source_kind, entry.amount, entry.donor, entry.matching_percent) == (
        "source",
        "charity",
        60_000,
        "杏林社区基金",
        30,
    )
    assert entry.entered_by_id == committee.id and entry.year == year()
    (audit,) = audited("fund.source_recorded")
    assert audit.data["amount"] == 60_000 and audit.data["donor"] == "杏林社区基金"
    html = client.get(page_url("?lang=en")).get_data(as_text=True)
    assert "杏林社区基金" in html and "matches 30% of a project" in html
    assert "Entered by" in html and "居委会 周主任" in html
    assert html.count("¥60,000") >= 3  # the chart, the table and the entry


@pytest.mark.parametrize(
    ("amount", "field_error"),
    [("-500", "above zero"), ("0", "above zero"), ("五千", "whole number"), ("12.5", "whole number"), ("", "")],
)
def test_bad_amounts_are_refused_with_the_form_kept(client, community, committee, amount, field_error):
    login(client, committee)
    client.get("/?lang=en")
    response = client.post(
        page_url("/sources"),
        data={"source_kind": "other", "amount": amount, "entry_date": str(clock.local_today()), "note": "街道补助款"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="amount-error"' in html and field_error in html
    assert 'value="街道补助款"' in html and f'value="{amount}"' in html
    assert count(FundEntry) == 0 and not audited("fund.source_recorded")


def test_a_charity_needs_its_donor_and_other_sources_a_note(client, community, committee):
    login(client, committee)
    today = str(clock.local_today())
    response = client.post(page_url("/sources"), data={"source_kind": "charity", "amount": "500", "entry_date": today})
    assert response.status_code == 400 and 'id="donor-error"' in response.get_data(as_text=True)
    response = client.post(page_url("/sources"), data={"source_kind": "other", "amount": "500", "entry_date": today})
    assert response.status_code == 400 and 'id="note-error"' in response.get_data(as_text=True)
    response = client.post(
        page_url("/sources"),
        data={
            "source_kind": "charity",
            "amount": "500",
            "entry_date": today,
            "donor": "某基金",
            "matching_percent": "130",
        },
    )
    assert response.status_code == 400 and 'id="matching_percent-error"' in response.get_data(as_text=True)
    assert count(FundEntry) == 0


def test_only_the_committee_records_sources(client, community, committee, resident):
    login(client, resident)
    response = client.post(
        page_url("/sources"),
        data={"source_kind": "allocation", "amount": "500", "entry_date": str(clock.local_today())},
    )
    assert response.status_code == 403 and count(FundEntry) == 0
    with pytest.raises(DomainError):
        add_source(resident, community, 500)


def test_everyone_reads_the_page_and_the_rule_without_a_ledger(client, community):
    html = client.get("/c/xinglin/fund?lang=en").get_data(as_text=True)
    assert "no ledger is open for this year and approvals are not held back" in html
    assert "Record a source" not in html and "Close the year" not in html
    assert client.get(f"/c/xinglin/fund?year={year()}").status_code == 200
    assert client.get("/c/xinglin/fund/1999").status_code == 404


# ---------------------------------------------------------------- commitments, payments, releases


def test_an_approval_commits_its_approved_budget(community, committee, approve):
    add_source(committee, community, 300_000)
    record = approve(estimated_cost=12_000, budget=10_000, meeting_id=3, motion_id=4)
    (commitment,) = entries(community, "commitment")
    assert (commitment.amount, commitment.matter_id, commitment.year) == (10_000, record.matter_id, year())
    assert audited("fund.commitment_recorded")[0].data["amount"] == 10_000
    assert figures(community).balance == 290_000


def test_spending_through_the_tracker_creates_a_payment(client, community, committee, approve):
    add_source(committee, community, 300_000)
    record = approve(budget=10_000)
    login(client, committee)
    response = client.post(
        f"/c/xinglin/tracker/{record.id}/spending",
        data={"spending-amount": "6000", "spending-spent_on": str(clock.local_today()), "spending-purpose": "材料费"},
    )
    assert response.status_code == 302
    (payment,) = entries(community, "payment")
    assert (payment.amount, payment.matter_id, payment.spending_id) == (6_000, record.matter_id, record.spending[0].id)
    f = figures(community)
    assert (f.payments, f.beyond, f.balance) == (6_000, 0, 290_000)  # within the commitment: no change


def test_acceptance_releases_the_unspent_commitment(community, committee, approve):
    add_source(committee, community, 300_000)
    record = started(approve(budget=10_000), committee)
    delivery.record_spending(committee, record, amount=8_000, spent_on=clock.local_today(), purpose="施工")
    delivery.accept(committee, record, accepted_on=clock.local_today(), note="验收合格")
    (release,) = entries(community, "release")
    assert release.amount == 2_000 and release.matter_id == record.matter_id
    assert figures(community).balance == 292_000


def test_cancelling_releases_what_was_not_spent(community, committee, approve):
    add_source(committee, community, 300_000)
    record = started(approve(budget=10_000), committee)
    delivery.record_spending(committee, record, amount=3_000, spent_on=clock.local_today(), purpose="设计费")
    delivery.cancel(committee, record, "该楼栋纳入旧改计划")
    (release,) = entries(community, "release")
    assert release.amount == 7_000 and release.matter_id == record.matter_id
    assert figures(community).balance == 297_000  # only what was really paid stays spent


def test_a_payment_beyond_the_commitment_needs_a_public_reason(client, community, committee, approve):
    add_source(committee, community, 300_000)
    record = started(approve(budget=10_000), committee)
    delivery.record_spending(committee, record, amount=8_000, spent_on=clock.local_today(), purpose="施工")
    delivery.accept(committee, record, accepted_on=clock.local_today(), note="验收合格")
    # 9,000 is within the tracker's approved budget, but 2,000 were released: 1,000 beyond the fund's commitment
    login(client, committee)
    data = {"spending-amount": "1000", "spending-spent_on": str(clock.local_today()), "spending-purpose": "补漆"}
    response = client.post(f"/c/xinglin/tracker/{record.id}/spending", data=data)
    assert response.status_code == 400
    assert 'id="spending-over_budget_reason-error"' in response.get_data(as_text=True)
    assert not entries(community, "payment")[1:] and len(record.spending) == 1
    data["spending-over_budget_reason"] = "验收后发现油漆脱落，需补漆"
    assert client.post(f"/c/xinglin/tracker/{record.id}/spending", data=data).status_code == 302
    payment = entries(community, "payment")[-1]
    assert payment.reason == "验收后发现油漆脱落，需补漆"
    assert figures(community).beyond == 1_000 and figures(community).balance == 291_000


# ---------------------------------------------------------------- overdraw


def test_an_approval_that_would_overdraw_is_refused_with_the_shortfall(community, committee, on_agenda):
    add_source(committee, community, 20_000)
    matter = on_agenda(estimated_cost=30_000)
    assert "10,000" in str(lifecycle.held_back(matter, "approve"))
    with pytest.raises(DomainError) as refused:
        lifecycle.apply(matter, "approve", committee, system=True, budget=30_000)
    db.session.rollback()
    assert "10,000" in str(refused.value.message)
    assert db.session.get(type(matter), matter.id).status == "on_agenda" and not entries(community, "commitment")
    # the committee records an additional source first: now it goes through
    add_source(committee, community, 10_000, source_kind="other", note="街道追加拨款")
    lifecycle.apply(matter, "approve", committee, system=True, budget=30_000)
    db.session.commit()
    assert figures(community).balance == 0


def test_the_exact_approved_budget_is_checked_too(community, committee, on_agenda):
    """The guard sees the budget it can know; the commitment checks the budget actually approved."""
    add_source(committee, community, 20_000)
    matter = on_agenda(estimated_cost=5_000)
    with pytest.raises(DomainError) as refused:
        lifecycle.apply(matter, "approve", committee, system=True, budget=26_000)
    db.session.rollback()
    assert "6,000" in str(refused.value.message) and not entries(community, "commitment")


def test_without_a_ledger_approvals_are_not_held_back(community, committee, approve):
    record = approve(estimated_cost=12_000, budget=12_000)
    assert record is not None and entries(community, "commitment")[0].amount == 12_000
    assert figures(community).balance == -12_000


def test_a_round_budget_starts_from_the_fund_balance(client, community, committee, approve):
    login(client, committee)
    html = client.get("/c/xinglin/rounds/new").get_data(as_text=True)
    assert 'value="300000"' in html  # no ledger: the community's annual budget
    add_source(committee, community, 250_000)
    approve(budget=40_000)
    html = client.get("/c/xinglin/rounds/new").get_data(as_text=True)
    assert 'value="210000"' in html


def test_the_annual_budget_comes_from_the_allocation_entries(client, community, committee):
    assert client.get("/api/v1/communities/xinglin").get_json()["annual_budget"] == 300_000
    add_source(committee, community, 280_000)
    add_source(committee, community, 20_000, source_kind="charity", donor="某基金")
    assert client.get("/api/v1/communities/xinglin").get_json()["annual_budget"] == 280_000


# ---------------------------------------------------------------- corrections and closed years


def test_a_correction_reverses_an_entry(client, community, committee, approve):
    typo = add_source(committee, community, 80_000)
    record = approve(budget=10_000)
    before = figures(community)
    login(client, committee)
    assert client.get(f"/c/xinglin/fund/entries/{typo.id}/reverse").status_code == 200
    response = client.post(f"/c/xinglin/fund/entries/{typo.id}/reverse", data={"reason": "金额录错"})
    assert response.status_code == 400 and 'id="confirm-error"' in response.get_data(as_text=True)
    assert count(FundEntry) == 2
    response = client.post(f"/c/xinglin/fund/entries/{typo.id}/reverse", data={"reason": "金额录错", "confirm": "y"})
    assert response.status_code == 302
    reversal = entries(community)[-1]
    assert (reversal.amount, reversal.reverses_id, reversal.reason) == (-80_000, typo.id, "金额录错")
    assert figures(community).balance == before.balance - 80_000
    assert audited("fund.entry_reversed")[0].data["reverses_id"] == typo.id
    # reversing the commitment restores the figures as they were without it
    commitment = entries(community, "commitment")[0]
    assert commitment.matter_id == record.matter_id
    services.reverse(committee, community, commitment, "项目取消", confirmed=True)
    assert figures(community).committed == 0
    # neither twice nor a correction of a correction
    again = client.post(f"/c/xinglin/fund/entries/{typo.id}/reverse", data={"reason": "再试", "confirm": "y"})
    assert again.status_code == 400
    with pytest.raises(DomainError):
        services.reverse(committee, community, reversal, "再试", confirmed=True)
    assert count(FundEntry) == 4


def test_a_closed_year_takes_no_entries(client, community, committee, approve, on_agenda):
    add_source(committee, community, 100_000)
    record = started(approve(budget=10_000), committee)
    login(client, committee)
    response = client.post(page_url("/close"), data={})
    assert response.status_code == 400 and 'id="confirm-error"' in response.get_data(as_text=True)
    assert count(FundYearClosing) == 0
    assert client.post(page_url("/close"), data={"confirm": "y"}).status_code == 302
    assert audited("fund.year_closed")[0].data["balance"] == 90_000
    entries_before = count(FundEntry)
    response = client.post(
        page_url("/sources"),
        data={"source_kind": "allocation", "amount": "500", "entry_date": str(clock.local_today())},
    )
    assert response.status_code == 400 and "Record a source" not in response.get_data(as_text=True)
    with pytest.raises(DomainError):
        services.reverse(committee, community, entries(community)[0], "更正", confirmed=True)
    with pytest.raises(DomainError):
        lifecycle.apply(on_agenda(), "approve", committee, system=True)
    db.session.rollback()
    with pytest.raises(DomainError):
        delivery.record_spending(committee, record, amount=1_000, spent_on=clock.local_today(), purpose="材料")
    assert count(FundEntry) == entries_before and not record.spending
    assert client.post(page_url("/close"), data={"confirm": "y"}).status_code == 400


def test_a_future_year_cannot_be_closed(community, committee):
    with pytest.raises(DomainError):
        services.close_year(committee, community, year() + 1, confirmed=True)


def test_field_errors_name_their_field(community, committee):
    with pytest.raises(FieldError) as refused:
        add_source(committee, community, "1e5")
    assert refused.value.field == "amount"
