from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.i18n import N_
from app.core.vocabulary import Category

from .describe import MAJORITY_NAMES
from .majority import Base, TieRule
from .models import MAX_OBJECTION_DAYS

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
    "support_threshold_percent": N_("Supports needed (percent of verified residents)"),
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
    "resident_majority_rule": N_("Majority in a residents' yes/no vote"),
    "resident_majority_base": N_("Residents' majority counted against"),
    "min_turnout_percent": N_("Minimum turnout of a resident vote (percent)"),
    "satisfaction_threshold_percent": N_("Satisfaction needed to close (percent)"),
    "objection_days": N_("Objection period of a notice (days)"),
}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _label(name):
    return _l(FIELD_LABELS[name])


def _choices(names):
    return [(value.value, _l(name)) for value, name in names.items()]


def _int(name, low, high, description=None):
    return IntegerField(_label(name), validators=[InputRequired(), NumberRange(low, high)], description=description)


class RuleSetForm(FlaskForm):
    support_threshold_kind = RadioField(
        _label("support_threshold_kind"),
        choices=[("count", _l("A number of supports")), ("share", _l("A share of the verified residents"))],
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
    change_note = StringField(
        _l("What changed and why"),
        validators=[DataRequired(), Length(max=300)],
        description=_l("Published with the new version, e.g. “Council meeting of 3 March agreed to two seconders.”"),
    )
    submit = SubmitField(_l("Save as a new version"))

    def fill_from(self, ruleset):
        for name in FIELD_LABELS:
            value = getattr(ruleset, name)
            if name == "negative_list":
                value = "\n".join(value or [])
            elif name == "quorum_strict":
                value = "more" if value else "atleast"
            elif name == "secret_ballot":
                value = "secret" if value else "named"
            getattr(self, name).data = value

    def values(self):
        values = {name: getattr(self, name).data for name in FIELD_LABELS}
        values["negative_list"] = [
            line.strip() for line in (values["negative_list"] or "").splitlines() if line.strip()
        ]
        values["excluded_categories"] = list(values["excluded_categories"] or [])
        values["quorum_strict"] = values["quorum_strict"] == "more"
        values["secret_ballot"] = values["secret_ballot"] == "secret"  # noqa: S105
        return values
