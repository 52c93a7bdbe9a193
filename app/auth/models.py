import secrets

from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models_base import CreatedAt, IntPK


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
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    def get_id(self):
        return f"{self.id}:{self.session_token}"

    def rotate_session_token(self):
        self.session_token = secrets.token_hex(16)

    def __repr__(self):
        return f"<User {self.username}>"


def load_user(user_id):
    ident, _, token = user_id.partition(":")
    if not ident.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not token or not secrets.compare_digest(user.session_token, token):
        return None
    return user
