"""Site staff (district and city): every community's figures side by side, sortable, as CSV."""

from flask import Response, render_template, request
from flask_babel import lazy_gettext as _l

from app.core.guards import guard_blueprint

from . import admin_bp, dashboards, figures, permissions, rules

guard_blueprint(admin_bp, permissions.can_view_admin_dashboard, _l("This area is for site administrators."))


def _rows():
    sort = request.args.get("sort") or "community"
    per_community, total = dashboards.figures_for(dashboards.all_communities(), with_total=True)
    rows = figures.sort_rows(figures.withhold_small_groups([f.as_row() for f in per_community]), sort)
    return rows, total, sort


@admin_bp.get("/")
def index():
    rows, total, sort = _rows()
    return render_template(
        "tracker/admin_dashboard.html",
        rows=rows,
        total=total,
        sort=sort,
        sort_keys=figures.SORT_KEYS,
        min_group=rules.MIN_GROUP,
    )


@admin_bp.get("/communities.csv")
def export_csv():
    rows, _total, _sort = _rows()
    return Response(
        "\ufeff" + dashboards.csv_text(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="weiyi-communities.csv"'},
    )
