"""Every feature's models, imported once so the metadata (and Alembic) sees all tables."""

from app.attachments.models import Attachment  # noqa: F401
from app.audit.models import AuditEntry  # noqa: F401
from app.auth.models import PasswordReset, User  # noqa: F401
from app.committee_items.models import CommitteeItem  # noqa: F401
from app.communities.models import Community, Membership  # noqa: F401
from app.conventions.models import (  # noqa: F401
    Amendment,
    AmendmentSupport,
    Convention,
    ConventionArticle,
    ConventionVersion,
    ResidentsAssembly,
)
from app.core.uploads import StoredPhoto  # noqa: F401
from app.core.versions import DataVersion  # noqa: F401
from app.council_terms.models import CouncilTerm, Substitute  # noqa: F401
from app.councils.models import (  # noqa: F401
    AgendaItem,
    Attendance,
    Ballot,
    ChairHandover,
    Meeting,
    MeetingItem,
    Minutes,
    MinutesComment,
    Motion,
    MotionVote,
    PointOfOrder,
    Review,
    Seconding,
    SecretBallotMark,
    SecretChoice,
    SecretTally,
    SpeakingTurn,
    VoteResult,
)
from app.fund.models import FundEntry, FundYearClosing  # noqa: F401
from app.matters.models import Comment, Follow, MatterPhoto, MicroMatter, PendingPhoto, Support  # noqa: F401
from app.moderation.models import Flag, MatterHiding  # noqa: F401
from app.notifications.models import (  # noqa: F401
    DigestItem,
    GroupWebhook,
    Notification,
    NotificationPreference,
    Outbox,
    SentReminder,
    SmsNumber,
)
from app.partners.models import DeliveryTask, Partner, TaskSignup, Volunteer  # noqa: F401
from app.privacy.models import Consent  # noqa: F401
from app.proxies.models import Proxy  # noqa: F401
from app.publishing.models import Notice, NoticeMatter, Objection  # noqa: F401
from app.register.models import RegisterEntry, RegisterImport  # noqa: F401
from app.rules.models import RuleSet  # noqa: F401
from app.streets.models import Street, StreetNote, StreetStaff  # noqa: F401
from app.tracker.models import (  # noqa: F401
    Evaluation,
    EvaluationWindow,
    ImplementationRecord,
    Milestone,
    MilestonePhoto,
    ProgressUpdate,
    ProgressUpdatePhoto,
    Rectification,
    SpendingEntry,
)
from app.voting.models import (  # noqa: F401
    CountJob,
    Household,
    HouseholdMember,
    PaperObjection,
    PollingSession,
    RoundBallot,
    RoundDownload,
    RoundOption,
    RoundParticipation,
    RoundResult,
    TallySheet,
    VotingRound,
)
