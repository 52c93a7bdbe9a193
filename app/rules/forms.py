from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.forms import confirm_field
from app.core.i18n import N_
from app.core.vocabulary import Category

from .choices import ConventionApproval, ProxyRule, SpeakingOverrun
from .majority import Base, TieRule
from .models import MAX_OBJECTION_DAYS
from .phrases import MAJORITY_NAMES

BASE_CHOICES = {
    Base.YES_NO: N_("Yes and no votes (abstentions do not count)"),
    Base.YES_NO_ABSTAIN: N_("All votes cast, abstentions included"),
    Base.PRESENT: N_("Members present"),
    Base.ALL_MEMBERS: N_("All council members"),
}
# The same bases, named for a residents' yes/no round (the electorate is everyone eligible).
RESIDENT_BASE_CHOICES = {
    Base.YES_NO: N_("Yes and no votes on the project (abstentions do not count)"),
    Base.YES_NO_ABSTAIN: N_("Yes, no and abstain votes on the project"),
    Base.PRESENT: N_("All ballots cast in the round"),
    Base.ALL_MEMBERS: N_("Everyone eligible to vote in the round"),
}
TIE_CHOICES = {
    TieRule.FAILS: N_("An even split fails"),
    TieRule.CHAIR_DECIDES: N_("The chair's casting vote settles an even split"),
}

# Labels of the versioned fields, also used to show what changed between versions.
FIELD_LABELS = {
    "support_threshold_kind": N_("Support threshold counted as"),
    "support_threshold_count": N_("Supports needed (count)"),
    "support_threshold_percent": N_("Supports needed (percent of the register)"),
    "cap_service": N_("Cost cap for a service (yuan)"),
    "cap_goods": N_("Cost cap for goods (yuan)"),
    "cap_works": N_("Cost cap for works (yuan)"),
    "excluded_categories": N_("Excluded categories"),
    "negative_list": N_("Negative list"),
    "notice_days": N_("Meeting notice (days)"),
    "quorum_numerator": N_("Quorum share: numerator"),
    "quorum_denominator": N_("Quorum share: denominator"),
    "quorum_strict": N_("Quorum comparison"),
    "seconders_needed": N_("Seconders a motion needs"),
    "turns_per_item": N_("Speaking turns per member per item"),
    "minutes_per_turn": N_("Minutes per speaking turn"),
    "majority_rule": N_("Majority"),
    "majority_base": N_("Majority counted against"),
    "tie_rule": N_("A tie means"),
    "secret_ballot": N_("Council votes"),
    "budget_majority_rule": N_("Majority to approve or reject a budget"),
    "budget_majority_base": N_("Budget majority counted against"),
    "rule_change_majority_rule": N_("Majority to adopt new rules"),
    "rule_change_majority_base": N_("Rule-change majority counted against"),
    "referral_majority_rule": N_("Majority to refer a matter to a resident vote"),
    "referral_majority_base": N_("Referral majority counted against"),
    "entrenched_majority_rule": N_("Majority to change the quorum or a majority rule"),
    "entrenched_majority_base": N_("Quorum and majority changes counted against"),
    "rule_change_needs_residents": N_("A rule change adopted by the council"),
    "resident_majority_rule": N_("Majority in a residents' yes/no vote"),
    "resident_majority_base": N_("Residents' majority counted against"),
    "min_turnout_percent": N_("Minimum turnout of a resident vote (percent)"),
    "satisfaction_threshold_percent": N_("Satisfaction needed to close (percent)"),
    "objection_days": N_("Objection period of a notice (days)"),
    "early_close_min_ratings": N_("Ratings needed before a rating window may end early"),
    "on_behalf_daily_cap": N_("Entries on behalf of residents per person per day"),
    "convention_approval": N_("Residents approve convention amendments by"),
    "proxy_rule": N_("Written proxies (书面委托)"),
    "speaking_overrun": N_("When a speaking turn's time is up"),
    "minutes_comment_days": N_("Days for members' comments on draft minutes"),
}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _label(name):
    return _l(FIELD_LABELS[name])


