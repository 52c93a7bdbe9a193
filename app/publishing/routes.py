from flask import Response, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.scoping import current_community, permitted_community
from app.core.errors import DomainError, refuse
from app.core.forms import fields_of, submitted
from app.core.params import parse_id
from app.core.printing import sheet_qr
from app.core.urls import absolute_url, path_for
from app.matters.lifecycle import status_label
from app.tracker.models import RecordState
from app.voting.results import not_funded_in_a_round

from . import bp, feed, objections, permissions, public_figures, services, sources
from .forms import AnswerForm, NoticeForm, ObjectionForm, ReopenForm, answer_prefix, reopen_prefix
from .models import NoticeKind, NoticePeriod


@bp.app_template_global()
def has_endpoint(name):
    return name in current_app.view_functions


@bp.app_template_global()
def community_headlines(communities):
    return public_figures.headline_figures(communities)


@bp.get("/results")
def results():
    community = current_community()
    return render_template(
        "publishing/results.html",
        community=community,
        figures=public_figures.figures_for(community),
        decided=(decided := public_figures.decided_matters(community, limit=30)),
        not_funded=not_funded_in_a_round(decided),
        notices=services.list_notices(community, limit=10),
        meetings=public_figures.meetings_with_minutes(community),
        rounds=public_figures.counted_rounds(community),
        implementations=public_figures.implementation_progress(community),
        record_states=RecordState.labels(),
        kind_labels=NoticeKind.labels(),
        period_state=permissions.period_state,
        status_label=status_label,
    )


@bp.get("/notices/")
def notices():
    community = current_community()
    return render_template(
        "publishing/notices.html",
        community=community,
        notices=services.list_notices(community),
        kind_labels=NoticeKind.labels(),
        period_state=permissions.period_state,
        can_publish=permissions.can_publish_notices(current_user, community),
    )


def _choose_page(community):
    """The records a notice can be published for, to choose one."""
    return render_template(
        "publishing/choose.html",
        community=community,
        kind_labels=NoticeKind.labels(),
        candidates=services.candidates(community),
    )


def _new_notice_page(community, form, status=200):
    kind, ref = form.kind.data, form.ref.data
    publication = existing = None
    if kind and ref:
        try:
            record = services.load_record(community, kind, ref)
        except DomainError as error:
            flash(error.message, "error")
            return _choose_page(community), (status if status != 200 else 404)
        publication = services.source_for(kind).describe(record)
        existing = services.existing_notice(community, kind, ref)
        if not form.title.data:
            form.title.data = sources.text(publication.title)
    return render_template(
        "publishing/new.html",
        community=community,
        form=form,
        publication=publication,
        existing=existing,
        facts=sources.rendered(publication.facts) if publication else None,
        kind_labels=NoticeKind.labels(),
    ), status


@bp.route("/notices/new", methods=["GET", "POST"])
@login_required
def new_notice():
    community = permitted_community(permissions.can_publish_notices, _("Only the committee can publish notices."))
    if request.method == "GET":
        kind, ref = request.args.get("kind"), parse_id(request.args.get("ref", ""))
        if kind not in set(NoticeKind) or ref is None:
            return _choose_page(community)
        start, end = services.default_period(community)
        form = NoticeForm(kind=kind, ref=ref, period_start=start, period_end=end)
        return _new_notice_page(community, form)
    form = NoticeForm()
    if form.kind.data not in set(NoticeKind):
        refuse(400)
    done = submitted(
        form,
        lambda: services.publish_notice(
            current_user,
            community,
            form.kind.data,
            form.ref.data,
            **fields_of(form, "title", "period_start", "period_end"),
            preface=form.preface.data or "",
        ),
        _("The notice was published."),
        lambda notice: url_for("publishing.notice", notice_id=notice.id),
        fields=False,
    )
    if done:
        return done
    return _new_notice_page(community, form, 400)


