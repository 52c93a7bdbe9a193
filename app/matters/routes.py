from flask import render_template
from sqlalchemy import select

from app.communities.scoping import current_community
from app.extensions import db

from . import bp
from .models import MicroMatter


@bp.get("/")
def index():
    community = current_community()
    matters = db.session.scalars(
        select(MicroMatter).where(MicroMatter.community_id == community.id).order_by(MicroMatter.id.desc())
    ).all()
    return render_template("matters/index.html", community=community, matters=matters)
