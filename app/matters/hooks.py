"""Extension points for other features on the micro-matter pages.

A feature that has something to show on a matter's page (its agenda item, its
vote, its progress) adds a panel from its init_app: a function that receives
(matter, user) and returns HTML (e.g. from render_template of its own partial)
or None. Panels appear by their declared order, lowest first, whatever order
the features were imported in; today: councils 10, tracker 20, voting 30.

    def init_app(app):
        hooks.add_panel(agenda_panel, order=10)
"""

from flask import current_app
from markupsafe import Markup

# {panel: order}; adding the same panel again (a second app, a test) changes nothing.
DETAIL_SECTIONS = {}


def add_panel(panel, order):
    DETAIL_SECTIONS[panel] = order


def panels():
    return sorted(DETAIL_SECTIONS, key=DETAIL_SECTIONS.get)


def render_detail_sections(matter, user):
    sections = []
    for func in panels():
        try:
            html = func(matter, user)
        except Exception:  # one feature's panel failing must not take the whole page down
            current_app.logger.exception("matter detail section %s failed", getattr(func, "__name__", func))
            continue
        if html:  # the HTML comes from a feature's own render_template, escaped there
            sections.append(Markup(html))  # nosec B704  # noqa: S704
    return sections