def _notice_page(notice, objection_form=None, answer_forms=None, reopen_forms=None, status=200):
    community = current_community()
    can_answer = permissions.can_answer_objections(current_user, community)
    forms = answer_forms or {}
    reopen = reopen_forms or {}
    if can_answer:
        for objection in notice.objections:
            if not objection.is_answered and objection.id not in forms:
                forms[objection.id] = AnswerForm(prefix=answer_prefix(objection.id), formdata=None)
            if objection.is_answered and objection.id not in reopen:
                reopen[objection.id] = ReopenForm(prefix=reopen_prefix(objection.id), formdata=None)
    return render_template(
        "publishing/notice.html",
        community=community,
        notice=notice,
        facts=sources.rendered(notice.facts),
        kind_labels=NoticeKind.labels(),
        state=permissions.period_state(notice),
        can_object=permissions.can_object(current_user, notice)
        or (
            objection_form is not None
            and permissions.may_object_here(current_user, notice)
            and permissions.period_state(notice) == NoticePeriod.OPEN
        ),  # give the text back after a refusal
        has_objected=permissions.has_objected(current_user, notice),
        can_answer=can_answer,
        objection_form=objection_form or ObjectionForm(formdata=None),
        answer_forms=forms,
        reopen_forms=reopen,
        is_resident=permissions.community_permissions.is_verified_resident(current_user, community),
    ), status


@bp.get("/notices/<int:notice_id>")
def notice(notice_id):
    return _notice_page(services.get_notice(current_community(), notice_id))


@bp.post("/notices/<int:notice_id>/objections")
@login_required
def lodge_objection(notice_id):
    notice = services.get_notice(current_community(), notice_id)
    form = ObjectionForm()
    done = submitted(
        form,
        lambda: objections.lodge_objection(current_user, notice, form.body.data),
        _("Your objection was lodged. The committee will answer it publicly."),
        lambda objection: url_for("publishing.notice", notice_id=notice.id, _anchor=f"objection-{objection.id}"),
        fields=False,
    )
    if done:
        return done
    return _notice_page(notice, objection_form=form, status=400)


def _committee_acts_on_objection(notice_id, objection_id, refusal, form, act, success, forms_key):
    """Answer or reopen an objection: the committee only; the notice page back with the form on error."""
    notice = services.get_notice(current_community(), notice_id)
    if not permissions.can_answer_objections(current_user, notice.community):
        refuse(403, refusal)
    done = submitted(
        form,
        lambda: act(notice),
        success,
        url_for("publishing.notice", notice_id=notice.id, _anchor=f"objection-{objection_id}"),
        fields=False,
    )
    if done:
        return done
    return _notice_page(notice, **{forms_key: {objection_id: form}}, status=400)


@bp.post("/notices/<int:notice_id>/objections/<int:objection_id>/answer")
@login_required
def answer_objection(notice_id, objection_id):
    form = AnswerForm(prefix=answer_prefix(objection_id))
    return _committee_acts_on_objection(
        notice_id,
        objection_id,
        _("Only the committee can answer objections."),
        form,
        lambda notice: objections.answer_objection(current_user, notice, objection_id, form.answer.data),
        _("The answer was published."),
        "answer_forms",
    )


@bp.post("/notices/<int:notice_id>/objections/<int:objection_id>/reopen")
@login_required
def reopen_objection(notice_id, objection_id):
    form = ReopenForm(prefix=reopen_prefix(objection_id))
    return _committee_acts_on_objection(
        notice_id,
        objection_id,
        _("Only the committee can reopen objections."),
        form,
        lambda notice: objections.reopen_objection(current_user, notice, objection_id, form.reason.data),
        _("The objection was reopened; it holds the micro-matters again until it is answered."),
        "reopen_forms",
    )


@bp.get("/notices/<int:notice_id>/print")
def print_notice(notice_id):
    community = current_community()
    notice = services.get_notice(community, notice_id)
    return render_template(
        "publishing/print.html",
        community=community,
        notice=notice,
        facts=sources.rendered(notice.facts),
        kind_labels=NoticeKind.labels(),
        record_url=absolute_url(notice.record_path),
        back_url=url_for("publishing.notice", notice_id=notice.id),
        back_label=_("Back to the online notice"),
        **sheet_qr(
            path_for("publishing.notice", slug=community.slug, notice_id=notice.id),
            _("Scan to read this notice online, follow the objections and see the full record:"),
        ),
    )


@bp.get("/feed.atom")
def atom_feed():
    community = current_community()
    body = feed.build_feed(community, public_figures.feed_events(community))
    return Response(body, mimetype="application/atom+xml", headers={"Cache-Control": "max-age=300"})
