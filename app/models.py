"""Every feature's models, imported once so the metadata (and Alembic) sees all tables. Whole
modules, not names: a model added to one of them is in the metadata without a line here."""

import app.attachments.models  # noqa: F401
import app.audit.models  # noqa: F401
import app.auth.models  # noqa: F401
import app.committee_items.models  # noqa: F401
import app.communities.models  # noqa: F401
import app.conventions.models  # noqa: F401
import app.core.uploads  # noqa: F401
import app.core.versions  # noqa: F401
import app.council_terms.models  # noqa: F401
import app.councils.models  # noqa: F401
import app.fund.models  # noqa: F401
import app.matters.models  # noqa: F401
import app.moderation.models  # noqa: F401
import app.notifications.models  # noqa: F401
import app.partners.models  # noqa: F401
import app.privacy.models  # noqa: F401
import app.proxies.models  # noqa: F401
import app.publishing.models  # noqa: F401
import app.register.models  # noqa: F401
import app.rules.models  # noqa: F401
import app.streets.models  # noqa: F401
import app.tracker.models  # noqa: F401
import app.voting.models  # noqa: F401