def _choices(names):
    return [(value.value, _l(name)) for value, name in names.items()]


# Per kind of motion: "" keeps the general majority (stored as NULL).
GENERAL = [("", _l("As the general majority"))]


def _own_majority(prefix, description=None):
    return (
        SelectField(
            _label(f"{prefix}_majority_rule"), choices=GENERAL + _choices(MAJORITY_NAMES), description=description
        ),
        SelectField(_label(f"{prefix}_majority_base"), choices=GENERAL + _choices(BASE_CHOICES)),
    )


def _int(name, low, high, description=None):
    return IntegerField(_label(name), validators=[InputRequired(), NumberRange(low, high)], description=description)


class RuleSetForm(FlaskForm):
    support_threshold_kind = RadioField(
        _label("support_threshold_kind"),
        choices=[("count", _l("A number of supports")), ("share", _l("A share of the residents on the register"))],
        validators=[InputRequired()],
    )
    support_threshold_count = _int("support_threshold_count", 1, 100_000)
    support_threshold_percent = _int("support_threshold_percent", 1, 100)
    cap_service = _int("cap_service", 1, 100_000_000)
    cap_goods = _int("cap_goods", 1, 100_000_000)
    cap_works = _int("cap_works", 1, 100_000_000)
    excluded_categories = MultiCheckboxField(_label("excluded_categories"), choices=Category.choices())
    negative_list = TextAreaField(
        _label("negative_list"),
        validators=[Length(max=6000)],
        description=_l(
            "One item per line, e.g. duties of the property manager. The committee judges each proposal against it."
        ),
    )
    notice_days = _int("notice_days", 0, 60)
    quorum_numerator = _int("quorum_numerator", 1, 100, _l("For example 1 for 1/2, 2 for 2/3."))
    quorum_denominator = _int("quorum_denominator", 1, 100, _l("For example 2 for 1/2, 3 for 2/3."))
    quorum_strict = SelectField(
        _label("quorum_strict"),
        choices=[
            ("more", _l("More than the share (e.g. more than 1/2)")),
            ("atleast", _l("At least the share (e.g. at least 2/3)")),
        ],
    )
    seconders_needed = _int("seconders_needed", 0, 20)
    turns_per_item = _int("turns_per_item", 1, 10)
    minutes_per_turn = _int("minutes_per_turn", 1, 30)
    majority_rule = SelectField(_label("majority_rule"), choices=_choices(MAJORITY_NAMES))
    majority_base = SelectField(_label("majority_base"), choices=_choices(BASE_CHOICES))
    tie_rule = SelectField(_label("tie_rule"), choices=_choices(TIE_CHOICES))
    secret_ballot = SelectField(
        _label("secret_ballot"),
        choices=[
            ("named", _l("By roll call (each vote recorded by name)")),
            ("secret", _l("Secret (only the counts are kept)")),
        ],
    )
    budget_majority_rule, budget_majority_base = _own_majority(
        "budget", _l("Motions to approve a micro-matter with a budget, or to reject it.")
    )
    rule_change_majority_rule, rule_change_majority_base = _own_majority(
        "rule_change", _l("Motions to adopt a new version of these rules that keeps the quorum and majorities.")
    )
    referral_majority_rule, referral_majority_base = _own_majority("referral")
    entrenched_majority_rule = SelectField(
        _label("entrenched_majority_rule"),
        choices=_choices(MAJORITY_NAMES),
        description=_l("A new version that changes the quorum or any majority rule needs this majority to be adopted."),
    )
    entrenched_majority_base = SelectField(_label("entrenched_majority_base"), choices=_choices(BASE_CHOICES))
    rule_change_needs_residents = SelectField(
        _label("rule_change_needs_residents"),
        choices=[
            ("council", _l("Is in force once the council adopts it")),
            ("residents", _l("Also needs the residents' yes in a yes/no vote")),
        ],
    )
    resident_majority_rule = SelectField(_label("resident_majority_rule"), choices=_choices(MAJORITY_NAMES))
    resident_majority_base = SelectField(_label("resident_majority_base"), choices=_choices(RESIDENT_BASE_CHOICES))
    min_turnout_percent = _int(
        "min_turnout_percent",
        0,
        100,
        _l(
            "Applies to every resident round (yes/no, approval, budget ballot). Below it the round is published as "
            "not valid and no project is approved."
        ),
    )
    satisfaction_threshold_percent = _int("satisfaction_threshold_percent", 1, 100)
    objection_days = _int(
        "objection_days",
        0,
        MAX_OBJECTION_DAYS,
        _l(
            "Every notice (公示) stays open for objections at least this many days, and work on the matters it "
            "covers starts only after that. 0: no objection period."
        ),
    )
    early_close_min_ratings = _int(
        "early_close_min_ratings",
        1,
        100_000,
        _l("Before this many residents have rated, a rating window runs to its stated end."),
    )
    on_behalf_daily_cap = _int(
        "on_behalf_daily_cap",
        1,
        1000,
        _l("A grid worker or committee member records at most this many acts for residents (代录) per day."),
    )
    convention_approval = SelectField(
        _label("convention_approval"),
        choices=[
            (ConventionApproval.ASSEMBLY.value, _l("A residents' assembly, its counts recorded by two people")),
            (ConventionApproval.ROUND.value, _l("A yes/no resident vote")),
        ],
    )
    proxy_rule = SelectField(
        _label("proxy_rule"),
        choices=[
            (ProxyRule.NONE.value, _l("Not allowed")),
            (ProxyRule.QUORUM.value, _l("Allowed, counted for the quorum only")),
            (ProxyRule.VOTES.value, _l("Allowed, counted for the quorum and the holder votes for the member")),
        ],
        description=_l("A member who cannot attend may give one written proxy to another member."),
    )
    speaking_overrun = SelectField(
        _label("speaking_overrun"),
        choices=[
            (SpeakingOverrun.END.value, _l("The chair's console ends the turn")),
            (SpeakingOverrun.RECORD.value, _l("The speaker may finish; the overrun is recorded in the minutes")),
        ],
    )
    minutes_comment_days = _int(
        "minutes_comment_days",
        0,
        30,
        _l("Draft minutes go to the members for comments this many days before the chair may lock them. 0: at once."),
    )
    change_note = StringField(
        _l("What changed and why"),
        validators=[DataRequired(), Length(max=300)],
        description=_l("Published with the new version, e.g. “Council meeting of 3 March agreed to two seconders.”"),
    )
    submit = SubmitField(_l("Propose the new version to the council"))

    def fill_from(self, ruleset):
        for name in FIELD_LABELS:
            value = getattr(ruleset, name)
            if name == "negative_list":
                value = "\n".join(value or [])
            elif name == "quorum_strict":
                value = "more" if value else "atleast"
            elif name == "secret_ballot":
                value = "secret" if value else "named"
            elif name == "rule_change_needs_residents":
                value = "residents" if value else "council"
            elif value is None:
                value = ""
            getattr(self, name).data = value

    def values(self):
        values = {name: getattr(self, name).data for name in FIELD_LABELS}
        values["negative_list"] = [
            line.strip() for line in (values["negative_list"] or "").splitlines() if line.strip()
        ]
        values["excluded_categories"] = list(values["excluded_categories"] or [])
        values["quorum_strict"] = values["quorum_strict"] == "more"
        values["secret_ballot"] = values["secret_ballot"] == "secret"  # noqa: S105
        values["rule_change_needs_residents"] = values["rule_change_needs_residents"] == "residents"
        return values


class WithdrawDraftForm(FlaskForm):
    understood = confirm_field(
        _l("I understand that the withdrawn draft stays in the history and cannot be proposed again.")
    )
    submit = SubmitField(_l("Withdraw the draft"))
