"""Round result notices (投票结果公示): a resident voting round that has been counted."""

from sqlalchemy import select

from app.core import clock
from app.core.i18n import N_
from app.core.urls import path_for
from app.voting import option_kinds
from app.voting.models import Allocation, Method, RoundResult, VotingRound

from .models import NoticeKind
from .sources import Publication, Source, msg, row, typed

# The notice's own wording (its catalog), so a printed notice never shows an untranslated label.
METHODS = {
    Method.YES_NO: N_("Yes or no on each project"),
    Method.APPROVAL: N_("Approval voting: choose up to a number of projects"),
    Method.KNAPSACK: N_("Budget ballot: choose projects within the budget"),
}
ALLOCATIONS = {
    Allocation.GREEDY: N_("Most votes first, while the budget lasts (greedy)"),
    Allocation.MES: N_("Method of Equal Shares, completed by raising the shares 1 yuan at a time (equalshares/add1)"),
}
FUNDED = {True: N_("Funded"), False: N_("Not funded in this round")}
VALIDITY = {True: N_("Valid"), False: N_("Not valid: turnout below the minimum")}
PASSED = {True: N_("Passed"), False: N_("Not passed")}
NOT_DECIDED = N_("Not decided")


def _counted(community):
    return (
        select(VotingRound)
        .join(RoundResult, RoundResult.round_id == VotingRound.id)
        .where(VotingRound.community_id == community.id)
    )


def _label(voting_round):
    return f"{voting_round.title} ({clock.local_date(voting_round.result.counted_at).isoformat()})"


def describe(voting_round):
    result = voting_round.result
    winners = list(result.winners)
    yes_no = voting_round.method == Method.YES_NO
    # Options of a plugged-in kind (amendments of the convention, ...) have no cost and no budget.
    projects = voting_round.option_kind == option_kinds.MATTER
    rows = [
        row(N_("Voting round"), voting_round.title),
        row(N_("Method"), METHODS.get(voting_round.method, voting_round.method), "msgid"),
    ]
    if not yes_no:
        rows.append(
            row(N_("Allocation rule"), ALLOCATIONS.get(voting_round.allocation, voting_round.allocation), "msgid")
        )
    if voting_round.method == Method.APPROVAL and voting_round.max_choices:
        rows.append(row(N_("Projects each voter may choose"), voting_round.max_choices, "int"))
    if projects:
        rows.append(row(N_("Budget"), voting_round.budget, "money"))
    rows += [
        row(N_("Voting opened"), clock.local_date(voting_round.opens_at).isoformat(), "date"),
        row(N_("Voting closed"), clock.local_date(voting_round.closes_at).isoformat(), "date"),
        row(N_("Eligible voters"), result.electorate, "int"),
        row(N_("Ballots counted"), result.ballots_counted, "int"),
        row(N_("Turnout"), result.turnout_percent, "percent"),
        row(N_("Minimum turnout"), result.min_turnout_percent, "percent"),
        row(N_("Validity"), VALIDITY[result.valid], "msgid"),
        row(N_("Online ballots"), result.online_ballots, "int"),
        row(N_("Paper ballots"), result.paper_ballots, "int"),
    ]
    if projects:
        rows.append(row(N_("Total cost of the chosen projects"), result.total_cost, "money"))
    rows += [
        row(N_("Consultation rules version"), result.ruleset_version, "int"),
        row(N_("Fingerprint of the published ballots (SHA-256)"), result.published_sha256 or None),
    ]
    columns = [N_("No."), N_("Project") if projects else N_("Proposal")]
    types = ["int", "text"]
    if projects:
        columns.append(N_("Cost"))
        types.append("money")
    columns.append(N_("Yes") if yes_no else N_("Votes"))
    types.append("int")
    if yes_no:
        columns += [N_("No"), N_("Abstain")]
        types += ["int", "int"]
    columns.append(N_("Result"))
    types.append("msgid")
    table_rows = []
    for option in voting_round.options:
        key = str(option.number)
        cells = [option.number, option.title, *([option.cost] if projects else []), result.votes.get(key, 0)]
        if yes_no:
            cells += [result.no_votes.get(key, 0), result.abstentions.get(key, 0)]
        cells.append((PASSED if yes_no else FUNDED)[option.number in winners] if result.valid else NOT_DECIDED)
        table_rows.append(cells)
    if result.valid:
        chosen = {
            "ballots": result.ballots_counted,
            "round": voting_round.title,
            "n": len(winners),
            "options": len(voting_round.options),
        }
        if projects:
            summary = msg(
                N_(
                    "%(ballots)s residents voted in “%(round)s”: %(n)s of %(options)s projects were chosen, "
                    "costing %(cost)s of the %(budget)s budget."
                ),
                **chosen,
                cost=typed(result.total_cost, "money"),
                budget=typed(voting_round.budget, "money"),
            )
        else:
            summary = msg(
                N_("%(ballots)s residents voted in “%(round)s”: %(n)s of %(options)s proposals were approved."),
                **chosen,
            )
    else:
        summary = msg(
            N_(
                "“%(round)s” is not valid: turnout %(turnout)s below the required %(min)s. No project is "
                "approved; the projects are back on the agenda list."
            )
            if projects
            else N_("“%(round)s” is not valid: turnout %(turnout)s below the required %(min)s. Nothing is approved."),
            round=voting_round.title,
            turnout=typed(result.turnout_percent, "percent"),
            min=typed(result.min_turnout_percent, "percent"),
        )
    return Publication(
        title=msg(N_("Results of the residents' vote: %(title)s"), title=voting_round.title),
        facts={"summary": summary, "rows": rows, "table": {"columns": columns, "types": types, "rows": table_rows}},
        record_path=path_for("voting.results", slug=voting_round.community.slug, round_id=voting_round.id),
        matters=[option.matter for option in voting_round.options if option.matter is not None],
    )


SOURCE = Source(NoticeKind.ROUND, VotingRound, _counted, RoundResult.counted_at, _label, describe)
