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


@dataclass(frozen=True)
class Owned:
    """The section of the rows whose `owner` column is the person's id: `columns`, reached through
    `joins` ((model, foreign key) pairs: joined where the model's id equals the key), in `order`
    (by default the id of the owner's table)."""

    name: str
    owner: object
    columns: list
    joins: tuple = ()
    order: object = None

    def __call__(self, user):
        statement = select(*self.columns)
        for model, key in self.joins:
            statement = statement.join(model, model.id == key)
        order = self.order if self.order is not None else self.owner.class_.id
        return _section(self.name, statement.where(self.owner == user.id).order_by(order))


def _of(model, names):
    """The model's columns named in `names` (space-separated), in that order."""
    return [getattr(model, name) for name in names.split()]


def _in_community(name, owner, names, *columns):
    """Rows of the owner's table with their community's slug first, then `columns` and the columns
    in `names`."""
    model = owner.class_
    return Owned(
        name,
        owner,
        [Community.slug.label("community"), *columns, *_of(model, names)],
        ((Community, model.community_id),),
    )


def _about_matter(name, owner, names, *columns):
    """Rows about a micro-matter: its id and title first, then `columns` and the columns in `names`."""
    model = owner.class_
    return Owned(
        name,
        owner,
        [model.matter_id, MicroMatter.title.label("matter_title"), *columns, *_of(model, names)],
        ((MicroMatter, model.matter_id),),
    )


RECEIPTS = Owned(
    "voting_receipts",
    RoundParticipation.user_id,
    [
        RoundParticipation.round_id,
        VotingRound.title.label("round_title"),
        *_of(RoundParticipation, "channel receipt_code"),
        RoundParticipation.created_at.label("recorded_at"),
    ],
    ((VotingRound, RoundParticipation.round_id),),
    order=RoundParticipation.round_id,
)


def _voting_receipts(user):
    """That the person took part, how, and their receipt code: never which ballot is theirs."""
    section = RECEIPTS(user)
    for row in section.rows:
        row["receipt_code"] = format_code(row["receipt_code"]) if row["receipt_code"] else None
    return section


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
    return [
        Section(
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
    ]


def _proxies(name, holder):
    return Owned(
        name,
        holder,
        [Proxy.meeting_id, Meeting.title.label("meeting_title"), *_of(Proxy, "channel given_at revoked_at")],
        ((Meeting, Proxy.meeting_id),),
    )


# Every section, in the order the download page lists them: a section is an Owned query, or a
# function of the person giving its sections.
SECTIONS = (
    Owned("profile", User.id, _of(User, "id username display_name email locale is_admin created_at")),
    Owned("consents", Consent.user_id, _of(Consent, "version given_at")),
    Owned("sms_number", SmsNumber.user_id, _of(SmsNumber, "phone consent_version consented_at")),
    Owned(
        "notification_preferences",
        NotificationPreference.user_id,
        _of(NotificationPreference, "event in_app email sms digest"),
    ),
    Owned(
        "digest_waiting", DigestItem.user_id, _of(DigestItem, "event message created_at sent_at")
    ),  # held for the daily summary
    # e-mail and SMS sent (or waiting) to the person's address and number
    Owned("outside_messages", Outbox.user_id, _of(Outbox, "channel to_address body status created_at sent_at")),
    _in_community(
        "memberships",
        Membership.user_id,
        "status role address created_at decided_at decline_reason ended_at end_reason",
        Community.name.label("community_name"),
    ),
    _register_entries,
    Owned(
        "matters",
        MicroMatter.proposer_id,
        [
            MicroMatter.id,
            Community.slug.label("community"),
            *_of(MicroMatter, "title status category project_type estimated_cost location description"),
            *_of(MicroMatter, "created_at submitted_at"),
        ],
        ((Community, MicroMatter.community_id),),
    ),
    _about_matter("clarifications", Clarification.author_id, "body created_at"),
    _about_matter(
        "comments", Comment.author_id, "stance body created_at hidden_reason", Comment.id.label("comment_id")
    ),
    _about_matter("supports", Support.user_id, "created_at"),
    _about_matter("follows", Follow.user_id, "created_at"),
    # photos kept for a proposal form that came back with an error, until they expire
    Owned("pending_photos", PendingPhoto.user_id, _of(PendingPhoto, "id matter_id created_at expires_at")),
    # amendments to a residents' convention the person proposed, and those they supported
    Owned(
        "convention_amendments",
        Amendment.proposer_id,
        _of(Amendment, "id convention_id article_number kind text reasons status created_at"),
    ),
    Owned("convention_supports", AmendmentSupport.user_id, _of(AmendmentSupport, "amendment_id created_at")),
    Owned(
        "ratings",
        Evaluation.user_id,
        [
            ImplementationRecord.matter_id,
            MicroMatter.title.label("matter_title"),
            *_of(Evaluation, "stars comment relation created_at"),
        ],
        ((ImplementationRecord, Evaluation.record_id), (MicroMatter, ImplementationRecord.matter_id)),
    ),
    _on_behalf,
    Owned(
        "objections",
        Objection.author_id,
        [
            Objection.notice_id,
            Notice.title.label("notice_title"),
            *_of(Objection, "body created_at answer answered_at"),
        ],
        ((Notice, Objection.notice_id),),
    ),
    Owned(
        "paper_ballot_objections",
        PaperObjection.user_id,
        [PaperObjection.round_id, VotingRound.title.label("round_title"), *_of(PaperObjection, "note created_at")],
        ((VotingRound, PaperObjection.round_id),),
    ),
    # the volunteer profile in each community, and every task signed up for with its hours
    _in_community("volunteer_profiles", Volunteer.user_id, "skills availability show_name created_at"),
    Owned(
        "volunteer_tasks",
        Volunteer.user_id,
        [
            *_of(DeliveryTask, "title task_date"),
            TaskSignup.status,
            TaskSignup.minutes.label("confirmed_minutes"),
            TaskSignup.created_at,
        ],
        ((DeliveryTask, TaskSignup.task_id), (Volunteer, TaskSignup.volunteer_id)),
        order=TaskSignup.id,
    ),
    # grants as a street's staff, and the public notes written on the street's exceptions
    Owned(
        "street_staff",
        StreetStaff.user_id,
        [Street.slug.label("street"), StreetStaff.granted_at],
        ((Street, StreetStaff.street_id),),
    ),
    _in_community("street_notes", StreetNote.author_id, "exception_key body created_at"),
    # terms on a council, a place on its substitutes' list, written proxies given or held, and
    # comments on draft minutes with the chair's answers
    _in_community(
        "council_terms",
        CouncilTerm.user_id,
        "starts_on ends_on chosen_how chosen_by ended_early_at end_cause end_reason",
    ),
    _in_community("council_substitutes", Substitute.user_id, "rank chosen_by created_at"),
    _proxies("proxies_given", Proxy.giver_id),
    _proxies("proxies_held", Proxy.holder_id),
    Owned(
        "minutes_comments",
        MinutesComment.author_id,
        [Minutes.meeting_id, *_of(MinutesComment, "text created_at answer answered_at")],
        ((Minutes, MinutesComment.minutes_id),),
    ),
    _notifications,
    _voting_receipts,
)


def personal_data(user):
    """Every section, in the order the download page lists them."""
    sections = []
    for make in SECTIONS:
        made = make(user)
        sections += made if isinstance(made, list) else [made]
    return sections


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
