"""The consultation rules of a community: public in plain language, edited by the committee.

The blueprint lives here rather than in app/rules/__init__.py so that importing the pure
modules (app.rules.majority, app.rules.quorum) does not load the web layer.
"""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.scoping import community_blueprint, current_community, permitted_community
from app.core.errors import refuse
from app.core.forms import form_page, submitted
from app.core.i18n import money
from app.core.vocabulary import Category

from . import services
from .describe import describe
from .forms import BASE_CHOICES, FIELD_LABELS, RESIDENT_BASE_CHOICES, TIE_CHOICES, RuleSetForm, WithdrawDraftForm
from .models import RuleStatus
from .permissions import can_edit_rules
from .phrases import MAJORITY_NAMES

bp = community_blueprint("rules", __name__, "/rules")


def sentences(ruleset, community):
    base = services.support_base(community)
    return describe(ruleset, gettext=_, money=money, label=Category.label_of, support_base=base)


def display_value(name, value):
    """A stored field value as people read it (for the version history)."""
    if name == "excluded_categories":
        return ", ".join(Category.label_of(v) for v in value or []) or "—"
    if name == "negative_list":
        return "; ".join(value or []) or "—"
    if name == "quorum_strict":
        return _("more than") if value else _("at least")
    if name == "secret_ballot":
        return _("secret") if value else _("roll call")
    if name == "rule_change_needs_residents":
        return _("the council, then the residents") if value else _("the council")
    if name == "support_threshold_kind":
        return _("share") if value == "share" else _("count")
    choices = {
        "majority_rule": MAJORITY_NAMES,
        "majority_base": BASE_CHOICES,
        "budget_majority_rule": MAJORITY_NAMES,
        "budget_majority_base": BASE_CHOICES,
        "rule_change_majority_rule": MAJORITY_NAMES,
        "rule_change_majority_base": BASE_CHOICES,
        "referral_majority_rule": MAJORITY_NAMES,
        "referral_majority_base": BASE_CHOICES,
        "entrenched_majority_rule": MAJORITY_NAMES,
        "entrenched_majority_base": BASE_CHOICES,
        "tie_rule": TIE_CHOICES,
        "resident_majority_rule": MAJORITY_NAMES,
        "resident_majority_base": RESIDENT_BASE_CHOICES,
    }
    if value in choices.get(name, {}):
        return _(choices[name][value])
    if name.startswith("cap_") and isinstance(value, int):
        return money(value)
    if value is None and name.endswith(("_majority_rule", "_majority_base")):
        return _("as the general majority")
    return "—" if value is None else str(value)


def history(community):
    """Every version, newest first, with its changes from the version it was made from."""
    rows = services.versions(community)
    out = []
    for ruleset in rows:
        previous = services.base_version(ruleset)
        diff = services.changes(previous, ruleset) if previous is not None else {}
        out.append(
            {
                "ruleset": ruleset,
                "changes": [
                    (_(FIELD_LABELS[name]), display_value(name, old), display_value(name, new))
                    for name, (old, new) in diff.items()
                ],
            }
        )
    return out


def _show_page(community, ruleset, current, withdraw_form=None, status=200):
    """One version of the rules, in sentences, with the history of versions."""
    can_edit = can_edit_rules(current_user, community)
    if withdraw_form is None and can_edit and ruleset.withdrawable:
        withdraw_form = WithdrawDraftForm()
    return render_template(
        "rules/show.html",
        community=community,
        ruleset=ruleset,
        current=current,
        sentences=sentences(ruleset, community),
        history=history(community),
        draft=services.pending_draft(community),
        can_edit=can_edit,
        withdraw_form=withdraw_form,
        support_base=services.support_base(community),
        status_labels=RuleStatus.labels(),
    ), status


def _version_or_404(community, version):
    ruleset = services.ruleset_version(community, version)
    if ruleset is None:
        refuse(404, _("There is no such version of the rules."))
    return ruleset


def _editor_only():
    return permitted_community(can_edit_rules, _("Only the committee can change the consultation rules."))


@bp.get("/")
def show():
    community = current_community()
    ruleset = services.current_ruleset(community)
    if ruleset is None:
        refuse(404, _("This community has no consultation rules yet."))
    return _show_page(community, ruleset, current=ruleset)


@bp.get("/v<int:version>")
def version(version):
    community = current_community()
    ruleset = _version_or_404(community, version)
    return _show_page(community, ruleset, current=services.current_ruleset(community))


@bp.route("/edit", methods=["GET", "POST"])
@login_required
def edit():
    community = _editor_only()
    current = services.current_ruleset(community)
    form = RuleSetForm()
    if request.method == "GET" and current is not None:
        form.fill_from(current)
        form.change_note.data = ""
    return form_page(
        form,
        lambda: services.propose_version(current_user, community, form.values(), form.change_note.data),
        lambda ruleset: _(
            "Version %(version)s is a draft on the council's agenda list. It applies once the council adopts it.",
            version=ruleset.version,
        ),
        url_for("rules.show"),
        "rules/edit.html",
        fields=False,
        community=community,
        current=current,
        support_base=services.support_base(community),
    )


@bp.post("/v<int:version>/withdraw")
@login_required
def withdraw(version):
    community = _editor_only()
    ruleset = _version_or_404(community, version)
    form = WithdrawDraftForm()
    done = submitted(
        form,
        lambda: services.withdraw(current_user, ruleset),
        _("The draft is withdrawn; the rules in force stay as they are."),
        url_for("rules.version", version=version),
    )
    if done:
        return done
    return _show_page(community, ruleset, services.current_ruleset(community), withdraw_form=form, status=400)
