"""A community's residents' convention (居民公约; in a village 村规民约): numbered articles in
versions, amendments residents propose and support, the council's decision on each, and the
residents' approval of the adopted ones (a residents' assembly or a yes/no round, as the rule set
says).

An adopted version and its articles are never changed: a revision is a new version. A residents'
assembly's counts are entered once by a committee member and never changed either; a second person
confirms the entry (only then does it decide) or rejects it, once."""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, UniqueConstraint, event, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import CheckedBySecondPerson
from app.core.append_only import never_changed
from app.core.i18n import N_
from app.core.labels import Labelled
from app.extensions import db
from app.models_base import CreatedAt, IntPK, UserId

if TYPE_CHECKING:
    from app.auth.models import User
    from app.communities.models import Community
    from app.councils.models import Motion
    from app.voting.models import VotingRound


class ConventionTitle(Labelled):
    """The document's name, by the community's kind (communities.CommunityKind)."""

    URBAN = "urban", N_("Residents' convention")
    VILLAGE = "village", N_("Village rules and regulations")


class AmendmentKind(Labelled):
    CHANGE = "change", N_("Change the article")
    INSERT = "insert", N_("Insert a new article after it")
    DELETE = "delete", N_("Delete the article")


class AmendmentStatus(Labelled):
    COLLECTING = "collecting", N_("Collecting supports")
    REVIEW = "review", N_("Waiting for the committee")
    NOT_ADMITTED = "not_admitted", N_("Not admitted")
    ON_AGENDA = "on_agenda", N_("On the council's agenda list")
    ADOPTED = "adopted", N_("Adopted by the council, waiting for the residents")
    IN_VOTE = "in_vote", N_("Adopted by the council, in the residents' vote")
    REJECTED = "rejected", N_("Rejected by the council")
    NOT_APPROVED = "not_approved", N_("Not approved by the residents")
    INCORPORATED = "incorporated", N_("Approved by the residents and incorporated")
    LAPSED = "lapsed", N_("Lapsed: its article was deleted")


OPEN_STATUSES = (
    AmendmentStatus.COLLECTING,
    AmendmentStatus.REVIEW,
    AmendmentStatus.ON_AGENDA,
    AmendmentStatus.ADOPTED,
    AmendmentStatus.IN_VOTE,
)


class Convention(db.Model):
    __table_args__ = (UniqueConstraint("community_id"),)

    id: Mapped[IntPK]
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[CreatedAt]

    community: Mapped["Community"] = relationship()
    versions: Mapped[list["ConventionVersion"]] = relationship(
        back_populates="convention", order_by="ConventionVersion.number"
    )

    @property
    def title(self):
        return ConventionTitle.label_of(self.community.kind)

    @property
    def current(self):
        return self.versions[-1] if self.versions else None


class AssemblyStatus(Labelled):
    PENDING = "pending", N_("Waiting for a second person to confirm it")
    CONFIRMED = "confirmed", N_("Confirmed by a second person")
    REJECTED = "rejected", N_("Rejected, kept on record")


class ResidentsAssembly(CheckedBySecondPerson, db.Model):
    """A residents' assembly (居民会议/村民会议) that voted on the council's adopted amendments, as
    one committee member entered its counts. It decides nothing until a second person (another
    committee member or a council member, never the one who entered it) confirms it: then the rule
    set in force decides, and the decision is kept here. A rejected entry stays on record."""

    __table_args__ = (
        CheckConstraint("yes + no + abstain <= present", name="votes_within_present"),
        # `pending` is true until the entry is confirmed or rejected, then NULL: one waits at a time.
        UniqueConstraint("convention_id", "pending"),
        CheckConstraint("confirmed_at IS NULL OR rejected_at IS NULL", name="confirmed_or_rejected"),
        CheckConstraint(
            "(pending IS NULL) = (confirmed_at IS NOT NULL OR rejected_at IS NOT NULL)", name="pending_until_settled"
        ),
    )

    id: Mapped[IntPK]
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id"), index=True)
    held_on: Mapped[date]
    place: Mapped[str] = mapped_column(db.String(120))
    present: Mapped[int]
    yes: Mapped[int]
    no: Mapped[int]
    abstain: Mapped[int]
    amendment_ids: Mapped[list] = mapped_column(JSON)  # the adopted amendments it voted on, together
    pending: Mapped[bool | None] = mapped_column(default=True)
    # Set once, at the confirmation: the rule that decided and its outcome.
    majority_rule: Mapped[str | None] = mapped_column(db.String(20))
    base_kind: Mapped[str | None] = mapped_column(db.String(20))
    needed: Mapped[int | None]
    approved: Mapped[bool | None]
    ruleset_id: Mapped[int | None] = mapped_column(ForeignKey("rule_set.id"))
    ruleset_version: Mapped[int | None]
    reject_reason: Mapped[str | None] = mapped_column(db.String(300))

    convention: Mapped["Convention"] = relationship()

    @property
    def status(self):
        if self.confirmed_at is not None:
            return AssemblyStatus.CONFIRMED
        return AssemblyStatus.REJECTED if self.rejected_at is not None else AssemblyStatus.PENDING


