"""Admissibility of a micro-matter under a rule set. Pure Python, no Flask.

check(cost, project_type, category, rules) -> list[Check]. Automatic checks
(cost cap, excluded category) pass or fail; the negative list needs the
committee's judgement, so its check carries ok=None and the items to weigh.
"""

from dataclasses import asdict, dataclass, field


def N_(message):
    return message


@dataclass(frozen=True)
class Check:
    code: str  # cost_cap | category | negative_list
    ok: bool | None  # None: for the committee to judge
    params: dict = field(default_factory=dict)

    def as_dict(self):
        return asdict(self)


MESSAGES = {
    ("cost_cap", True): N_("The estimated cost %(cost)s is within the cap of %(cap)s for this project type."),
    ("cost_cap", False): N_("The estimated cost %(cost)s is over the cap of %(cap)s for this project type."),
    ("category", True): N_("The category is not excluded."),
    ("category", False): N_("The category “%(category)s” is on the excluded list."),
    ("negative_list", None): N_("Judge whether it falls under the negative list: %(items)s"),
    ("negative_list", True): N_("There is no negative list to judge."),
}

CAP_FIELDS = {"service": "cap_service", "goods": "cap_goods", "works": "cap_works"}


def check(cost, project_type, category, rules):
    cap = getattr(rules, CAP_FIELDS[project_type])
    checks = [
        Check("cost_cap", cost <= cap, {"cost": cost, "cap": cap}),
        Check("category", category not in (rules.excluded_categories or []), {"category": category}),
    ]
    items = [item for item in (rules.negative_list or []) if item]
    checks.append(Check("negative_list", None if items else True, {"items": items}))
    return checks


def blocking(checks):
    """The automatic checks that failed: any of them keeps a matter off the agenda list."""
    return [c for c in checks if c.ok is False]


def message(check_dict, gettext=None, money=str, label=None):
    """The sentence for a stored check ({code, ok, params}), translated by `gettext`."""
    label = label or (lambda value: value)
    params = dict(check_dict.get("params") or {})
    if "cost" in params:
        params["cost"] = money(params["cost"])
    if "cap" in params:
        params["cap"] = money(params["cap"])
    if "category" in params:
        params["category"] = label(params["category"])
    if "items" in params:
        params["items"] = "; ".join(params["items"])
    msgid = MESSAGES[(check_dict["code"], check_dict["ok"])]
    if gettext is None:
        return msgid % params
    return gettext(msgid, **params)
