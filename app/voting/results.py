"""The results page's numbers, in the shape the template shows them (a table, a chart, the
plain-language explanation of the rule), each project's reason in words, and "where my share went".

Where a ballot's share went, without breaking ballot secrecy (app/core/secrecy.py): after the
count nothing links a voter to a ballot, and the receipt page shows the choices only once, from
the voter's own session. So the explanation is computed from choices the resident enters again
(ticks on the results page, from memory or the receipt page they kept on their own device), in
one POST that stores and logs nothing (share_of). It replays the shares recorded from the
count's own run (explanation["paid"]: the final share, then for each funded project in order the
most any supporter paid): a supporter pays that price, or what they had left if less, which is
exactly what the run charged. Anyone may ask about any set of choices: the answer says what a
ballot with those choices paid, and reveals nothing that the published ballots don't."""

from fractions import Fraction

from flask import g
from flask_babel import format_currency, format_decimal, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from app.core import spreadsheet
from app.core.i18n import money
from app.extensions import db
from app.matters.lifecycle import Status

from . import charts, counting, tally
from .models import Allocation, Method, RoundOption, RoundResult
from .paper import Reconciliation, spoilt_ballots


def yuan(value):
    """Yuan with two decimals for shares and payments (budgets themselves are whole yuan)."""
    return format_decimal(float(Fraction(value)), format="#,##0.00")


def amount(value):
    """An amount of the run (a fraction of a yuan in MES) as money: whole yuan when it is whole."""
    value = Fraction(value)
    if value.denominator == 1:
        return money(int(value))
    return format_currency(float(value), "CNY", format="¤#,##0.00", currency_digits=False)


def reason_text(reason):
    """One project's reason (a code with the run's numbers, app/voting/tally.py) in plain words."""
    code = reason.get("code")
    if code == tally.NOT_VALID:
        return _("The round is not valid: the turnout was below the minimum.")
    if code == tally.NO_VOTES:
        return _("Nobody chose it.")
    if code == tally.GREEDY_FUNDED:
        return _("Its turn came in order of votes, with %(left)s left.", left=amount(reason["left"]))
    if code == tally.GREEDY_NO_ROOM:
        return _(
            "When its turn came in order of votes, the remaining budget %(left)s was too small; it needed %(cost)s.",
            left=amount(reason["left"]),
            cost=amount(reason["cost"]),
        )
    if code == tally.MES_FUNDED:
        return ngettext(
            "Its %(num)s supporter's share covered %(paid)s.",
            "Its %(num)s supporters' shares covered %(paid)s.",
            reason["payers"],
            paid=amount(reason["paid"]),
        )
    if code == tally.MES_SHORT:
        return ngettext(
            "Its %(num)s supporter had %(left)s left; it needed %(cost)s.",
            "Its %(num)s supporters had %(left)s left between them; it needed %(cost)s.",
            reason["supporters"],
            left=amount(reason["left"]),
            cost=amount(reason["cost"]),
        )
    if code == tally.MES_FUNDED_UNDETAILED:
        return _("Its supporters' equal shares covered its cost.")
    return _("Its supporters' equal shares could not cover its cost.")


def reasons(voting_round):
    """{option number: reason in words} from the stored result; empty for results counted before
    reasons were stored (and for yes/no rounds, whose decisions the table shows)."""
    stored = (voting_round.result.explanation or {}).get("reasons") or {}
    return {int(number): reason_text(reason) for number, reason in stored.items()}


def share_of(voting_round, numbers):
    """What a ballot with these choices (option numbers) paid for, from the stored run: a list of
    {"option", "funded", "paid" (MES, None otherwise), "reason"}, and what was left of its share
    (MES; None otherwise). Nothing is stored or logged (see the module docstring)."""
    result = voting_round.result
    explanation = result.explanation or {}
    words = reasons(voting_round)
    chosen = {o.number: o for o in voting_round.options if o.number in set(numbers)}
    mes = voting_round.allocation == Allocation.MES and result.valid and "final_share" in explanation
    left = Fraction(explanation["final_share"]) if mes else None
    paid = {}
    for step in explanation.get("paid", []) if mes else []:
        if step["number"] in chosen:
            paid[step["number"]] = min(left, Fraction(step["max_payment"]))
            left -= paid[step["number"]]
    winners = set(result.winners)
    lines = [
        {
            "option": option,
            "funded": number in winners,
            "paid": amount(paid[number]) if number in paid else None,
            "reason": words.get(number, ""),
        }
        for number, option in sorted(chosen.items())
    ]
    return lines, (amount(left) if mes else None)


def outcome_label(voting_round, row):
    """The round's outcome for one project: an unfunded project is "not funded in this round",
    not "rejected" (it may come back in a later round)."""
    if not voting_round.result.valid:
        return _("Not decided: the round is not valid")
    if row["funded"]:
        return _("Funded")
    if voting_round.method == Method.YES_NO and row.get("passed"):
        return _("Passed, but not funded: the budget ran out")
    if voting_round.method == Method.YES_NO:
        return _("Not passed")
    return _("Not funded in this round")


