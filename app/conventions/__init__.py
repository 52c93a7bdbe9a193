"""The residents' convention (居民公约; in a village 村规民约): numbered articles in versions,
revised by deliberation. Residents propose and support amendments; the committee admits them onto
the council's agenda list, where each is a motion (councils.subjects); the residents' assembly
approves what the council adopted, and the next version is made from exactly that (revision.py)."""

from app.communities.scoping import community_blueprint

bp = community_blueprint("conventions", __name__, url_prefix="/convention")

from . import routes  # noqa: E402,F401


def init_app(app):
    from app.councils import subjects as council_subjects

    from . import services, subjects

    app.register_blueprint(bp)
    council_subjects.add_kind(services.SUBJECT_KIND, subjects.find)
