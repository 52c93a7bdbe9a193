"""Column types shared by every feature's models."""
from datetime import UTC, datetime
from typing import Annotated

from sqlalchemy import DateTime
from sqlalchemy.orm import mapped_column


def utcnow():
    return datetime.now(UTC).replace(tzinfo=None)


IntPK = Annotated[int, mapped_column(primary_key=True)]
CreatedAt = Annotated[datetime, mapped_column(DateTime, default=utcnow)]
