"""The community's settings page: today its WeCom group robot (the committee's)."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from app.core.forms import submitted, text_field

from . import bp, group_robot, permissions, services
from .scoping import permitted_community


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


class RegisterSizeForm(FlaskForm):
    register_size = IntegerField(
        _l("People on the resident register"),
        validators=[
            InputRequired(_l("Please give a whole number.")),
            NumberRange(0, services.REGISTER_SIZE_MAX, _l("Please give a whole number between 0 and 1000000.")),
        ],
        description=_l(
            "The figure the community states. A support threshold set as a share counts of it; 0: not stated, "
            "the residents verified online are counted instead."
        ),
    )
    submit = SubmitField(_l("Save the register size"))


class RemoveRobotForm(FlaskForm):
    """Only the CSRF token: the button is the template's post_button."""


def _committee_only():
    return permitted_community(
        permissions.can_set_group_robot, _("Only the committee can change the community's settings.")
    )


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    community = _committee_only()
    form = GroupRobotForm()
    size_form = RegisterSizeForm(data={"register_size": community.register_size})
    done = submitted(
        form,
        lambda: group_robot.set_group_robot(current_user, community, form.url.data),
        _("The group robot is saved: new notices, meeting notices and results will be posted to the group."),
        url_for("communities.settings"),
    )
    return done or _settings_page(community, form, size_form, 400 if form.errors else 200)


@bp.route("/settings/register-size", methods=["POST"])
@login_required
def register_size():
    community = _committee_only()
    form = RegisterSizeForm()
    done = submitted(
        form,
        lambda: services.set_register_size(current_user, community, form.register_size.data),
        _("The register size is saved."),
        url_for("communities.settings"),
    )
    return done or _settings_page(community, GroupRobotForm(), form, 400)


def _settings_page(community, robot_form, size_form, status):
    return render_template(
        "communities/settings.html",
        community=community,
        form=robot_form,
        robot=group_robot.group_robot_of(community),
        size_form=size_form,
    ), status


@bp.post("/settings/group-robot/remove")
@login_required
def remove_group_robot():
    community = _committee_only()
    if RemoveRobotForm().validate_on_submit():
        group_robot.remove_group_robot(current_user, community)
        flash(_("The group robot is disconnected: nothing more is posted to the group."), "success")
    return redirect(url_for("communities.settings"))
