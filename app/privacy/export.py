"""Download my data: everything the site keeps about one person, as JSON or as a zip of CSVs.

Each section is one query of explicit columns, so nothing is exported by accident. Voting: the
register rows of the person with their receipt codes, never a ballot or its choices (ballots are
secret; the register's link to a ballot is not selected either).
"""

import json
from dataclasses import dataclass

from sqlalchemy import select

from app.api.schema import iso
from app.auth.models import User
from app.communities.models import Community, Membership
from app.conventions.models import Amendment, AmendmentSupport
from app.core import clock
from app.core.i18n import render_message
from app.core.spreadsheet import csv_zip
from app.core.urls import absolute_url
from app.council_terms.models import CouncilTerm, Substitute
from app.councils.models import Meeting, Minutes, MinutesComment
from app.extensions import db
from app.matters.models import Clarification, Comment, Follow, MicroMatter, PendingPhoto, Support
from app.notifications.models import DigestItem, Notification, NotificationPreference, Outbox, SmsNumber
from app.onbehalf.services import personal_rows as on_behalf_rows
from app.partners.models import DeliveryTask, TaskSignup, Volunteer
from app.proxies.models import Proxy
from app.publishing.models import Notice, Objection
from app.register import services as register
from app.register.models import RegisterImport
from app.streets.models import Street, StreetNote, StreetStaff
from app.tracker.models import Evaluation, ImplementationRecord
from app.voting.models import PaperObjection, RoundParticipation, VotingRound
from app.voting.receipts import format_code

from .models import Consent


@dataclass
class Section:
    name: str
    columns: list
    rows: list  # one dict per row, values ready for JSON (times as ISO 8601 UTC)


def _section(name, statement):
    """A section from a select of labelled columns: the labels are the column names."""
    result = db.session.execute(statement)
    columns = list(result.keys())
    return Section(name, columns, [dict(zip(columns, (iso(v) for v in row), strict=True)) for row in result])


def _profile(user):
    statement = select(
        User.id,
        User.username,
        User.display_name,
        User.email,
        User.locale,
        User.is_admin,
        User.created_at,
    ).where(User.id == user.id)
    return _section("profile", statement)


def _owned(name, user, owner, columns, *joins, order):
    """The rows whose `owner` column is this person's id: `columns`, reached through `joins`
    ((model, on) pairs), in `order`."""
    statement = select(*columns)
    for model, on in joins:
        statement = statement.join(model, on)
    return _section(name, statement.where(owner == user.id).order_by(order))


def _of(model, names):
    """The model's columns named in `names` (space-separated), in that order."""
    return [getattr(model, name) for name in names.split()]


def _memberships(user):
    return _owned(
        "memberships",
        user,
        Membership.user_id,
        [
            Community.slug.label("community"),
            Community.name.label("community_name"),
            *_of(Membership, "status role address created_at decided_at decline_reason ended_at end_reason"),
        ],
        (Community, Community.id == Membership.community_id),
        order=Membership.id,
    )


def _matters(user):
    return _owned(
        "matters",
        user,
        MicroMatter.proposer_id,
        [
            MicroMatter.id,
            Community.slug.label("community"),
            *_of(MicroMatter, "title status category project_type estimated_cost location description"),
            *_of(MicroMatter, "created_at submitted_at"),
        ],
        (Community, Community.id == MicroMatter.community_id),
        order=MicroMatter.id,
    )


def _matter_rows(name, model, user_column, user, *columns):
    return _owned(
        name,
        user,
        user_column,
        [model.matter_id, MicroMatter.title.label("matter_title"), *columns],
        (MicroMatter, MicroMatter.id == model.matter_id),
        order=model.id,
    )


def _amendments(user):
    """Amendments to a residents' convention the person proposed, and those they supported."""
    return [
        _owned(
            "convention_amendments",
            user,
            Amendment.proposer_id,
            _of(Amendment, "id convention_id article_number kind text reasons status created_at"),
            order=Amendment.id,
        ),
        _owned(
            "convention_supports",
            user,
            AmendmentSupport.user_id,
            _of(AmendmentSupport, "amendment_id created_at"),
            order=AmendmentSupport.id,
        ),
    ]


def _ratings(user):
    return _owned(
        "ratings",
        user,
        Evaluation.user_id,
        [
            ImplementationRecord.matter_id,
            MicroMatter.title.label("matter_title"),
            *_of(Evaluation, "stars comment relation created_at"),
        ],
        (ImplementationRecord, ImplementationRecord.id == Evaluation.record_id),
        (MicroMatter, MicroMatter.id == ImplementationRecord.matter_id),
        order=Evaluation.id,
    )


