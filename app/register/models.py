"""The register rows of one community. Personal data (names, addresses, phones) of people who may
never use Weiyi: only the committee sees them; nothing here reaches a public page, feed or the API."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models_base import CommunityId, IntPK


class RegisterImport(db.Model):
    """One upload of the register; it replaces the previous one whole."""

    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    imported_at: Mapped[datetime]
    people: Mapped[int]
    households: Mapped[int]


class RegisterEntry(db.Model):
    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    import_id: Mapped[int] = mapped_column(ForeignKey("register_import.id"), index=True)
    line: Mapped[int]  # in the uploaded file, for the committee's reference
    name: Mapped[str] = mapped_column(db.String(40))
    address: Mapped[str] = mapped_column(db.String(120))
    household: Mapped[str] = mapped_column(db.String(80))  # 户: the household's number or name on the register
    phone: Mapped[str] = mapped_column(db.String(20), default="")
    # Name and address folded for matching (full-width to half-width, spaces dropped, lower case).
    name_key: Mapped[str] = mapped_column(db.String(40), index=True)
    address_key: Mapped[str] = mapped_column(db.String(120), index=True)
