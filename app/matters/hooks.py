"""Extension points for other features on the micro-matter pages.

A feature that has something to show on a matter's page (its agenda item, its
vote, its progress) registers a function; it receives (matter, user) and
returns HTML (e.g. from render_template of its own partial) or None.

    from app.matters.hooks import detail_section

    @detail_section
    def agenda_panel(matter, user):
        item = ...
        return render_template("councils/_matter_panel.html", item=item) if item else None
"""
from flask import current_app
from markupsafe import Markup

DETAIL_SECTIONS = []


def detail_section(func):
    DETAIL_SECTIONS.append(func)
    return func


def render_detail_sections(matter, user):
    sections = []
    for func in DETAIL_SECTIONS:
        try:
            html = func(matter, user)
        except Exception:  # one feature's panel failing must not take the whole page down
            current_app.logger.exception("matter detail section %s failed", getattr(func, "__name__", func))
            continue
        if html:  # the HTML comes from a feature's own render_template, escaped there
            sections.append(Markup(html))  # nosec B704  # noqa: S704
    return sections