def _objections(user):
    return _owned(
        "objections",
        user,
        Objection.author_id,
        [
            Objection.notice_id,
            Notice.title.label("notice_title"),
            *_of(Objection, "body created_at answer answered_at"),
        ],
        (Notice, Notice.id == Objection.notice_id),
        order=Objection.id,
    )


def _paper_objections(user):
    return _owned(
        "paper_ballot_objections",
        user,
        PaperObjection.user_id,
        [PaperObjection.round_id, VotingRound.title.label("round_title"), *_of(PaperObjection, "note created_at")],
        (VotingRound, VotingRound.id == PaperObjection.round_id),
        order=PaperObjection.id,
    )


def _voting_receipts(user):
    """That the person took part, how, and their receipt code: never which ballot is theirs."""
    section = _owned(
        "voting_receipts",
        user,
        RoundParticipation.user_id,
        [
            RoundParticipation.round_id,
            VotingRound.title.label("round_title"),
            *_of(RoundParticipation, "channel receipt_code"),
            RoundParticipation.created_at.label("recorded_at"),
        ],
        (VotingRound, VotingRound.id == RoundParticipation.round_id),
        order=RoundParticipation.round_id,
    )
    for row in section.rows:
        row["receipt_code"] = format_code(row["receipt_code"]) if row["receipt_code"] else None
    return section


def _volunteering(user):
    """The volunteer profile in each community, and every task signed up for with its hours."""
    return [
        _owned(
            "volunteer_profiles",
            user,
            Volunteer.user_id,
            [Community.slug.label("community"), *_of(Volunteer, "skills availability show_name created_at")],
            (Community, Community.id == Volunteer.community_id),
            order=Volunteer.id,
        ),
        _owned(
            "volunteer_tasks",
            user,
            Volunteer.user_id,
            [
                *_of(DeliveryTask, "title task_date"),
                TaskSignup.status,
                TaskSignup.minutes.label("confirmed_minutes"),
                TaskSignup.created_at,
            ],
            (DeliveryTask, DeliveryTask.id == TaskSignup.task_id),
            (Volunteer, Volunteer.id == TaskSignup.volunteer_id),
            order=TaskSignup.id,
        ),
    ]


def _street_office(user):
    """Grants as a street's staff, and the public notes written on the street's exceptions."""
    return [
        _owned(
            "street_staff",
            user,
            StreetStaff.user_id,
            [Street.slug.label("street"), StreetStaff.granted_at],
            (Street, Street.id == StreetStaff.street_id),
            order=StreetStaff.id,
        ),
        _owned(
            "street_notes",
            user,
            StreetNote.author_id,
            [Community.slug.label("community"), *_of(StreetNote, "exception_key body created_at")],
            (Community, Community.id == StreetNote.community_id),
            order=StreetNote.id,
        ),
    ]


def _council_office(user):
    """Terms on a council, a place on its substitutes' list, written proxies given or held, and
    comments on draft minutes with the chair's answers."""
    return [
        _owned(
            "council_terms",
            user,
            CouncilTerm.user_id,
            [
                Community.slug.label("community"),
                *_of(CouncilTerm, "starts_on ends_on chosen_how chosen_by ended_early_at end_cause end_reason"),
            ],
            (Community, Community.id == CouncilTerm.community_id),
            order=CouncilTerm.id,
        ),
        _owned(
            "council_substitutes",
            user,
            Substitute.user_id,
            [Community.slug.label("community"), *_of(Substitute, "rank chosen_by created_at")],
            (Community, Community.id == Substitute.community_id),
            order=Substitute.id,
        ),
        *(
            _owned(
                name,
                user,
                column,
                [Proxy.meeting_id, Meeting.title.label("meeting_title"), *_of(Proxy, "channel given_at revoked_at")],
                (Meeting, Meeting.id == Proxy.meeting_id),
                order=Proxy.id,
            )
            for name, column in (("proxies_given", Proxy.giver_id), ("proxies_held", Proxy.holder_id))
        ),
        _owned(
            "minutes_comments",
            user,
            MinutesComment.author_id,
            [Minutes.meeting_id, *_of(MinutesComment, "text created_at answer answered_at")],
            (Minutes, Minutes.id == MinutesComment.minutes_id),
            order=MinutesComment.id,
        ),
    ]


