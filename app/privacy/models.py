from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models_base import CreatedAt, IntPK, UserId


class Consent(db.Model):
    """A person agreed to one version of the privacy notice, at this time. Rows are added, never
    changed: the latest is the one in force, the earlier ones show what was agreed before."""

    id: Mapped[IntPK]
    user_id: Mapped[UserId]
    version: Mapped[str] = mapped_column(db.String(20))
    given_at: Mapped[CreatedAt]

    def __repr__(self):
        return f"<Consent {self.user_id} {self.version}>"
