"""The yearly record's pages: the printable report and its CSV bundle, per community and per street,
for the year in `?year=` (this year when absent or not a year)."""

from flask import Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.communities.scoping import current_community
from app.core import clock
from app.core.errors import refuse
from app.core.params import parse_id
from app.core.printing import sheet_qr
from app.core.spreadsheet import csv_zip
from app.fund.services import current_year, valid_year
from app.streets.services import get_street

from . import bp, permissions, services, street_bp


def _year():
    year = parse_id(request.args.get("year", ""))
    return year if valid_year(year) else current_year()


def _zip(data, name):
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-cache"},
    )


def _render(owner, report, *, back_url, back_label, here, csv_url, years):
    return render_template(
        "yearbook/report.html",
        community=owner,
        report=report,
        year=report.year,
        years=years,
        back_url=back_url,
        back_label=back_label,
        csv_url=csv_url,
        today=clock.local_today(),
        **sheet_qr(here, _("Scan to open this yearly record online.")),
    )


def _years(year):
    """The years offered: the chosen one, its neighbours and the last few up to this one."""
    return sorted({*range(current_year() - 4, current_year() + 1), year - 1, year}, reverse=True)


@bp.get("/")
def community_report():
    community, year = current_community(), _year()
    if not permissions.can_read_community_report(current_user, community):
        refuse(403)
    return _render(
        community,
        services.community_report(community, year),
        back_url=url_for("communities.home", slug=community.slug),
        back_label=_("Back to %(community)s", community=community.name),
        here=url_for("yearbook.community_report", slug=community.slug, year=year),
        csv_url=url_for("yearbook.community_csv", slug=community.slug, year=year),
        years=_years(year),
    )


@bp.get("/bundle.zip")
def community_csv():
    community, year = current_community(), _year()
    if not permissions.can_read_community_report(current_user, community):
        refuse(403)
    report = services.community_report(community, year)
    return _zip(csv_zip(report.tables()), f"{community.slug}-{year}-yearbook.zip")


def _street(slug):
    street = get_street(slug)
    if not permissions.can_read_street_report(current_user, street):
        refuse(403)
    return street


@street_bp.get("/")
def street_report(slug):
    street, year = _street(slug), _year()
    return _render(
        street,
        services.street_report(street, year),
        back_url=url_for("front.index"),
        back_label=_("Back to the home page"),
        here=url_for("street_yearbook.street_report", slug=slug, year=year),
        csv_url=url_for("street_yearbook.street_csv", slug=slug, year=year),
        years=_years(year),
    )


@street_bp.get("/bundle.zip")
def street_csv(slug):
    street, year = _street(slug), _year()
    return _zip(csv_zip(services.street_report(street, year).tables()), f"{street.slug}-{year}-yearbook.zip")