def _register_entries(user):
    """The lines of a community's resident register that name this person (same name, same address
    as their membership): the committee's record of them, which they have a right to see."""
    columns = ["community", "name", "address", "household", "phone", "imported_at"]
    rows = []
    for membership in db.session.scalars(select(Membership).where(Membership.user_id == user.id)):
        found = register.match(membership)
        if found is not None and found.kind == register.MatchKind.EXACT:
            upload = db.session.get(RegisterImport, found.entry.import_id)
            rows += [
                dict(
                    zip(
                        columns,
                        (membership.community.slug, e.name, e.address, e.household, e.phone, iso(upload.imported_at)),
                        strict=True,
                    )
                )
                for e in found.at_address
            ]
    return Section("register_entries", columns, rows)


def _on_behalf(user):
    """Acts a committee member or grid worker recorded for the person (代录), and those the person
    recorded for residents."""
    for_them, by_them = on_behalf_rows(user)
    common = ["kind", "matter_id", "title", "channel"]
    return [
        Section(name, [*common, other, "created_at"], [{**r, "created_at": iso(r["created_at"])} for r in rows])
        for name, other, rows in (
            ("entered_on_behalf", "entered_by", for_them),
            ("entries_made_for_residents", "resident", by_them),
        )
    ]


def _notifications(user):
    rows = db.session.execute(
        select(
            Notification.message, Notification.params, Notification.link, Notification.created_at, Notification.read_at
        )
        .where(Notification.user_id == user.id)
        .order_by(Notification.id)
    )
    columns = ["message", "link", "created_at", "read_at"]
    return Section(
        "notifications",
        columns,
        [
            {
                "message": render_message(row.message, row.params),
                "link": absolute_url(row.link),
                "created_at": iso(row.created_at),
                "read_at": iso(row.read_at),
            }
            for row in rows
        ],
    )


def personal_data(user):
    """Every section, in the order the download page lists them."""
    return [
        _profile(user),
        _section(
            "consents",
            select(Consent.version, Consent.given_at).where(Consent.user_id == user.id).order_by(Consent.id),
        ),
        _section(
            "sms_number",
            select(SmsNumber.phone, SmsNumber.consent_version, SmsNumber.consented_at).where(
                SmsNumber.user_id == user.id
            ),
        ),
        _section(
            "notification_preferences",
            select(*(getattr(NotificationPreference, c) for c in "event in_app email sms digest".split()))
            .where(NotificationPreference.user_id == user.id)
            .order_by(NotificationPreference.id),
        ),
        _section(
            "digest_waiting",  # events held for the next daily summary
            select(DigestItem.event, DigestItem.message, DigestItem.created_at, DigestItem.sent_at)
            .where(DigestItem.user_id == user.id)
            .order_by(DigestItem.id),
        ),
        _section(
            "outside_messages",  # e-mail and SMS sent (or waiting) to the person's address and number
            select(*(getattr(Outbox, c) for c in "channel to_address body status created_at sent_at".split()))
            .where(Outbox.user_id == user.id)
            .order_by(Outbox.id),
        ),
        _memberships(user),
        _register_entries(user),
        _matters(user),
        _matter_rows(
            "clarifications", Clarification, Clarification.author_id, user, Clarification.body, Clarification.created_at
        ),
        _matter_rows(
            "comments",
            Comment,
            Comment.author_id,
            user,
            Comment.id.label("comment_id"),
            Comment.stance,
            Comment.body,
            Comment.created_at,
            Comment.hidden_reason,
        ),
        _matter_rows("supports", Support, Support.user_id, user, Support.created_at),
        _matter_rows("follows", Follow, Follow.user_id, user, Follow.created_at),
        _owned(  # photos kept for a proposal form that came back with an error, until they expire
            "pending_photos",
            user,
            PendingPhoto.user_id,
            [PendingPhoto.id, PendingPhoto.matter_id, PendingPhoto.created_at, PendingPhoto.expires_at],
            order=PendingPhoto.id,
        ),
        *_amendments(user),
        _ratings(user),
        *_on_behalf(user),
        _objections(user),
        _paper_objections(user),
        *_volunteering(user),
        *_street_office(user),
        *_council_office(user),
        _notifications(user),
        _voting_receipts(user),
    ]


def as_json(user, notice_version):
    sections = personal_data(user)
    document = {
        "exported_at": iso(clock.utcnow()),
        "privacy_notice_version": notice_version,
        **{s.name: (s.rows[0] if s.name == "profile" else s.rows) for s in sections},
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def as_zip(user):
    """A zip with one CSV per section (UTF-8 with a BOM, so that Excel reads the Chinese)."""
    return csv_zip((section.name, section.columns, section.rows) for section in personal_data(user))
