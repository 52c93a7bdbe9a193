"""Column types shared by every feature's models."""

from datetime import datetime
from typing import Annotated

from sqlalchemy import DateTime
from sqlalchemy.orm import mapped_column

from app.core.clock import utcnow

IntPK = Annotated[int, mapped_column(primary_key=True)]
CreatedAt = Annotated[datetime, mapped_column(DateTime, default=utcnow)]
