"""Column types and groups of columns (mixins) shared by the features' models."""

from datetime import datetime
from typing import Annotated

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow

IntPK = Annotated[int, mapped_column(primary_key=True)]
CreatedAt = Annotated[datetime, mapped_column(DateTime, default=utcnow)]
UpdatedAt = Annotated[datetime, mapped_column(DateTime, default=utcnow, onupdate=utcnow)]
# The community a row belongs to, and the person it is about (a member, a supporter, a voter):
# indexed, since every list is read by one or the other.
CommunityId = Annotated[int, mapped_column(ForeignKey("community.id"), index=True)]
UserId = Annotated[int, mapped_column(ForeignKey("user.id"), index=True)]


class EnteredOnBehalf:
    """Columns of an act (a proposal, support, comment or rating) that a committee member or grid
    worker may record for the resident it belongs to (代录, app/onbehalf): the resident stays its
    author, so every count and unique constraint treats it as theirs; these say who typed it in and
    how they heard it (core.vocabulary.EntryChannel). Both None for the resident's own act."""

    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    channel: Mapped[str | None] = mapped_column(String(20))

    @property
    def on_behalf(self):
        return self.entered_by_id is not None
