"""The street's pages under /street/<slug>/: the communities side by side for a year, the
exception lists with the staff's public notes, and CSV of every table."""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.api.registry import csv_response
from app.core.errors import refuse
from app.core.forms import submitted
from app.core.params import parse_id
from app.core.spreadsheet import cell
from app.fund.services import current_year, valid_year
from app.tracker.rules import MIN_GROUP

from . import bp, exceptions, figures, permissions, services
from .forms import NoteForm

# Where each figure is drilled down to, in the community's own pages.
DRILL = {
    "matters": "matters.index",
    "supports": "matters.index",
    "meetings": "councils.meetings",
    "decisions": "councils.meetings",
    "rounds": "voting.index",
    "turnout": "voting.index",
    "invalid_rounds": "voting.index",
    "accepted": "tracker.index",
    "on_time": "tracker.index",
    "ratings": "tracker.index",
    "satisfaction": "tracker.index",
    "average_stars": "tracker.index",
    "rectifications": "tracker.index",
    "allocated": "fund.page",
    "committed": "fund.page",
    "spent": "fund.page",
    "partners": "partners.index",
    "tasks": "partners.tasks",
    "volunteer_hours": "partners.tasks",
    "charity": "fund.page",
}
LABELS = {
    "community": _l("Community"),
    "matters": _l("Matters proposed"),
    "supports": _l("Supports"),
    "meetings": _l("Meetings held"),
    "decisions": _l("Decisions"),
    "rounds": _l("Voting rounds"),
    "turnout": _l("Turnout (%)"),
    "invalid_rounds": _l("Rounds not valid"),
    "accepted": _l("Projects accepted"),
    "on_time": _l("Delivered on time (%)"),
    "ratings": _l("Ratings"),
    "satisfaction": _l("Satisfied (%)"),
    "average_stars": _l("Average stars"),
    "rectifications": _l("Rectifications"),
    "allocated": _l("Fund allocated"),
    "committed": _l("Committed"),
    "spent": _l("Spent"),
    "partners": _l("Partners taking part"),
    "tasks": _l("Delivery tasks"),
    "volunteer_hours": _l("Volunteer hours"),
    "charity": _l("Charity money raised"),
}
MONEY = ("allocated", "committed", "spent", "charity")


def _year():
    year = parse_id(request.args.get("year", ""))
    return year if valid_year(year) else current_year()


def _street(slug):
    street = services.get_street(slug)
    if not permissions.can_read_street(current_user, street):
        refuse(403, _("This page is for the street office's staff."))
    return street


def drill_url(key, row, year):
    values = {"slug": row["slug"]}
    if DRILL[key] == "fund.page":
        values["year"] = year
    return url_for(DRILL[key], **values)


def _chart_key(sort):
    """The bars beside the table show the column it is sorted by (matters proposed by default)."""
    key = sort.lstrip("-")
    return key if key in figures.NUMERIC else "matters"


@bp.get("/")
@login_required
def index():
    streets = (
        services.all_streets() if permissions.can_manage_streets(current_user) else permissions.streets_of(current_user)
    )
    return render_template("streets/index.html", streets=streets)


@bp.get("/<slug>/")
@login_required
def dashboard(slug):
    street, year = _street(slug), _year()
    sort = request.args.get("sort") or "community"
    rows = figures.street_year_figures(street, year, sort)
    found = exceptions.exceptions_of(street.communities, year)
    return render_template(
        "streets/dashboard.html",
        street=street,
        year=year,
        years=range(current_year(), current_year() - 5, -1),
        sort=sort,
        rows=rows,
        total=figures.totals(rows),
        columns=figures.COLUMNS,
        labels=LABELS,
        money=MONEY,
        chart=_chart_key(sort),
        drill_url=drill_url,
        counts={kind: len(items) for kind, items in found.items()},
        kinds=exceptions.KINDS,
        min_group=MIN_GROUP,
    )


@bp.get("/<slug>/figures.csv")
@login_required
def figures_csv(slug):
    street, year = _street(slug), _year()
    rows = figures.street_year_figures(street, year, request.args.get("sort"))
    columns = ["year", "slug", *figures.COLUMNS, "volunteer_minutes"]
    return csv_response(([cell(row[c]) for c in columns] for row in rows), columns, f"{street.slug}-{year}-figures.csv")


def _exceptions_page(street, year, form=None, status=200):
    found = exceptions.exceptions_of(street.communities, year)
    return render_template(
        "streets/exceptions.html",
        street=street,
        year=year,
        found=found,
        kinds=exceptions.KINDS,
        notes=services.notes_of(street),
        can_note=permissions.can_note_exception(current_user, street),
        form=form,
    ), status


@bp.get("/<slug>/exceptions")
@login_required
def exception_lists(slug):
    return _exceptions_page(_street(slug), _year())


@bp.get("/<slug>/exceptions.csv")
@login_required
def exceptions_csv(slug):
    street, year = _street(slug), _year()
    found = exceptions.exceptions_of(street.communities, year)
    notes = services.notes_of(street)
    columns = ["kind", "key", "community", "slug", "title", "since", "path", "notes"]
    rows = (
        [
            e.kind,
            e.key,
            cell(e.community.name),
            e.community.slug,
            cell(e.title),
            e.since.isoformat() if e.since else "",
            e.path,
            cell(" | ".join(n.body for n in notes.get(e.key, []))),
        ]
        for items in found.values()
        for e in items
    )
    return csv_response(rows, columns, f"{street.slug}-{year}-exceptions.csv")


@bp.post("/<slug>/notes")
@login_required
def add_note(slug):
    street, year = _street(slug), _year()
    form = NoteForm()
    key = form.key.data or ""
    done = submitted(
        form,
        lambda: services.add_note(current_user, street, parse_id(form.community_id.data), key, form.body.data, year),
        _("The note is published on the street's page and on the community's dashboard."),
        url_for("streets.exception_lists", slug=street.slug, year=year, _anchor=key.replace(":", "-")),
    )
    return done or _exceptions_page(street, year, form, 400)


def community_notes_panel(community):
    """The street office's public notes on the community's committee dashboard."""
    if community.street_id is None:
        return None
    notes = services.note_list(community)
    return render_template("streets/_community_notes.html", notes=notes) if notes else None
