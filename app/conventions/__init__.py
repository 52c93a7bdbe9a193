"""The residents' convention (居民公约; in a village 村规民约): numbered articles in versions,
revised by deliberation. Residents propose and support amendments; the committee admits them onto
the council's agenda list, where each is a motion (councils.subjects); the residents approve what
the council adopted, as the rule set says: a residents' assembly whose counts a second person
confirms, or a yes/no round (voting.option_kinds); the next version is made from exactly the
approved amendments (revision.py)."""

from app.communities.scoping import community_blueprint

bp = community_blueprint("conventions", __name__, url_prefix="/convention")

from . import routes  # noqa: E402,F401


def init_app(app):
    from app.councils import subjects as council_subjects
    from app.voting import option_kinds

    from . import ballot, services, subjects

    app.register_blueprint(bp)
    council_subjects.add_kind(services.SUBJECT_KIND, subjects.find)
    option_kinds.add_kind(services.SUBJECT_KIND, ballot.AmendmentOptions())
