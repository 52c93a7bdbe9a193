from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError, refuse
from app.core.forms import submitted
from app.core.params import page_arg, parse_id
from app.core.service import get_or_404

from . import bp, permissions, services
from .forms import DeclineForm, JoinForm, RemoveForm, RoleForm, VerifyForm
from .models import CommunityKind, Membership, MembershipStatus, Role
from .pending import pending_work
from .scoping import current_community, permitted_community


def _home_page(form, status=200):
    community = current_community()
    return render_template(
        "communities/home.html",
        community=community,
        join_form=form,
        membership=permissions.membership_of(current_user, community),
        can_manage_members=permissions.can_manage_members(current_user, community),
        pending=pending_work(community) if permissions.is_committee(current_user, community) else None,
        kind_labels=CommunityKind.labels(),
        role_labels=Role.labels(),
        membership_labels=MembershipStatus.labels(),
    ), status


@bp.get("/")
def home():
    return _home_page(JoinForm())


@bp.post("/join")
@login_required
def join():
    community = current_community()
    form = JoinForm()
    done = submitted(
        form,
        lambda: services.request_join(current_user, community, form.address.data),
        _("Your request was sent to the committee."),
        url_for("communities.home"),
        fields=False,
    )
    if done:
        return done
    return _home_page(form, 400)


@bp.route("/members", methods=["GET", "POST"])
@login_required
def members():
    community = permitted_community(permissions.can_manage_members, _("Only the committee can manage members."))
    if request.method == "POST":
        action = request.form.get("action")
        form = {"verify": VerifyForm, "decline": DeclineForm, "role": RoleForm}.get(action, VerifyForm)()
        membership_id = parse_id(form.membership_id.data)
        if form.validate_on_submit() and membership_id:
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
    directory = services.member_directory(community, query, page_arg())
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
        former=services.former_members(community),
        can_remove_member=permissions.can_remove_member,
        Membership=Membership,
    )


@bp.route("/members/<int:membership_id>/remove", methods=["GET", "POST"])
@login_required
def remove_member(membership_id):
    """A member moved out: the committee removes them, with a reason (a confirmation page)."""
    community = current_community()
    membership = get_or_404(Membership, membership_id, community_id=community.id)
    if not permissions.can_remove_member(current_user, membership):
        refuse(403, _("Only the committee removes verified members; an administrator removes committee members."))
    form = RemoveForm()
    if form.validate_on_submit():
        try:
            services.remove_member(current_user, community, membership.id, form.reason.data)
        except DomainError as error:
            form.reason.errors.append(error.message)
        else:
            flash(_("%(name)s is no longer a member.", name=membership.user.display_name), "success")
            return redirect(url_for("communities.members"))
    return render_template(
        "communities/remove.html", community=community, membership=membership, form=form
    ), 400 if form.errors else 200
