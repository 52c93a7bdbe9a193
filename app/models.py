"""Every feature's models, imported once so the metadata (and Alembic) sees all tables."""
from app.audit.models import AuditEntry  # noqa: F401
from app.auth.models import User  # noqa: F401
from app.communities.models import Community, Membership  # noqa: F401
from app.core.uploads import StoredPhoto  # noqa: F401
from app.matters.models import Comment, Follow, MatterPhoto, MicroMatter, Support  # noqa: F401
from app.notifications.models import Notification  # noqa: F401
from app.rules.models import RuleSet  # noqa: F401
