"""The pages: the public council list with terms and substitutes, attendance over a year, and the
committee's forms."""

import re
from datetime import date, datetime

from sqlalchemy import event, select

from app.communities import services as communities
from app.communities.models import Membership, Role
from app.council_terms import services
from app.council_terms.models import ChosenHow, CouncilTerm
from app.councils.models import Attendance, Meeting, MeetingStatus
from app.extensions import db
from app.rules.models import RuleSet
from tests.helpers import login


def meeting(community, day, present=(), absent=(), status=MeetingStatus.CLOSED):
    """A meeting held at 19:00 Shanghai time on `day`; `present` checked in, `absent` marked absent."""
    chair = present[0] if present else absent[0]
    row = Meeting(
        community_id=community.id,
        title=f"议事会 {day}",
        starts_at=datetime(day.year, day.month, day.day, 11, 0),
        place="社区活动室",
        status=status,
        ruleset_id=db.session.scalar(select(RuleSet.id).where(RuleSet.community_id == community.id)),
        chair_id=chair.id,
        secretary_id=chair.id,
        checkin_token=f"token-{community.id}-{day}",
        created_by_id=chair.id,
    )
    db.session.add(row)
    db.session.flush()
    for user in (*present, *absent):
        db.session.add(
            Attendance(
                meeting_id=row.id,
                user_id=user.id,
                method="qr",
                recorded_by_id=chair.id,
                checked_in_at=row.starts_at,
                marked_absent_by_id=chair.id if user in absent else None,
            )
        )
    db.session.commit()
    return row


def cells(html, name):
    """The figures of a member's row in the attendance table."""
    row = re.search(rf"<tr><th scope=\"row\">{name}.*?</tr>", html, re.S).group(0)
    return re.findall(r'<td class="num">([^<]*)</td>', row)


def test_the_public_list_shows_terms_and_substitutes_in_order(client, council):
    html = client.get(f"/c/{council.community.slug}/council/members?lang=en").get_data(as_text=True)
    assert "议事员甲" in html and "Elected" in html and "2025年3月居民会议" in html
    assert "Mar 20, 2025" in html and "Mar 19, 2028" in html
    assert html.index("候补一") < html.index("候补二")
    assert "Manage terms" not in html
    assert "1栋1单元101室" not in html  # nothing but the office: no address
    html = client.get(f"/c/{council.community.slug}/council/members?lang=zh_Hans").get_data(as_text=True)
    assert "选举产生" in html and "候补人员（按顺序）" in html


def test_a_substitute_who_moved_out_leaves_the_public_list(client, council):
    membership = db.session.scalar(select(Membership).where(Membership.user_id == council.first.id))
    communities.remove_member(council.committee, council.community, membership.id, "搬走")
    html = client.get(f"/c/{council.community.slug}/council/members").get_data(as_text=True)
    assert "候补一" not in html and "候补二" in html


def test_meetings_page_links_to_the_council_list(client, council):
    html = client.get(f"/c/{council.community.slug}/meetings/").get_data(as_text=True)
    assert f"/c/{council.community.slug}/council/members" in html


def test_attendance_counts_closed_meetings_of_the_year_while_on_the_council(client, make, council):
    community, member, first = council.community, council.member, council.first
    late = make.member(community, role=Role.COUNCIL_MEMBER, display_name="议事员乙")
    services.add_term(
        council.committee,
        community,
        user_id=late.id,
        starts_on=date(2026, 4, 1),
        ends_on=date(2029, 3, 31),
        chosen_how=ChosenHow.APPOINTED,
    )
    meeting(community, date(2025, 12, 20), present=[member])  # last year
    meeting(community, date(2026, 2, 10), present=[member])  # before 乙 joined
    meeting(community, date(2026, 5, 12), present=[member, late])
    meeting(community, date(2026, 6, 1), present=[late], absent=[member])  # checked in, then marked absent
    meeting(community, date(2026, 6, 20), present=[member, late], status=MeetingStatus.SCHEDULED)  # not held
    html = client.get(f"/c/{community.slug}/council/attendance?year=2026&lang=en").get_data(as_text=True)
    assert "3 meetings were held in 2026." in html
    assert cells(html, "议事员甲") == ["2", "3", "67%"]
    assert cells(html, "议事员乙") == ["2", "2", "100%"]
    assert first.display_name not in html  # a substitute was not on the council
    html = client.get(f"/c/{community.slug}/council/attendance?year=2025&lang=en").get_data(as_text=True)
    assert cells(html, "议事员甲") == ["1", "1", "100%"]
    assert "议事员乙" not in html
    # Anything that is not a year offered is this year.
    for year in ("abc", "99999", "1999"):
        html = client.get(f"/c/{community.slug}/council/attendance?year={year}&lang=en").get_data(as_text=True)
        assert "Council attendance 2026" in html


