"""The convention's pages under /c/<slug>/convention: the current version (and its A4 print),
older versions with their diff, amendments, and the committee's forms."""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.communities.scoping import current_community
from app.core import clock
from app.core.errors import refuse
from app.core.forms import fields_of, form_page, submitted
from app.core.printing import sheet_qr
from app.core.urls import path_for
from app.matters.services.supports import support_threshold

from . import amendments, approval, ballot, bp, permissions, residents_assembly, services
from .forms import (
    ApprovalRoundForm,
    AssemblyForm,
    ConfirmAssemblyForm,
    DeclineForm,
    EstablishForm,
    ProposeForm,
    RejectAssemblyForm,
)
from .models import AmendmentKind, AmendmentStatus, AssemblyStatus

LABELS = {
    "kind_labels": AmendmentKind.labels(),
    "status_labels": AmendmentStatus.labels(),
    "assembly_status_labels": AssemblyStatus.labels(),
}


def _convention():
    convention = services.convention_of(current_community())
    if convention is None:
        refuse(404)
    return convention


def _keeper(community):
    if not permissions.can_keep(current_user, community):
        refuse(403, _("Only the committee keeps the convention."))


@bp.get("")
def index():
    community = current_community()
    convention = services.convention_of(community)
    open_, closed = amendments.amendments(convention) if convention else ([], [])
    return render_template(
        "conventions/index.html",
        community=community,
        convention=convention,
        version=convention.current if convention else None,
        open_amendments=open_,
        closed_amendments=closed,
        awaiting=approval.awaiting_residents(convention) if convention else [],
        assemblies=residents_assembly.assemblies(convention) if convention else [],
        can_confirm=permissions.can_confirm_counts(current_user, community),
        can_keep=permissions.can_keep(current_user, community),
        can_propose=permissions.can_propose(current_user, community),
        mode=approval.approval_mode(community),
        **LABELS,
    )


@bp.get("/print")
def print_current():
    convention = _convention()
    community = convention.community
    return render_template(
        "conventions/print.html",
        community=community,
        convention=convention,
        version=convention.current,
        back_url=url_for("conventions.index"),
        back_label=_("Back to the convention"),
        **sheet_qr(path_for("conventions.index", slug=community.slug), _("Scan for the current version online")),
    )


@bp.get("/versions/<int:number>")
def version(number):
    convention = _convention()
    shown = services.get_version(convention, number)
    return render_template(
        "conventions/version.html",
        community=convention.community,
        convention=convention,
        version=shown,
        rows=services.diff(shown),
        **LABELS,
    )


@bp.route("/establish", methods=["GET", "POST"])
@login_required
def establish():
    community = current_community()
    _keeper(community)
    if services.convention_of(community) is not None:  # version 1 once; later ones by amendment
        return redirect(url_for("conventions.index"))
    form = EstablishForm()
    if request.method == "GET":
        form.adopted_on.data = clock.local_today()
    return form_page(
        form,
        lambda: services.establish(
            current_user,
            community,
            articles=form.articles.data,
            adopted_on=form.adopted_on.data,
            note=form.note.data or "",
        ),
        _("Version 1 of the convention is published."),
        url_for("conventions.index"),
        "conventions/establish.html",
        community=community,
    )


@bp.route("/amendments/new", methods=["GET", "POST"])
@login_required
def propose():
    convention = _convention()
    community = convention.community
    if not permissions.can_propose(current_user, community):
        refuse(403, _("Only verified residents of this community propose amendments."))
    articles = convention.current.articles
    form = ProposeForm()
    form.article_number.choices = [(0, _("Before article 1 (insert only)"))] + [
        (a.number, _("Article %(number)s", number=a.number)) for a in articles
    ]
    if request.method == "GET":
        asked = request.args.get("article", "")
        form.article_number.data = int(asked) if asked.isascii() and asked.isdigit() and len(asked) < 4 else 1
    return form_page(
        form,
        lambda: amendments.propose(
            current_user,
            convention,
            article_number=form.article_number.data,
            kind=form.kind.data,
            text=form.text.data or "",
            reasons=form.reasons.data or "",
        ),
        _("Your amendment is published and collects supports."),
        lambda amendment: url_for("conventions.amendment", amendment_id=amendment.id),
        "conventions/propose.html",
        community=community,
        convention=convention,
        articles=articles,
    )


def _amendment_page(amendment, decline_form=None, status=200):
    convention = amendment.convention
    community = convention.community
    article = next((a for a in amendment.version.articles if a.number == amendment.article_number), None)
    supported = amendments.has_supported(current_user, amendment)
    return render_template(
        "conventions/amendment.html",
        community=community,
        convention=convention,
        amendment=amendment,
        article=article,
        threshold=support_threshold(community),
        supported=supported,
        can_support=permissions.can_support(current_user, amendment, supported),
        can_keep=permissions.can_keep(current_user, community),
        decline_form=decline_form or DeclineForm(formdata=None),
        voting_round=ballot.latest_round(amendment),
        **LABELS,
    ), status


@bp.get("/amendments/<int:amendment_id>")
def amendment(amendment_id):
    return _amendment_page(amendments.get_amendment(_convention(), amendment_id))


