"""Pages under /c/<slug>/: partners' profiles, the volunteer's page, delivery tasks and the
committee's actions on them. Views parse the request, call a service, render or redirect."""

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup

from app.communities.scoping import current_community, permitted_community
from app.core import clock
from app.core.forms import fields_of, form_page, submitted
from app.core.service import get_or_404
from app.extensions import db
from app.matters.models import MicroMatter

from . import bp, delivery_tasks, money, permissions, rules, services, who_delivered
from .forms import HoursForm, PartnerForm, PartnerSignupForm, TaskForm, VolunteerForm
from .models import DeliveryTask, PartnerKind, SignupStatus


def _labels():
    return {
        "kind_labels": PartnerKind.labels(),
        "signup_labels": SignupStatus.labels(),
        "SignupStatus": SignupStatus,
        "hours_text": rules.hours_text,
        "perm": permissions,
    }


def _committee_only():
    return permitted_community(
        permissions.can_manage_partners, _("Only committee members of this community can do this.")
    )


@bp.app_template_global("partners_delivery")
def delivery_section(matter_ids, heading="h2", with_tasks=False):
    """Who delivered these micro-matters and with what money (the tracker's record, the notices);
    with_tasks also lists the delivery tasks (a single matter's record)."""
    matters = [m for m in (db.session.get(MicroMatter, i) for i in matter_ids) if m is not None]
    rows = [(m, who_delivered.delivered_by(m), money.of_matter(m)) for m in matters if permissions.is_decided(m)]
    rows = [row for row in rows if row[1] or row[2]]
    if not rows:
        return ""
    tasks = delivery_tasks.tasks_of_matter(rows[0][0]) if with_tasks else []
    html = render_template("partners/_delivered.html", rows=rows, heading=heading, tasks=tasks, **_labels())
    return Markup(html)  # noqa: S704  # nosec B704  (rendered, and so escaped, by our own template)


@bp.app_template_global("partners_year_figures")
def year_figures(community):
    """The committee dashboard's 五社联动 rows, per year."""
    return who_delivered.year_figures(community, money.charity_by_year(community))


@bp.app_template_global("partners_volunteering")
def volunteering(user):
    return services.volunteering_of(user)


bp.add_app_template_global(rules.hours_text, "partners_hours")


# ---------------------------------------------------------------- partners


@bp.get("/partners/")
def index():
    community = current_community()
    return render_template(
        "partners/index.html",
        community=community,
        partners=services.partners_of(community),
        volunteers=services.volunteers_count(community),
        tasks=delivery_tasks.upcoming_tasks(community),
        can_manage=permissions.can_manage_partners(current_user, community),
        can_volunteer=permissions.can_volunteer(current_user, community),
        **_labels(),
    )


@bp.get("/partners/<int:partner_id>")
def partner(partner_id):
    community = current_community()
    found = services.get_partner(community, partner_id)
    return render_template(
        "partners/partner.html",
        community=community,
        partner=found,
        can_manage=permissions.can_manage_partners(current_user, community),
        can_see_contact=permissions.can_see_contact(current_user, found),
        **_labels(),
    )


def _partner_form(found=None):
    community = _committee_only()
    form = PartnerForm(obj=found)
    return form_page(
        form,
        lambda: services.save_partner(
            current_user,
            community,
            found,
            kind=form.kind.data,
            name=form.name.data,
            description=form.description.data or "",
            contact=form.contact.data or "",
        ),
        _("The partner was saved."),
        lambda saved: url_for("partners.partner", partner_id=saved.id),
        "partners/partner_form.html",
        community=community,
        partner=found,
    )


@bp.route("/partners/new", methods=["GET", "POST"])
@login_required
def new_partner():
    return _partner_form()


@bp.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
@login_required
def edit_partner(partner_id):
    return _partner_form(services.get_partner(current_community(), partner_id))


# ---------------------------------------------------------------- the volunteer's page


@bp.route("/volunteer", methods=["GET", "POST"])
@login_required
def volunteer():
    community = current_community()
    mine = services.volunteer_of(current_user, community)
    form = VolunteerForm(obj=mine)
    year = clock.local_today().year
    return form_page(
        form,
        lambda: services.save_volunteer(
            current_user,
            community,
            skills=form.skills.data or "",
            availability=form.availability.data or "",
            show_name=form.show_name.data,
        ),
        _("Thank you: your volunteer details were saved."),
        url_for("partners.volunteer"),
        "partners/volunteer.html",
        community=community,
        volunteer=mine,
        can_volunteer=permissions.can_volunteer(current_user, community),
        signups=delivery_tasks.signups_of(mine),
        year=year,
        minutes=services.confirmed_minutes(mine, year),
        tasks=delivery_tasks.upcoming_tasks(community),
        **_labels(),
    )


# ---------------------------------------------------------------- tasks


@bp.get("/tasks/")
def tasks():
    community = current_community()
    return render_template(
        "partners/tasks.html", community=community, tasks=delivery_tasks.upcoming_tasks(community), **_labels()
    )


