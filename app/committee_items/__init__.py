"""Agenda items the committee raises itself: its own items, items assigned from above (上级交办)
and questions without a budget (parking rules, 其他事项). They plug into the council's agenda list
as a subject of their own (app.councils.subjects)."""

from app.communities.scoping import community_blueprint

bp = community_blueprint("committee_items", __name__, url_prefix="/items")

from . import routes  # noqa: E402,F401


def init_app(app):
    from app.councils import subjects as council_subjects

    from . import services, subjects

    app.register_blueprint(bp)
    council_subjects.add_kind(services.SUBJECT_KIND, subjects.find)
