"""The fund pages under /c/<slug>/fund: the public ledger of a year, and the committee's forms
(record a source, reverse an entry, close the year). Views parse the request, call a service,
render or redirect."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.scoping import current_community
from app.core import clock
from app.core.errors import DomainError, refuse
from app.core.service import get_or_404

from . import bp, services
from .forms import CloseYearForm, ReverseForm, SourceForm
from .ledger import Kind
from .models import KIND_LABELS, SOURCE_LABELS, FundEntry
from .permissions import can_keep_fund

YEAR = "<int(min=2000, max=2100):year>"


def _refused(form, error):
    """A service's refusal next to its field, or above the form."""
    field = getattr(form, getattr(error, "field", "") or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def _require_keeper(community):
    if not can_keep_fund(current_user, community):
        refuse(403, _("Only the committee of this community can keep the fund."))


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
            kind_labels=KIND_LABELS,
            source_labels=SOURCE_LABELS,
            Kind=Kind,
        ),
        status,
    )


@bp.get("")
def index():
    """The current year, or the one asked for with ?year=YYYY."""
    asked = request.args.get("year", "")
    year = int(asked) if asked.isascii() and asked.isdigit() and services.valid_year(int(asked)) else None
    return _page(current_community(), year or services.current_year())


@bp.get(f"/{YEAR}")
def page(year):
    return _page(current_community(), year)


@bp.post(f"/{YEAR}/sources")
@login_required
def record_source(year):
    community = current_community()
    _require_keeper(community)
    form = SourceForm()
    if form.validate_on_submit():
        try:
            services.record_source(
                current_user,
                community,
                year,
                source_kind=form.source_kind.data,
                amount=form.amount.data,
                entry_date=form.entry_date.data,
                donor=form.donor.data or "",
                matching_percent=form.matching_percent.data or "",
                note=form.note.data or "",
            )
        except DomainError as error:
            _refused(form, error)
        else:
            flash(_("The source was recorded."), "success")
            return redirect(url_for("fund.page", year=year))
    return _page(community, year, source_form=form, status=400)


@bp.route("/entries/<int:entry_id>/reverse", methods=["GET", "POST"])
@login_required
def reverse(entry_id):
    community = current_community()
    _require_keeper(community)
    entry = get_or_404(FundEntry, entry_id, community_id=community.id)
    form = ReverseForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.reverse(current_user, community, entry, form.reason.data, confirmed=form.confirm.data)
            except DomainError as error:
                _refused(form, error)
            else:
                flash(_("The correction was recorded."), "success")
                return redirect(url_for("fund.page", year=entry.year, _anchor="entries"))
        status = 400
    return render_template(
        "fund/reverse.html",
        community=community,
        entry=entry,
        form=form,
        kind_labels=KIND_LABELS,
        source_labels=SOURCE_LABELS,
    ), status


@bp.post(f"/{YEAR}/close")
@login_required
def close_year(year):
    community = current_community()
    _require_keeper(community)
    form = CloseYearForm()
    if form.validate_on_submit():
        try:
            services.close_year(current_user, community, year, confirmed=form.confirm.data)
        except DomainError as error:
            _refused(form, error)
        else:
            flash(_("The year %(year)s is closed.", year=year), "success")
            return redirect(url_for("fund.page", year=year))
    return _page(community, year, close_form=form, status=400)
