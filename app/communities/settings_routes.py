"""The community's settings page: today its WeCom group robot (the committee's)."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SubmitField

from app.core.errors import refuse
from app.core.forms import submitted, text_field

from . import bp, group_robot, permissions
from .scoping import current_community


class GroupRobotForm(FlaskForm):
    url = text_field(
        _l("Webhook address of the group robot"),
        300,
        required=_l("Please paste the webhook address."),
        description=_l(
            "In the WeCom group: add a group robot, then copy its webhook address "
            "(https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…). Keep it secret: anyone who has it "
            "can post to the group."
        ),
    )
    submit = SubmitField(_l("Save the group robot"))


class RemoveRobotForm(FlaskForm):
    """Only the CSRF token: the button is the template's post_button."""


def _committee_only(community):
    if not permissions.can_set_group_robot(current_user, community):
        refuse(403, _("Only the committee can change the community's settings."))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    community = current_community()
    _committee_only(community)
    form = GroupRobotForm()
    done = submitted(
        form,
        lambda: group_robot.set_group_robot(current_user, community, form.url.data),
        _("The group robot is saved: new notices, meeting notices and results will be posted to the group."),
        url_for("communities.settings"),
    )
    if done:
        return done
    return render_template(
        "communities/settings.html",
        community=community,
        form=form,
        robot=group_robot.group_robot_of(community),
    ), 400 if form.errors else 200


@bp.post("/settings/group-robot/remove")
@login_required
def remove_group_robot():
    community = current_community()
    _committee_only(community)
    if RemoveRobotForm().validate_on_submit():
        group_robot.remove_group_robot(current_user, community)
        flash(_("The group robot is disconnected: nothing more is posted to the group."), "success")
    return redirect(url_for("communities.settings"))