# What confirming or rejecting an entry writes, each once, from NULL (and `pending` cleared).
SETTLED_ONCE = frozenset(
    {
        "majority_rule",
        "base_kind",
        "needed",
        "approved",
        "ruleset_id",
        "ruleset_version",
        "confirmed_by_id",
        "confirmed_at",
        "rejected_by_id",
        "rejected_at",
        "reject_reason",
    }
)


class ConventionVersion(db.Model):
    __table_args__ = (UniqueConstraint("convention_id", "number"),)

    id: Mapped[IntPK]
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id"), index=True)
    number: Mapped[int]
    adopted_on: Mapped[date]
    # Version 1 is written down as the community adopted it; later ones come from the residents'
    # approval: a confirmed assembly, or a counted yes/no round.
    note: Mapped[str] = mapped_column(db.String(300), default="")
    assembly_id: Mapped[int | None] = mapped_column(ForeignKey("residents_assembly.id"), unique=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("voting_round.id"), unique=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[CreatedAt]

    convention: Mapped[Convention] = relationship(back_populates="versions")
    assembly: Mapped[ResidentsAssembly | None] = relationship()
    round: Mapped["VotingRound | None"] = relationship()
    articles: Mapped[list["ConventionArticle"]] = relationship(order_by="ConventionArticle.number")
    amendments: Mapped[list["Amendment"]] = relationship(
        foreign_keys="Amendment.incorporated_in_id", order_by="Amendment.id", viewonly=True
    )


class ConventionArticle(db.Model):
    __table_args__ = (UniqueConstraint("version_id", "number"),)

    id: Mapped[IntPK]
    version_id: Mapped[int] = mapped_column(ForeignKey("convention_version.id"), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(db.String(500))


class Amendment(db.Model):
    id: Mapped[IntPK]
    convention_id: Mapped[int] = mapped_column(ForeignKey("convention.id"), index=True)
    # The version it amends, and the article's number there (insert: the one it follows, 0 = first).
    # When another revision is adopted first, both move to the new version's numbering.
    version_id: Mapped[int] = mapped_column(ForeignKey("convention_version.id"))
    article_number: Mapped[int]
    kind: Mapped[str] = mapped_column(db.String(10))
    text: Mapped[str] = mapped_column(db.String(500), default="")  # the new wording (change, insert)
    reasons: Mapped[str] = mapped_column(db.String(1000))
    proposer_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(db.String(15), default=AmendmentStatus.COLLECTING, index=True)
    status_changed_at: Mapped[datetime]
    support_count: Mapped[int] = mapped_column(default=0)
    decline_reason: Mapped[str] = mapped_column(db.String(500), default="")  # public, when not admitted
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id"), unique=True)
    motion_id: Mapped[int | None] = mapped_column(ForeignKey("motion.id"))  # the council's deciding motion
    assembly_id: Mapped[int | None] = mapped_column(ForeignKey("residents_assembly.id"), index=True)
    incorporated_in_id: Mapped[int | None] = mapped_column(ForeignKey("convention_version.id"), index=True)
    created_at: Mapped[CreatedAt]

    convention: Mapped[Convention] = relationship()
    version: Mapped[ConventionVersion] = relationship(foreign_keys=[version_id])
    proposer: Mapped["User"] = relationship()
    motion: Mapped["Motion | None"] = relationship()
    assembly: Mapped[ResidentsAssembly | None] = relationship()
    incorporated_in: Mapped[ConventionVersion | None] = relationship(foreign_keys=[incorporated_in_id])


class AmendmentSupport(db.Model):
    __table_args__ = (UniqueConstraint("amendment_id", "user_id"),)

    id: Mapped[IntPK]
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendment.id"), index=True)
    user_id: Mapped[UserId]
    created_at: Mapped[CreatedAt]


# The adopted text holds; an assembly's entry is never deleted and changes only as _counts_hold allows.
never_changed(ConventionVersion, ConventionArticle)
never_changed(ResidentsAssembly, events=("before_delete",))


@event.listens_for(ResidentsAssembly, "before_update")
def _counts_hold(_mapper, connection, target):
    """An entry is settled once: the SETTLED_ONCE columns go from NULL to a value and `pending`
    from true to NULL; every other column, the counts first, keeps its stored value."""
    table = ResidentsAssembly.__table__
    stored = connection.execute(select(table).where(table.c.id == target.id)).mappings().one()
    loaded = target.__dict__
    for column, old in stored.items():
        new = loaded.get(column, old)
        if new == old or (column == "pending" and old and new is None) or (column in SETTLED_ONCE and old is None):
            continue
        raise PermissionError(f"ResidentsAssembly {target.id}: {column} is never changed")
