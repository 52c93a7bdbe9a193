import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship
from werkzeug.security import check_password_hash

from app.core import version_cache
from app.core.params import parse_id
from app.extensions import db
from app.models_base import CreatedAt, IntPK, UserId

from .passwords import hash_password


class User(UserMixin, db.Model):
    id: Mapped[IntPK]
    username: Mapped[str] = mapped_column(db.String(40), unique=True)
    display_name: Mapped[str] = mapped_column(db.String(40))
    password_hash: Mapped[str] = mapped_column(db.String(256))
    is_admin: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str | None] = mapped_column(db.String(10))
    email: Mapped[str | None] = mapped_column(db.String(120))
    # Rotated at logout so that a copied session cookie stops working (server-side logout).
    session_token: Mapped[str] = mapped_column(db.String(32), default=lambda: secrets.token_hex(16))
    created_at: Mapped[CreatedAt]

    def set_password(self, password):
        """Only the hash: the password rules are checked by services.set_new_password."""
        self.password_hash = hash_password(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    def get_id(self):
        return f"{self.id}:{self.session_token}"

    def rotate_session_token(self):
        self.session_token = secrets.token_hex(16)

    def __repr__(self):
        return f"<User {self.username}>"


def load_user(user_id):
    """The user a session names ("<id>:<session token>"), if the token is still theirs. On a page
    view the row is kept per the person's and the site's data version (any write to the user row
    changes one of them in the same transaction: a rotated session token or a new password hash
    alone, the person's; app/core/versions.UNSEEN_COLUMNS) and read with the page's tokens, so it
    costs no statement of its own; a request that may write reads it."""
    ident, _, token = user_id.partition(":")
    user_key = parse_id(ident)
    if user_key is None:
        return None
    user = version_cache.personal_row_by_key("user", User, user_key)
    if user is None or not token or not secrets.compare_digest(user.session_token, token):
        return None
    return user


class PasswordReset(db.Model):
    """A way back into an account (app/auth/recovery.py): a link sent by e-mail, or a code the committee
    gave the person. Only a keyed hash of the secret is kept; it works once, until `expires_at`."""

    id: Mapped[IntPK]
    user_id: Mapped[UserId]
    kind: Mapped[str] = mapped_column(db.String(10))  # "email" or "code"
    token_hash: Mapped[str] = mapped_column(db.String(64), unique=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # the committee member (codes)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"))  # where the code was issued
    created_at: Mapped[CreatedAt]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys="PasswordReset.user_id")


class CheckedBySecondPerson:
    """Columns of an entry one person makes and a second confirms, or rejects (the one who made it
    may withdraw it), once: a residents' assembly's counts, a paper ballot tally sheet. Whether the
    second person may, and what settling it does, is the services' business."""

    entered_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    entered_at: Mapped[CreatedAt]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    confirmed_at: Mapped[datetime | None]
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    rejected_at: Mapped[datetime | None]

    @declared_attr
    def entered_by(cls: type) -> Mapped[User]:
        return relationship(foreign_keys=f"{cls.__name__}.entered_by_id")

    @declared_attr
    def confirmed_by(cls: type) -> Mapped[User | None]:
        return relationship(foreign_keys=f"{cls.__name__}.confirmed_by_id")

    @declared_attr
    def rejected_by(cls: type) -> Mapped[User | None]:
        return relationship(foreign_keys=f"{cls.__name__}.rejected_by_id")
