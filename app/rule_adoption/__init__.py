"""Rules adopted by the council: a draft version of the consultation rules goes on the council's
agenda list as a subject of its own (councils.subjects), and the council's motion puts it in force
or rejects it. The rules themselves (layer 3) know nothing of councils; this package joins them."""


def init_app(app):
    from app.councils import subjects as council_subjects
    from app.rules import services as rules_services

    from . import subjects

    council_subjects.add_kind(subjects.SUBJECT_KIND, subjects.find)
    rules_services.version_proposed.connect(subjects.on_proposed, weak=False)
