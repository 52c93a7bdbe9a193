from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError, refuse

from . import bp, permissions, services
from .forms import DeclineForm, JoinForm, RoleForm, VerifyForm
from .models import KIND_LABELS, ROLE_LABELS, STATUS_LABELS, Membership
from .scoping import current_community


def _home_page(form, status=200):
    community = current_community()
    return render_template(
        "communities/home.html",
        community=community,
        join_form=form,
        membership=permissions.membership_of(current_user, community),
        can_manage_members=permissions.can_manage_members(current_user, community),
        kind_labels=KIND_LABELS,
        role_labels=ROLE_LABELS,
        membership_labels=STATUS_LABELS,
    ), status


@bp.get("/")
def home():
    return _home_page(JoinForm())


@bp.post("/join")
@login_required
def join():
    community = current_community()
    form = JoinForm()
    if form.validate_on_submit():
        try:
            services.request_join(current_user, community, form.address.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Your request was sent to the committee."), "success")
            return redirect(url_for("communities.home"))
    return _home_page(form, 400)


@bp.route("/members", methods=["GET", "POST"])
@login_required
def members():
    community = current_community()
    if not permissions.can_manage_members(current_user, community):
        refuse(403, _("Only the committee can manage members."))
    if request.method == "POST":
        action = request.form.get("action")
        form = {"verify": VerifyForm, "decline": DeclineForm, "role": RoleForm}.get(action, VerifyForm)()
        if form.validate_on_submit() and form.membership_id.data.isdigit():
            membership_id = int(form.membership_id.data)
            try:
                if action == "verify":
                    services.verify(current_user, community, membership_id)
                elif action == "decline":
                    services.decline(current_user, community, membership_id, form.reason.data)
                elif action == "role":
                    services.set_role(current_user, community, membership_id, form.role.data)
                else:
                    refuse(400)
            except DomainError as error:
                flash(error.message, "error")
            else:
                flash(_("Saved."), "success")
                return redirect(url_for("communities.members"))
        else:
            flash(
                _(
                    "Please check the form: %(errors)s",
                    errors="; ".join(e for errs in form.errors.values() for e in errs),
                ),
                "error",
            )
    pending = services.pending_requests(community)
    query = request.args.get("q", "").strip()[:60]
    directory = services.member_directory(community, query, request.args.get("page", 1, type=int))
    return render_template(
        "communities/members.html",
        community=community,
        pending=pending,
        directory=directory,
        query=query,
        verify_form=VerifyForm(),
        decline_form=DeclineForm(),
        role_form=RoleForm(),
        can_assign=permissions.can_assign_roles(current_user, community),
        Membership=Membership,
    )