def not_funded_in_a_round(matters):
    """Ids of these micro-matters that a counted, valid round did not fund: their status reads
    "rejected", but what happened is that they were not funded in that round."""
    known = g.setdefault("_not_funded", {})  # matter id -> bool, for the request: a list asks once
    ids = [m.id for m in matters if m.status == Status.REJECTED and m.id not in known]
    if ids:
        known.update(dict.fromkeys(ids, False))
        rows = db.session.execute(
            select(RoundOption.matter_id, RoundOption.number, RoundResult.winners)
            .join(RoundResult, RoundResult.round_id == RoundOption.round_id)
            .where(RoundOption.matter_id.in_(ids), RoundResult.valid.is_(True))
        )
        known.update({matter_id: True for matter_id, number, winners in rows if number not in winners})
    return {m.id for m in matters if m.status == Status.REJECTED and known.get(m.id)}


def results_table_csv(voting_round):
    """The results table as CSV (app/core/spreadsheet.py): one row per project, with its reason."""
    yes_no = voting_round.method == Method.YES_NO
    number, project, cost, result, reason = _("No."), _("Project"), _("Cost"), _("Result"), _("Reason")
    counts = {_("Yes"): "votes", _("No"): "no", _("Abstain"): "abstain"} if yes_no else {_("Votes"): "votes"}
    rows = [
        {
            number: row["option"].number,
            project: row["option"].title,
            cost: row["option"].cost,
            **{column: row[key] for column, key in counts.items()},
            result: row["outcome"],
            reason: row["reason"],
        }
        for row in results_view(voting_round)["rows"]
    ]
    return spreadsheet.csv_text([number, project, cost, *counts, result, reason], rows)


def results_view(voting_round):
    result = voting_round.result
    explanation = result.explanation or {}
    winners = list(result.winners)
    ballots = result.ballots_counted
    paid = {p["number"]: p for p in explanation.get("paid", [])}
    decisions = explanation.get("decisions", {})
    words = reasons(voting_round)
    rows = []
    for option in voting_round.options:
        key = str(option.number)
        votes = result.votes.get(key, 0)
        row = {
            "option": option,
            "votes": votes,
            "percent": round(100 * votes / ballots, 1) if ballots else 0.0,
            "funded": option.number in winners,
            "position": winners.index(option.number) + 1 if option.number in winners else None,
            "reason": words.get(option.number),
        }
        if voting_round.method == Method.YES_NO:
            decision = decisions.get(key, {})
            row.update(
                no=result.no_votes.get(key, 0),
                abstain=result.abstentions.get(key, 0),
                base=decision.get("base", 0),
                needed=decision.get("needed", 0),
                passed=decision.get("passed", False),
                majority=decision.get("majority", False),
            )
        if option.number in paid:
            p = paid[option.number]
            row["paid"] = dict(p, max_payment=yuan(p["max_payment"]))
        row["outcome"] = outcome_label(voting_round, row)
        rows.append(row)
    if voting_round.method == Method.YES_NO:
        chart = charts.stacked_chart(
            [
                {
                    "label": f"{r['option'].number}. {r['option'].title}",
                    "yes": r["votes"],
                    "no": r["no"],
                    "abstain": r["abstain"],
                }
                for r in rows
            ]
        )
    else:
        chart = charts.bar_chart(
            [
                {"label": f"{r['option'].number}. {r['option'].title}", "value": r["votes"], "highlight": r["funded"]}
                for r in rows
            ]
        )
    view = {
        "rows": rows,
        "chart": chart,
        "winners": [r for r in sorted((r for r in rows if r["funded"]), key=lambda r: r["position"])],
        "left": voting_round.budget - result.total_cost,
        "explanation": explanation,
        "reconciliation": Reconciliation(
            result.online_ballots,
            result.paper_ballots,
            result.marked_online,
            result.marked_in_person,
            spoilt_ballots(voting_round),
        ),
        "budget_percent": round(100 * result.total_cost / voting_round.budget, 1) if voting_round.budget else 0,
        "has_pb": counting.has_pb(voting_round),
    }
    if voting_round.method != Method.YES_NO and voting_round.allocation == Allocation.MES:
        view["share"] = yuan(explanation.get("share", "0"))
        view["final_share"] = yuan(explanation.get("final_share", explanation.get("share", "0")))
        view["raised"] = Fraction(explanation.get("final_share", explanation.get("share", "0"))) > Fraction(
            explanation.get("share", "0")
        )
    if voting_round.method != Method.YES_NO and voting_round.allocation == Allocation.GREEDY:
        by_number = {o.number: o for o in voting_round.options}
        view["order"] = [
            dict(step, option=by_number[step["number"]], votes=result.votes.get(str(step["number"]), 0))
            for step in explanation.get("order", [])
        ]
    return view
