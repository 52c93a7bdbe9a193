"""The fund pages under /c/<slug>/fund: the public ledger of a year, and the committee's forms
(record a source, reverse an entry, close the year). Views parse the request, call a service,
render or redirect."""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.scoping import current_community
from app.core import clock
from app.core.errors import refuse
from app.core.forms import fields_of, form_page, submitted
from app.core.params import parse_id
from app.core.service import get_or_404

from . import bp, services
from .forms import CloseYearForm, ReverseForm, SourceForm
from .ledger import Kind, SourceKind
from .models import FundEntry
from .permissions import can_keep_fund

YEAR = "<int(min=2000, max=2100):year>"


def _keeper_community():
    """The community whose fund the user keeps, or 403."""
    community = current_community()
    if not can_keep_fund(current_user, community):
        refuse(403, _("Only the committee of this community can keep the fund."))
    return community


def _bars(figures, width=220):
    """(label, value, bar length) for the SVG chart; the table beside it has the same figures."""
    rows = [
        (_("Sources"), figures.sources),
        (_("Committed"), figures.committed),
        (_("Paid"), figures.payments),
        (_("Paid beyond the commitments"), figures.beyond),
        (_("Balance"), figures.balance),
    ]
    top = max([value for _label, value in rows] + [1])
    return [(label, value, round(width * max(value, 0) / top)) for label, value in rows]


def _page(community, year, source_form=None, close_form=None, status=200):
    entries = services.entries_of(community, year)
    figures = services.figures_of(community, year, entries)
    keeper = can_keep_fund(current_user, community)
    if keeper and source_form is None:
        source_form = SourceForm(formdata=None, entry_date=clock.local_today())
    return (
        render_template(
            "fund/page.html",
            community=community,
            year=year,
            years=services.years_of(community),
            entries=entries,
            reversed_ids=services.reversed_ids(entries),
            figures=figures,
            bars=_bars(figures),
            opened=any(e.kind == Kind.SOURCE for e in entries),
            closing=services.closing_of(community, year),
            annual_budget=services.annual_budget(community, year),
            keeper=keeper,
            source_form=source_form,
            close_form=close_form or (CloseYearForm(formdata=None) if keeper else None),
            kind_labels=Kind.labels(),
            source_labels=SourceKind.labels(),
            Kind=Kind,
        ),
        status,
    )


@bp.get("")
def index():
    """The current year, or the one asked for with ?year=YYYY."""
    asked = parse_id(request.args.get("year", ""))
    year = asked if asked and services.valid_year(asked) else services.current_year()
    return _page(current_community(), year)


@bp.get(f"/{YEAR}")
def page(year):
    return _page(current_community(), year)


@bp.post(f"/{YEAR}/sources")
@login_required
def record_source(year):
    form = SourceForm()
    return _year_form(
        year,
        "source_form",
        form,
        lambda community: services.record_source(
            current_user,
            community,
            year,
            **fields_of(form, "source_kind", "amount", "entry_date"),
            donor=form.donor.data or "",
            matching_percent=form.matching_percent.data or "",
            note=form.note.data or "",
        ),
        _("The source was recorded."),
    )


def _year_form(year, name, form, call, success):
    """A keeper's form on the year's page: `call(community)`, back to that page when done, else the
    page with the form refused."""
    community = _keeper_community()
    done = submitted(form, lambda: call(community), success, url_for("fund.page", year=year))
    return done or _page(community, year, **{name: form}, status=400)


@bp.route("/entries/<int:entry_id>/reverse", methods=["GET", "POST"])
@login_required
def reverse(entry_id):
    community = _keeper_community()
    entry = get_or_404(FundEntry, entry_id, community_id=community.id)
    form = ReverseForm()
    return form_page(
        form,
        lambda: services.reverse(current_user, community, entry, form.reason.data, confirmed=form.confirm.data),
        _("The correction was recorded."),
        url_for("fund.page", year=entry.year, _anchor="entries"),
        "fund/reverse.html",
        community=community,
        entry=entry,
        kind_labels=Kind.labels(),
        source_labels=SourceKind.labels(),
    )


@bp.post(f"/{YEAR}/close")
@login_required
def close_year(year):
    form = CloseYearForm()
    return _year_form(
        year,
        "close_form",
        form,
        lambda community: services.close_year(current_user, community, year, confirmed=form.confirm.data),
        _("The year %(year)s is closed.", year=year),
    )
