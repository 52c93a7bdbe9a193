"""Download my data: everything the site keeps about one person, as JSON or as a zip of CSVs.

Each section is one query of explicit columns, so nothing is exported by accident. Voting: the
register rows of the person with their receipt codes, never a ballot or its choices (ballots are
secret; the register's link to a ballot is not selected either).
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass

from sqlalchemy import select

from app.api.schema import FORMULA_PREFIXES, iso
from app.auth.models import User
from app.communities.models import Community, Membership
from app.core import clock
from app.core.i18n import render_message
from app.core.urls import absolute_url
from app.extensions import db
from app.matters.models import Clarification, Comment, Follow, MicroMatter, Support
from app.notifications.models import Notification
from app.partners.models import DeliveryTask, TaskSignup, Volunteer
from app.publishing.models import Notice, Objection
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


def _memberships(user):
    return _section(
        "memberships",
        select(
            Community.slug.label("community"),
            Community.name.label("community_name"),
            Membership.status,
            Membership.role,
            Membership.address,
            Membership.created_at,
            Membership.decided_at,
            Membership.decline_reason,
            Membership.ended_at,
            Membership.end_reason,
        )
        .join(Community, Community.id == Membership.community_id)
        .where(Membership.user_id == user.id)
        .order_by(Membership.id),
    )


def _matters(user):
    return _section(
        "matters",
        select(
            MicroMatter.id,
            Community.slug.label("community"),
            MicroMatter.title,
            MicroMatter.status,
            MicroMatter.category,
            MicroMatter.project_type,
            MicroMatter.estimated_cost,
            MicroMatter.location,
            MicroMatter.description,
            MicroMatter.created_at,
            MicroMatter.submitted_at,
        )
        .join(Community, Community.id == MicroMatter.community_id)
        .where(MicroMatter.proposer_id == user.id)
        .order_by(MicroMatter.id),
    )


def _matter_rows(name, model, user_column, user, *columns):
    return _section(
        name,
        select(model.matter_id, MicroMatter.title.label("matter_title"), *columns)
        .join(MicroMatter, MicroMatter.id == model.matter_id)
        .where(user_column == user.id)
        .order_by(model.id),
    )


def _ratings(user):
    return _section(
        "ratings",
        select(
            ImplementationRecord.matter_id,
            MicroMatter.title.label("matter_title"),
            Evaluation.stars,
            Evaluation.comment,
            Evaluation.relation,
            Evaluation.created_at,
        )
        .join(ImplementationRecord, ImplementationRecord.id == Evaluation.record_id)
        .join(MicroMatter, MicroMatter.id == ImplementationRecord.matter_id)
        .where(Evaluation.user_id == user.id)
        .order_by(Evaluation.id),
    )


def _objections(user):
    return _section(
        "objections",
        select(
            Objection.notice_id,
            Notice.title.label("notice_title"),
            Objection.body,
            Objection.created_at,
            Objection.answer,
            Objection.answered_at,
        )
        .join(Notice, Notice.id == Objection.notice_id)
        .where(Objection.author_id == user.id)
        .order_by(Objection.id),
    )


def _paper_objections(user):
    return _section(
        "paper_ballot_objections",
        select(
            PaperObjection.round_id,
            VotingRound.title.label("round_title"),
            PaperObjection.note,
            PaperObjection.created_at,
        )
        .join(VotingRound, VotingRound.id == PaperObjection.round_id)
        .where(PaperObjection.user_id == user.id)
        .order_by(PaperObjection.id),
    )


def _voting_receipts(user):
    """That the person took part, how, and their receipt code: never which ballot is theirs."""
    section = _section(
        "voting_receipts",
        select(
            RoundParticipation.round_id,
            VotingRound.title.label("round_title"),
            RoundParticipation.channel,
            RoundParticipation.receipt_code,
            RoundParticipation.created_at.label("recorded_at"),
        )
        .join(VotingRound, VotingRound.id == RoundParticipation.round_id)
        .where(RoundParticipation.user_id == user.id)
        .order_by(RoundParticipation.round_id),
    )
    for row in section.rows:
        row["receipt_code"] = format_code(row["receipt_code"]) if row["receipt_code"] else None
    return section


def _volunteering(user):
    """The volunteer profile in each community, and every task signed up for with its hours."""
    return [
        _section(
            "volunteer_profiles",
            select(
                Community.slug.label("community"),
                Volunteer.skills,
                Volunteer.availability,
                Volunteer.show_name,
                Volunteer.created_at,
            )
            .join(Community, Community.id == Volunteer.community_id)
            .where(Volunteer.user_id == user.id)
            .order_by(Volunteer.id),
        ),
        _section(
            "volunteer_tasks",
            select(
                DeliveryTask.title,
                DeliveryTask.task_date,
                TaskSignup.status,
                TaskSignup.minutes.label("confirmed_minutes"),
                TaskSignup.created_at,
            )
            .join(DeliveryTask, DeliveryTask.id == TaskSignup.task_id)
            .join(Volunteer, Volunteer.id == TaskSignup.volunteer_id)
            .where(Volunteer.user_id == user.id)
            .order_by(TaskSignup.id),
        ),
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
        _memberships(user),
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
        _ratings(user),
        _objections(user),
        _paper_objections(user),
        *_volunteering(user),
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


def _cell(value):
    """Text a spreadsheet would run as a formula is quoted (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def as_zip(user):
    """A zip with one CSV per section (UTF-8 with a BOM, so that Excel reads the Chinese)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for section in personal_data(user):
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(section.columns)
            for row in section.rows:
                writer.writerow([_cell(row[c]) for c in section.columns])
            archive.writestr(f"{section.name}.csv", "\ufeff" + text.getvalue())
    return buffer.getvalue()
