from flask import render_template
from sqlalchemy import select

from app.communities.models import Community
from app.extensions import db

from . import bp


@bp.get("/")
def index():
    communities = db.session.scalars(select(Community).order_by(Community.name)).all()
    return render_template("front/index.html", communities=communities)
