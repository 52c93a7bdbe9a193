"""Giving, recording and revoking written proxies on the meeting's pages, and the holder's vote
for the giver. On a refusal the page the form came from is shown again (400) with the message."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from app.communities.scoping import current_community
from app.core.errors import DomainError
from app.core.service import get_or_404
from app.councils import common, live_views, votes
from app.councils.forms import BallotForm
from app.councils.models import MotionVote, VoteMode
from app.councils.routes import council_helpers

from . import bp, permissions, services
from .forms import GiveProxyForm, PaperProxyForm, RevokeProxyForm
from .models import Channel

# A refused form shows the council's meeting page again, which needs the council's template helpers.
bp.context_processor(council_helpers)


def _meeting(meeting_id):
    return common.get_meeting(current_community(), meeting_id)


# The views a proxy form is on (not the projector's).
VIEWS = ("public", "chair", "member")


def _view():
    view = request.form.get("view")
    return view if view in VIEWS else "public"


def _act(meeting, form, action, success):
    """Run `action()` for a valid form; a refusal shows the page again (400) with the message."""
    view = _view()
    try:
        if not form.validate_on_submit():
            errors = [e for field in form for e in field.errors]
            raise DomainError(errors[0] if errors else _("Please check the form."))
        action()
    except DomainError as error:
        flash(error.message, "error")
        return live_views.render_view(meeting, view, 400)
    flash(success, "success")
    return redirect(url_for(live_views.VIEW_ENDPOINTS[view], meeting_id=meeting.id))


def _with_members(form, meeting, *fields):
    choices = [(u.id, u.display_name) for u in common.council_members(meeting.community)]
    for name in fields:
        getattr(form, name).choices = choices
    return form


@bp.post("/meetings/<int:meeting_id>/proxy")
@login_required
def give(meeting_id):
    meeting = _meeting(meeting_id)
    form = _with_members(GiveProxyForm(prefix="proxy"), meeting, "holder_id")
    return _act(
        meeting,
        form,
        lambda: services.give(current_user, meeting, form.holder_id.data),
        _("Your written proxy is recorded."),
    )


@bp.post("/meetings/<int:meeting_id>/proxies/paper")
@login_required
def record_paper(meeting_id):
    meeting = _meeting(meeting_id)
    form = _with_members(PaperProxyForm(prefix="paper"), meeting, "giver_id", "holder_id")
    return _act(
        meeting,
        form,
        lambda: services.record_paper(current_user, meeting, form.giver_id.data, form.holder_id.data),
        _("The paper proxy is recorded."),
    )


@bp.post("/meetings/<int:meeting_id>/proxies/<int:proxy_id>/revoke")
@login_required
def revoke(meeting_id, proxy_id):
    meeting = _meeting(meeting_id)
    proxy = services.get_proxy(meeting, proxy_id)
    return _act(
        meeting,
        RevokeProxyForm(prefix="revoke"),
        lambda: services.revoke(current_user, proxy),
        _("The proxy is revoked."),
    )


@bp.post("/meetings/<int:meeting_id>/votes/<int:vote_id>/proxy-ballot/<int:giver_id>")
@login_required
def ballot(meeting_id, vote_id, giver_id):
    meeting = _meeting(meeting_id)
    vote = get_or_404(MotionVote, vote_id, meeting_id=meeting.id)
    choice = request.form.get("choice", "")
    return _act(
        meeting,
        BallotForm(prefix="proxy"),
        lambda: votes.cast_vote(current_user, meeting, vote, choice, for_id=giver_id),
        _("The vote for the member whose proxy you hold is recorded."),
    )


def panel(meeting, view, vote=None):
    """The proxies part of a meeting's page (a template global): the proxies in force and what
    they count for now, the member's own proxy, the paper form for the chair and committee, and
    in the member view the holder's ballot for the giver."""
    proxies = services.in_force(meeting)
    rule = meeting.ruleset.proxy_rule
    me = getattr(current_user, "id", None)
    may_give = permissions.can_give_proxy(current_user, meeting)
    may_record = view != "member" and permissions.can_record_proxy(current_user, meeting)
    in_hand = vote is not None and me and vote.mode != VoteMode.ANALOG  # counted in the room: a second hand
    givers = services.holder_votes(current_user, meeting, vote) if in_hand else []
    givers = [giver for giver in givers if not votes.has_voted(vote, giver)]
    if not (proxies or may_give or may_record or givers):
        return ""
    taken = {p.giver_id for p in proxies} | {p.holder_id for p in proxies}
    members = common.council_members(meeting.community)
    free = [(u.id, u.display_name) for u in members if u.id not in taken]
    chair_holds_none = common.chair_cannot_hold_proxy(meeting)
    holders = [c for c in free if not (chair_holds_none and c[0] == meeting.chair_id)]
    give_form = GiveProxyForm(formdata=None, prefix="proxy")
    give_form.holder_id.choices = [c for c in holders if c[0] != me]
    paper_form = PaperProxyForm(formdata=None, prefix="paper")
    paper_form.giver_id.choices, paper_form.holder_id.choices = free, holders
    html = render_template(
        "proxies/_panel.html",
        meeting=meeting,
        view=view,
        rule=rule,
        proxies=proxies,
        counted=common.proxies_now(meeting).counted,
        mine=next((p for p in proxies if me in (p.giver_id, p.holder_id)), None),
        may_give=may_give and me not in taken,
        may_record=may_record,
        give_form=give_form,
        paper_form=paper_form,
        revoke_form=RevokeProxyForm(formdata=None, prefix="revoke"),
        can_revoke=permissions.can_revoke_proxy,
        vote=vote,
        givers={u.id: u for u in members if u.id in givers},
        ballot_form=BallotForm(formdata=None, prefix="proxy"),
        Channel=Channel,
        chair_holds_none=chair_holds_none,
    )
    return Markup(html)  # noqa: S704  # nosec B704  # rendered by Jinja with autoescape
