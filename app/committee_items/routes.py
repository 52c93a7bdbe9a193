"""Pages under /c/<slug>/items/: the committee raises an item; everyone reads them."""

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.scoping import current_community, permitted_community
from app.core.forms import fields_of, form_page
from app.councils.models import Motion
from app.extensions import db

from . import bp, permissions, services
from .forms import ItemForm
from .models import ItemKind, ItemStatus
from .subjects import raised_line


@bp.get("/")
def index():
    community = current_community()
    return render_template(
        "committee_items/index.html",
        community=community,
        items=services.items_of(community),
        raised_line=raised_line,
        ItemStatus=ItemStatus,
        can_raise=permissions.can_raise(current_user, community),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    community = permitted_community(
        permissions.can_raise, _("Only the committee puts its own items on the agenda list.")
    )
    form = ItemForm()
    return form_page(
        form,
        lambda: services.raise_item(
            current_user,
            community,
            **fields_of(form, "kind", "title", "description", "assigning_office", "due_on"),
        ),
        _("The item is on the agenda list."),
        lambda item: url_for("committee_items.detail", item_id=item.id),
        "committee_items/new.html",
        community=community,
        ItemKind=ItemKind,
    )


@bp.get("/<int:item_id>")
def detail(item_id):
    community = current_community()
    item = services.get_item(community, item_id)
    motion = db.session.get(Motion, item.motion_id) if item.motion_id else None
    return render_template(
        "committee_items/detail.html",
        community=community,
        item=item,
        motion=motion,
        raised_line=raised_line,
        ItemStatus=ItemStatus,
    )
