"""The convention's pages under /c/<slug>/convention: the current version (and its A4 print),
older versions with their diff, amendments, and the committee's forms."""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.communities.scoping import current_community
from app.core import clock
from app.core.errors import refuse
from app.core.forms import submitted
from app.core.printing import sheet_qr
from app.core.urls import path_for
from app.matters.services import support_threshold

from . import bp, permissions, services
from .forms import AssemblyForm, DeclineForm, EstablishForm, ProposeForm
from .models import AmendmentKind, AmendmentStatus

LABELS = {"kind_labels": AmendmentKind.labels(), "status_labels": AmendmentStatus.labels()}


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
    open_, closed = services.amendments(convention) if convention else ([], [])
    return render_template(
        "conventions/index.html",
        community=community,
        convention=convention,
        version=convention.current if convention else None,
        open_amendments=open_,
        closed_amendments=closed,
        awaiting=services.awaiting_residents(convention) if convention else [],
        can_keep=permissions.can_keep(current_user, community),
        can_propose=permissions.can_propose(current_user, community),
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
    done = submitted(
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
    )
    if done:
        return done
    status = 400 if request.method == "POST" else 200
    return render_template("conventions/establish.html", community=community, form=form), status


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
    done = submitted(
        form,
        lambda: services.propose(
            current_user,
            convention,
            article_number=form.article_number.data,
            kind=form.kind.data,
            text=form.text.data or "",
            reasons=form.reasons.data or "",
        ),
        _("Your amendment is published and collects supports."),
        lambda amendment: url_for("conventions.amendment", amendment_id=amendment.id),
    )
    if done:
        return done
    status = 400 if request.method == "POST" else 200
    return render_template(
        "conventions/propose.html", community=community, convention=convention, articles=articles, form=form
    ), status


def _amendment_page(amendment, decline_form=None, status=200):
    convention = amendment.convention
    community = convention.community
    article = next((a for a in amendment.version.articles if a.number == amendment.article_number), None)
    supported = services.has_supported(current_user, amendment)
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
        **LABELS,
    ), status


@bp.get("/amendments/<int:amendment_id>")
def amendment(amendment_id):
    return _amendment_page(services.get_amendment(_convention(), amendment_id))


def _act(amendment_id, call, success):
    amendment = services.get_amendment(_convention(), amendment_id)
    form = FlaskForm()  # a button: only the CSRF token
    done = submitted(
        form,
        lambda: call(amendment),
        success,
        url_for("conventions.amendment", amendment_id=amendment_id),
        fields=False,
    )
    return done or _amendment_page(amendment, status=400)


@bp.post("/amendments/<int:amendment_id>/support")
@login_required
def support(amendment_id):
    return _act(amendment_id, lambda a: services.support(current_user, a), _("Your support is counted."))


@bp.post("/amendments/<int:amendment_id>/admit")
@login_required
def admit(amendment_id):
    return _act(
        amendment_id, lambda a: services.admit(current_user, a), _("The amendment is on the council's agenda list.")
    )


@bp.post("/amendments/<int:amendment_id>/decline")
@login_required
def decline(amendment_id):
    amendment = services.get_amendment(_convention(), amendment_id)
    form = DeclineForm()
    done = submitted(
        form,
        lambda: services.decline(current_user, amendment, form.reason.data),
        _("The amendment is not admitted; the reason is published."),
        url_for("conventions.amendment", amendment_id=amendment_id),
    )
    return done or _amendment_page(amendment, decline_form=form, status=400)


@bp.route("/assembly", methods=["GET", "POST"])
@login_required
def assembly():
    convention = _convention()
    community = convention.community
    _keeper(community)
    form = AssemblyForm()
    if request.method == "GET":
        form.held_on.data = clock.local_today()
    done = submitted(
        form,
        lambda: services.record_assembly(
            current_user,
            convention,
            held_on=form.held_on.data,
            place=form.place.data,
            present=form.present.data,
            yes=form.yes.data,
            no=form.no.data,
            abstain=form.abstain.data,
        ),
        lambda a: (
            _("The residents approved: version %(number)s is in force.", number=convention.current.number)
            if a.approved
            else _("The residents did not approve the amendments.")
        ),
        url_for("conventions.index"),
    )
    if done:
        return done
    status = 400 if request.method == "POST" else 200
    return render_template(
        "conventions/assembly.html",
        community=community,
        convention=convention,
        awaiting=services.awaiting_residents(convention),
        form=form,
        **LABELS,
    ), status