def test_a_council_member_without_a_term_is_counted_over_the_whole_year(client, make, council):
    untermed = make.member(council.community, role=Role.COUNCIL_MEMBER, display_name="议事员丙")
    meeting(council.community, date(2026, 1, 5), present=[untermed])
    meeting(council.community, date(2026, 3, 5), present=[council.member])
    html = client.get(f"/c/{council.community.slug}/council/attendance?lang=en").get_data(as_text=True)
    assert cells(html, "议事员丙") == ["1", "2", "50%"]
    assert "no term recorded" in html


def statements_of_attendance(community, year):
    """(rows, held) of attendance_of_year and the SQL statements it ran."""
    statements = []

    def note(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        result = services.attendance_of_year(community, year)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return result, statements


def test_attendance_reads_the_terms_once_however_many_members_have_none(make, council):
    """One statement for every term of the community, not one per council member without a term."""
    community = council.community
    meeting(community, date(2026, 3, 5), present=[council.member])
    lone = make.member(community, role=Role.COUNCIL_MEMBER, display_name="议事员丁")
    db.session.expire_all()
    (rows, held), one = statements_of_attendance(community, 2026)
    assert {user.id: recorded for user, _figures, recorded in rows} == {council.member.id: True, lone.id: False}
    more = [make.member(community, role=Role.COUNCIL_MEMBER, display_name=f"议事员{n}") for n in "戊己庚"]
    db.session.expire_all()
    (rows, held), several = statements_of_attendance(community, 2026)
    assert held == 1
    assert {user.id for user, _figures, recorded in rows if not recorded} == {lone.id, *(u.id for u in more)}
    assert all(figures.held == 1 for _user, figures, _recorded in rows)
    assert len(several) == len(one)


def test_committee_records_a_term_and_a_refusal_keeps_the_form(client, make, council):
    newcomer = make.member(council.community, role=Role.COUNCIL_MEMBER, display_name="新议事员")
    login(client, council.committee)
    url = f"/c/{council.community.slug}/council/terms/new?lang=en"
    form = {"user_id": newcomer.id, "starts_on": "2026-07-01", "ends_on": "2026-06-01", "chosen_how": "appointed"}
    response = client.post(url, data={**form, "chosen_by": "七月居委会会议"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "The term must end after it starts." in html
    assert html.count("七月居委会会议") == 1  # kept in the term's form, not copied into the substitute's
    assert db.session.scalar(select(CouncilTerm).where(CouncilTerm.user_id == newcomer.id)) is None
    response = client.post(url, data={**form, "ends_on": "2029-06-30"})
    assert response.status_code == 302
    term = db.session.scalar(select(CouncilTerm).where(CouncilTerm.user_id == newcomer.id))
    assert (term.starts_on, term.ends_on, term.chosen_how) == (date(2026, 7, 1), date(2029, 6, 30), "appointed")
    response = client.post(url, data={"user_id": "abc", "starts_on": "20x6", "ends_on": "", "chosen_how": "x"})
    assert response.status_code == 400


def test_committee_ends_a_term_early_with_confirmation_and_the_substitute_steps_in(client, council):
    login(client, council.committee)
    url = f"/c/{council.community.slug}/council/terms/{council.term.id}/end?lang=en"
    assert "End the term now" in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"reason": "辞职"})  # not confirmed
    assert response.status_code == 400 and "辞职" in response.get_data(as_text=True)
    assert services.current_terms(council.community)[council.member.id].end_cause is None
    assert client.post(url, data={"reason": "辞职", "confirm": "y"}).status_code == 302
    html = client.get(f"/c/{council.community.slug}/council/members?lang=en").get_data(as_text=True)
    assert "候补一" in html and "Stepped in as substitute" in html and "议事员甲" not in html


def test_committee_adds_moves_and_removes_substitutes(client, make, council):
    third = make.member(council.community, display_name="候补三")
    login(client, council.committee)
    base = f"/c/{council.community.slug}/council/substitutes"
    assert client.post(base, data={"user_id": third.id, "chosen_by": "补选"}).status_code == 302
    refused = client.post(f"{base}?lang=en", data={"user_id": council.member.id})
    assert refused.status_code == 400 and "must not be on the council" in refused.get_data(as_text=True)
    line = services.substitutes(council.community)
    assert client.post(f"{base}/{line[2].id}/up").status_code == 302
    assert client.post(f"{base}/{line[0].id}/remove").status_code == 302
    assert [s.user_id for s in services.substitutes(council.community)] == [third.id, council.second.id]
    manage = client.get(f"/c/{council.community.slug}/council/terms").get_data(as_text=True)
    assert "候补三" in manage and len(manage) < 50_000


def test_others_cannot_manage(client, council):
    login(client, council.member)
    slug = council.community.slug
    assert client.get(f"/c/{slug}/council/terms").status_code == 403
    assert client.post(f"/c/{slug}/council/substitutes", data={"user_id": council.first.id}).status_code == 403
    assert len(services.substitutes(council.community)) == 2
