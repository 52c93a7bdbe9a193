"""The consultation rules of a community: public in plain language, edited by the committee.

The blueprint lives here rather than in app/rules/__init__.py so that importing the pure
modules (app.rules.majority, app.rules.quorum) does not load the web layer.
"""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.communities.scoping import community_blueprint, current_community
from app.core.errors import refuse
from app.core.forms import submitted
from app.core.i18n import money
from app.core.vocabulary import Category

from . import services
from .describe import MAJORITY_NAMES, describe
from .forms import BASE_CHOICES, FIELD_LABELS, RESIDENT_BASE_CHOICES, TIE_CHOICES, RuleSetForm
from .permissions import can_edit_rules

bp = community_blueprint("rules", __name__, "/rules")


def sentences(ruleset):
    return describe(ruleset, gettext=_, money=money, label=Category.label_of)


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
    if name == "support_threshold_kind":
        return _("share") if value == "share" else _("count")
    choices = {
        "majority_rule": MAJORITY_NAMES,
        "majority_base": BASE_CHOICES,
        "tie_rule": TIE_CHOICES,
        "resident_majority_rule": MAJORITY_NAMES,
        "resident_majority_base": RESIDENT_BASE_CHOICES,
    }
    if value in choices.get(name, {}):
        return _(choices[name][value])
    if name.startswith("cap_") and isinstance(value, int):
        return money(value)
    return "—" if value is None else str(value)


def history(community):
    rows = services.versions(community)
    out = []
    for index, ruleset in enumerate(rows):
        previous = rows[index + 1] if index + 1 < len(rows) else None
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


def _show_page(community, ruleset, current):
    """One version of the rules, in sentences, with the history of versions."""
    return render_template(
        "rules/show.html",
        community=community,
        ruleset=ruleset,
        current=current,
        sentences=sentences(ruleset),
        history=history(community),
        can_edit=can_edit_rules(current_user, community),
    )


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
    ruleset = services.ruleset_version(community, version)
    if ruleset is None:
        refuse(404, _("There is no such version of the rules."))
    return _show_page(community, ruleset, current=services.current_ruleset(community))


@bp.route("/edit", methods=["GET", "POST"])
@login_required
def edit():
    community = current_community()
    if not can_edit_rules(current_user, community):
        refuse(403, _("Only the committee can change the consultation rules."))
    current = services.current_ruleset(community)
    form = RuleSetForm()
    if request.method == "GET":
        if current is not None:
            form.fill_from(current)
            form.change_note.data = ""
        return render_template("rules/edit.html", community=community, form=form, current=current)
    done = submitted(
        form,
        lambda: services.save_version(current_user, community, form.values(), form.change_note.data),
        lambda ruleset: _("Saved as version %(version)s. It applies from now on.", version=ruleset.version),
        url_for("rules.show"),
        fields=False,
    )
    if done:
        return done
    return render_template("rules/edit.html", community=community, form=form, current=current), 400