def _act(amendment_id, call, success, form=None):
    """A button (only the CSRF token) or the decline form on an amendment's page: `call(amendment)`
    and back to the page; a refusal shows the page again with the form."""
    amendment = amendments.get_amendment(_convention(), amendment_id)
    done = submitted(
        FlaskForm() if form is None else form,
        lambda: call(amendment),
        success,
        url_for("conventions.amendment", amendment_id=amendment_id),
    )
    return done or _amendment_page(amendment, decline_form=form, status=400)


@bp.post("/amendments/<int:amendment_id>/support")
@login_required
def support(amendment_id):
    return _act(amendment_id, lambda a: amendments.support(current_user, a), _("Your support is counted."))


@bp.post("/amendments/<int:amendment_id>/admit")
@login_required
def admit(amendment_id):
    return _act(
        amendment_id, lambda a: amendments.admit(current_user, a), _("The amendment is on the council's agenda list.")
    )


@bp.post("/amendments/<int:amendment_id>/decline")
@login_required
def decline(amendment_id):
    form = DeclineForm()
    return _act(
        amendment_id,
        lambda a: amendments.decline(current_user, a, form.reason.data),
        _("The amendment is not admitted; the reason is published."),
        form,
    )


def _assembly_page(convention, form=None, confirm_form=None, reject_form=None, status=200):
    community = convention.community
    pending = approval.pending_assembly(convention)
    return render_template(
        "conventions/assembly.html",
        community=community,
        convention=convention,
        awaiting=approval.awaiting_residents(convention),
        pending=pending,
        pending_amendments=residents_assembly.assembly_amendments(pending) if pending else [],
        form=form or AssemblyForm(formdata=None, held_on=clock.local_today()),
        confirm_form=confirm_form or ConfirmAssemblyForm(formdata=None),
        reject_form=reject_form or RejectAssemblyForm(formdata=None),
        can_keep=permissions.can_keep(current_user, community),
        can_confirm=permissions.can_confirm_counts(current_user, community),
        **LABELS,
    ), status


@bp.route("/assembly", methods=["GET", "POST"])
@login_required
def assembly():
    """The committee enters the assembly's counts; a second person confirms or rejects them here."""
    convention = _convention()
    community = convention.community
    if request.method == "POST":
        _keeper(community)
    elif not (permissions.can_keep(current_user, community) or permissions.can_confirm_counts(current_user, community)):
        refuse(403, _("Only the committee and the council see the entries of the residents' assembly."))
    if request.method == "GET":
        return _assembly_page(convention)
    form = AssemblyForm()
    done = submitted(
        form,
        lambda: residents_assembly.enter_assembly(
            current_user,
            convention,
            **fields_of(form, "held_on", "place", "present", "yes", "no", "abstain"),
        ),
        _("The counts are entered. A second person confirms them; until then nothing is decided."),
        url_for("conventions.assembly"),
    )
    return done or _assembly_page(convention, form=form, status=400)


def _on_entry(assembly_id, name, form, call, success, to):
    """The confirm or reject form of an entry of the assembly's counts: `call(entry)`; a refusal
    shows the assembly page again with the form as `name`."""
    convention = _convention()
    entry = residents_assembly.get_assembly(convention, assembly_id)
    done = submitted(form, lambda: call(entry), success, to)
    return done or _assembly_page(convention, **{name: form}, status=400)


@bp.post("/assembly/<int:assembly_id>/confirm")
@login_required
def confirm_assembly(assembly_id):
    return _on_entry(
        assembly_id,
        "confirm_form",
        ConfirmAssemblyForm(),
        lambda entry: residents_assembly.confirm_assembly(current_user, entry),
        lambda a: (
            _("The residents approved: version %(number)s is in force.", number=a.convention.current.number)
            if a.approved
            else _("The residents did not approve the amendments.")
        ),
        url_for("conventions.index"),
    )


@bp.post("/assembly/<int:assembly_id>/reject")
@login_required
def reject_assembly(assembly_id):
    form = RejectAssemblyForm()
    return _on_entry(
        assembly_id,
        "reject_form",
        form,
        lambda entry: residents_assembly.reject_assembly(current_user, entry, form.reason.data),
        _("The entry is rejected and kept on record with the reason. A corrected entry may be made."),
        url_for("conventions.assembly"),
    )


def residents_round_page(open_round, template, **context):
    """The committee's form that opens a yes/no round of the residents (here, and for a rule change
    in app.rule_adoption): `open_round(**window)` opens it (the form's dates and household choice),
    and its ballot page follows."""
    form = ApprovalRoundForm()
    if request.method == "GET":
        form.from_now()
    return form_page(
        form,
        lambda: open_round(**form.window()),
        _("The residents' round is open."),
        lambda voting_round: url_for("voting.ballot", round_id=voting_round.id),
        template,
        fields=False,
        **context,
    )


@bp.route("/round", methods=["GET", "POST"])
@login_required
def approval_round():
    """When the rules say so, the committee puts the adopted amendments to a yes/no round."""
    convention = _convention()
    community = convention.community
    _keeper(community)
    return residents_round_page(
        lambda **window: ballot.open_approval_round(current_user, convention, **window),
        "conventions/round.html",
        community=community,
        convention=convention,
        awaiting=approval.awaiting_residents(convention),
        mode=approval.approval_mode(community),
        **LABELS,
    )
