"""The results page's numbers, in the shape the template shows them (a table, a chart, the
plain-language explanation of the rule)."""

from fractions import Fraction

from flask_babel import format_decimal

from . import charts, counting
from .models import Allocation, Method
from .paper import Reconciliation, spoilt_ballots


def yuan(value):
    """Yuan with two decimals for shares and payments (budgets themselves are whole yuan)."""
    return format_decimal(float(Fraction(value)), format="#,##0.00")


def results_view(voting_round):
    result = voting_round.result
    explanation = result.explanation or {}
    winners = list(result.winners)
    ballots = result.ballots_counted
    paid = {p["number"]: p for p in explanation.get("paid", [])}
    decisions = explanation.get("decisions", {})
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
