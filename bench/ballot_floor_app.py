"""The floor of a ballot on this project's stack, for `bench/ballot_storm.py --floor`: the cheapest
ballot that does what any real one must, with the app's own libraries, and nothing more.

    GET  /c/<slug>/rounds/<id>   a logged-in session (Flask's signed cookie; Flask-Login loads the
                                 voter's row by id), the voter's register row (who has voted sees no
                                 form), a small Jinja template with a CSRF token (Flask-WTF) and 3 options
    POST /c/<slug>/rounds/<id>   CSRFProtect's check, the voter loaded, the register row read, a ballot
                                 and a register row inserted (unique per round and voter: a second
                                 ballot gets 409), COMMIT, 303 to the receipt

SQLite runs with the app's own pragmas and transactions: importing app.extensions registers its
engine events (WAL, busy timeout, synchronous=NORMAL, ..., the write lock taken at the first write).
No audit chain, data versions, page caches, translations, communities or round rules: it is the
floor under the real ballot, not a ballot the app could serve. gunicorn runs
`ballot_floor_app:create_app()` with DATABASE_URL and SECRET_KEY from the environment.
"""

import os
import sys
from pathlib import Path

from flask import Flask, abort, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, current_user, login_required
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from jinja2 import DictLoader
from sqlalchemy import ForeignKey, UniqueConstraint, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The app's SQLite pragmas and write lock (engine events). Nothing else of the app is imported: its
# data versions hook every engine's commits once app.core.versions is loaded.
from app import extensions  # noqa: E402,F401

OPTIONS = (1, 2, 3)

TEMPLATES = {
    "ballot.html": """<!doctype html><html lang="en"><meta charset="utf-8"><title>Round {{ round_id }}</title>
<h1>Round {{ round_id }}</h1><p>{{ current_user.name }}</p>
{% if voted %}<p>You have voted in this round.</p>{% else %}
<form method="post"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
{% for option in options %}<label><input type="checkbox" name="option" value="{{ option }}"> Option {{ option }}</label>
{% endfor %}<button>Cast the ballot</button></form>{% endif %}</html>""",
    "receipt.html": """<!doctype html><html lang="en"><meta charset="utf-8"><title>Receipt</title>
<p>{{ current_user.name }}: ballot {{ entry.ballot_id }} is in round {{ entry.round_id }}'s box.</p></html>""",
}


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()


class Voter(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class Ballot(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int]
    choices: Mapped[str]  # "1,3"


class Register(db.Model):
    """Who has voted in which round: one row per round and voter, so a second ballot is refused."""

    __table_args__ = (UniqueConstraint("round_id", "voter_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int]
    voter_id: Mapped[int] = mapped_column(ForeignKey("voter.id"))
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"))


@login_manager.user_loader
def load_voter(voter_id):
    return db.session.get(Voter, int(voter_id))


def register_entry(round_id):
    return db.session.scalar(
        select(Register).where(Register.round_id == round_id, Register.voter_id == current_user.id)
    )


def create_app(database_url=None, secret_key=None):
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or os.environ["SECRET_KEY"],
        SQLALCHEMY_DATABASE_URI=database_url or os.environ["DATABASE_URL"],
        WTF_CSRF_TIME_LIMIT=None,  # as the app: the token lives with the session
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.jinja_loader = DictLoader(TEMPLATES)
    db.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)

    @app.get("/c/<slug>/rounds/<int:round_id>")
    @login_required
    def ballot_page(slug, round_id):
        return render_template("ballot.html", round_id=round_id, options=OPTIONS, voted=register_entry(round_id))

    @app.post("/c/<slug>/rounds/<int:round_id>")
    @login_required
    def cast(slug, round_id):
        choices = set(request.form.getlist("option", type=int))
        if not choices or not choices <= set(OPTIONS):
            abort(400)
        if register_entry(round_id) is not None:
            abort(409)
        ballot = Ballot(round_id=round_id, choices=",".join(map(str, sorted(choices))))
        db.session.add(ballot)
        db.session.flush()  # the ballot's id, for the register row
        db.session.add(Register(round_id=round_id, voter_id=current_user.id, ballot_id=ballot.id))
        try:
            db.session.commit()
        except IntegrityError:  # the same voter's other request got there first
            db.session.rollback()
            abort(409)
        return redirect(url_for("receipt", slug=slug, round_id=round_id), 303)

    @app.get("/c/<slug>/rounds/<int:round_id>/receipt")
    @login_required
    def receipt(slug, round_id):
        entry = register_entry(round_id)
        if entry is None:
            abort(404)
        return render_template("receipt.html", entry=entry)

    return app


def seed(app, voters, rounds):
    """`voters` voters, each with the session cookie a Flask-Login login leaves (signed with the app's
    key, as bench/ballot_storm.py signs its voters' instead of hundreds of scrypt logins), and `rounds`
    rounds of OPTIONS: what the storm's clients need, in the shape ballot_storm.seed gives them."""
    with app.app_context():
        db.create_all()
        db.session.execute(insert(Voter), [{"name": f"voter {n}"} for n in range(1, voters + 1)])
        db.session.commit()
        ids = db.session.scalars(select(Voter.id).order_by(Voter.id)).all()
        db.engine.dispose()  # no connection inherited by the client processes forked later
    serializer = app.session_interface.get_signing_serializer(app)
    return {
        "voters": [{"id": i, "cookie": serializer.dumps({"_user_id": str(i), "_fresh": True})} for i in ids],
        "rounds": [{"id": r, "options": list(OPTIONS)} for r in range(1, rounds + 1)],
    }


def stored(app):
    """(the (voter, round) pairs in the register, the number of ballots in the box)."""
    with app.app_context():
        pairs = {tuple(row) for row in db.session.execute(select(Register.voter_id, Register.round_id))}
        ballots = db.session.scalar(select(func.count()).select_from(Ballot))
        db.engine.dispose()
    return pairs, ballots