def _task_page(task, partner_form=None, hours_forms=None, status=200):
    community = current_community()
    can_manage = permissions.can_manage_partners(current_user, community)
    mine = services.volunteer_of(current_user, community)
    hours_forms = dict(hours_forms or {})
    partner_form = partner_form or PartnerSignupForm(formdata=None, data={"people": 1})
    if can_manage:
        partner_form.partner_id.choices = [(p.id, p.name) for p in services.partners_of(community)]
        for signup in task.signups:
            if signup.volunteer_id and signup.status == SignupStatus.CONFIRMED and signup.id not in hours_forms:
                shown = rules.hours_text(signup.minutes) if signup.minutes else ""
                hours_forms[signup.id] = HoursForm(prefix=f"h{signup.id}", formdata=None, data={"hours": shown})
    today = clock.local_today()
    return render_template(
        "partners/task.html",
        community=community,
        task=task,
        matter=task.record.matter,
        delivered=who_delivered.delivered_on([task]),
        can_manage=can_manage,
        can_volunteer=permissions.can_volunteer(current_user, community),
        volunteer=mine,
        my_signup=delivery_tasks.signup_of(mine, task),
        is_past=task.task_date < today,
        has_happened=task.task_date <= today,
        partner_form=partner_form,
        hours_forms=hours_forms,
        **_labels(),
    ), status


@bp.get("/tasks/<int:task_id>")
def task(task_id):
    return _task_page(delivery_tasks.get_task(current_community(), task_id))


@bp.route("/matters/<int:matter_id>/tasks/new", methods=["GET", "POST"])
@login_required
def new_task(matter_id):
    community = current_community()
    matter = get_or_404(MicroMatter, matter_id, community_id=community.id)
    _committee_only()
    form = TaskForm()
    return form_page(
        form,
        lambda: delivery_tasks.add_task(
            current_user,
            matter,
            **fields_of(form, "title", "people_needed", "task_date", "hours"),
        ),
        _("The task was added."),
        lambda added: url_for("partners.task", task_id=added.id),
        "partners/task_form.html",
        community=community,
        matter=matter,
        decided=permissions.is_decided(matter),
    )


def _act(task_id, call, success, anchor="signups", form=None, **on_page):
    """A button (only its CSRF token) or a committee's form on a task's page: `call(task)`, back to
    the page at `anchor` with `success`; a refusal shows the page again (with the form, which
    `on_page` names for the page; a button's refusal is flashed)."""
    task = delivery_tasks.get_task(current_community(), task_id)
    done = submitted(
        FlaskForm() if form is None else form,
        lambda: call(task),
        success,
        url_for("partners.task", task_id=task.id, _anchor=anchor),
        fields=form is not None,
    )
    return done or _task_page(db.session.get(DeliveryTask, task.id), **on_page, status=400)


@bp.post("/tasks/<int:task_id>/signup")
@login_required
def sign_up(task_id):
    return _act(
        task_id,
        lambda t: delivery_tasks.sign_up(current_user, t),
        _("You signed up. The committee will confirm."),
        "mine",
    )


@bp.post("/tasks/<int:task_id>/withdraw")
@login_required
def withdraw(task_id):
    return _act(task_id, lambda t: delivery_tasks.withdraw(current_user, t), _("Your sign-up was withdrawn."), "mine")


@bp.post("/tasks/<int:task_id>/signups/<int:signup_id>/<any(confirm, decline):decision>")
@login_required
def decide_signup(task_id, signup_id, decision):
    _committee_only()
    confirm = decision == "confirm"
    return _act(
        task_id,
        lambda t: delivery_tasks.decide_signup(current_user, t, signup_id, confirm=confirm),
        _("The sign-up was confirmed.") if confirm else _("The sign-up was declined."),
    )


@bp.post("/tasks/<int:task_id>/partners")
@login_required
def sign_up_partner(task_id):
    community = _committee_only()
    form = PartnerSignupForm()
    form.partner_id.choices = [(p.id, p.name) for p in services.partners_of(community)]
    return _act(
        task_id,
        lambda task: delivery_tasks.sign_up_partner(
            current_user, task, partner_id=form.partner_id.data, people=form.people.data
        ),
        _("The partner was signed up."),
        form=form,
        partner_form=form,
    )


@bp.post("/tasks/<int:task_id>/signups/<int:signup_id>/hours")
@login_required
def log_hours(task_id, signup_id):
    _committee_only()
    form = HoursForm(prefix=f"h{signup_id}")
    return _act(
        task_id,
        lambda task: delivery_tasks.log_hours(current_user, task, signup_id, hours=form.hours.data),
        _("The hours were confirmed."),
        form=form,
        hours_forms={signup_id: form},
    )


# ---------------------------------------------------------------- on the micro-matter's page


def matter_panel(matter, user):
    if not permissions.is_decided(matter):
        return None
    community = matter.community
    record_tasks = delivery_tasks.tasks_of_matter(matter)
    return render_template(
        "partners/_matter_panel.html",
        matter=matter,
        tasks=record_tasks,
        delivered=who_delivered.delivered_on(record_tasks),  # the tasks read once
        can_add=permissions.can_add_task(user, matter),
        can_volunteer=permissions.can_volunteer(user, community),
        **_labels(),
    )
