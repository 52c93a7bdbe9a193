"""Rules adopted by the council: a draft version of the consultation rules goes on the council's
agenda list as a subject of its own (councils.subjects), and the council's motion puts it in force
or rejects it. When the rules in force say a rule change needs the residents, the adopted version
waits for their yes/no round (voting.option_kinds, ballot.py), which puts it in force or not. The
rules themselves (layer 3) know nothing of councils or rounds; this package joins them."""

from app.communities.scoping import community_blueprint

bp = community_blueprint("rule_adoption", __name__, "/rules")

from . import routes  # noqa: E402,F401


def init_app(app):
    from app.councils import subjects as council_subjects
    from app.rules import services as rules_services
    from app.voting import option_kinds

    from . import ballot, services, subjects

    app.register_blueprint(bp)
    council_subjects.add_kind(subjects.SUBJECT_KIND, subjects.find)
    option_kinds.add_kind(services.OPTION_KIND, ballot.RuleChangeOptions())
    rules_services.version_proposed.connect(subjects.on_proposed, weak=False)
