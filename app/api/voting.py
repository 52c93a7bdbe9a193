"""Residents' voting rounds in the open data: each round with its options and, once counted, its
result and the rules it applied, and the counted ballots from the box (a random id and the choices,
nothing about who cast them)."""

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.core.errors import refuse
from app.core.i18n import N_
from app.core.urls import absolute_url, path_for
from app.extensions import db
from app.voting import results as voting_results
from app.voting import tally
from app.voting.counting import counted_ballots_query
from app.voting.models import Allocation, Method, RoundBallot, RoundOption, RoundState, VotingRound

from .registry import AUDIT_HEAD_FIELD, SLUG, One, collection, id_param
from .routes import in_community, one_in
from .schema import Field, Resource, community_field, ids_field, url_field


def _result_value(mapping_name):
    def read(option):
        result = option.round.result
        if result is None:
            return None
        mapping = getattr(result, mapping_name) or {}
        if mapping_name != "votes" and option.round.method != "yes_no":
            return None
        return mapping.get(str(option.number), 0)

    return read


ROUND_OPTION = Resource(
    "RoundOption",
    "A micro-matter on the ballot (or, in a round of another kind, what it puts to the residents).",
    [
        Field("number", "integer", "Its number on the ballot (used in the published ballots).", minimum=1, example=1),
        Field("matter_id", "integer", "Null in a round of another kind.", nullable=True, minimum=1, example=7),
        Field("title", "string", "As it stood on the ballot.", example="3号楼单元门口加装扶手"),
        Field("cost", "integer", minimum=0, example=8000),
        Field(
            "votes",
            "integer",
            "Approvals, or yes votes; null until the count.",
            nullable=True,
            minimum=0,
            source=_result_value("votes"),
            example=123,
        ),
        Field(
            "no_votes",
            "integer",
            "No votes (yes/no rounds); null otherwise or until the count.",
            nullable=True,
            minimum=0,
            source=_result_value("no_votes"),
            example=None,
        ),
        Field(
            "abstentions",
            "integer",
            "Abstentions (yes/no rounds); null otherwise or until the count.",
            nullable=True,
            minimum=0,
            source=_result_value("abstentions"),
            example=None,
        ),
        Field(
            "funded",
            "boolean",
            "Chosen by the count; null until the count.",
            nullable=True,
            source=lambda o: None if o.round.result is None else o.number in o.round.result.winners,
            example=True,
        ),
        Field(
            "reason",
            "string",
            "Why it was funded or not, in English, from the allocation rule's own run; null until the "
            "count, for yes/no rounds and for rounds counted before reasons were kept.",
            nullable=True,
            source=lambda o: _option_reason(o),
            example="Its 8 supporters' shares covered ¥12,000.",
        ),
    ],
)


def _option_reason(option):
    if option.round.result is None:
        return None
    with force_locale("en"):
        return voting_results.reasons(option.round).get(option.number)


ROUND_RESULT = Resource(
    "RoundResult",
    "The count, stored once, with the rules version it applied.",
    [
        Field("counted_at", "string", format="date-time", example="2026-11-10T12:00:00Z"),
        Field("electorate", "integer", "Eligible voters (people, or households).", minimum=0, example=310),
        Field("ballots_counted", "integer", minimum=0, example=187),
        Field("online_ballots", "integer", minimum=0, example=170),
        Field("paper_ballots", "integer", minimum=0, example=17),
        Field("turnout_percent", "number", minimum=0, example=60.3),
        Field("winners", "array", "Option numbers, in the order they were funded.", items="integer", example=[2, 1]),
        Field("total_cost", "integer", minimum=0, example=180000),
        Field("ruleset_version", "integer", minimum=1, example=1),
        Field(
            "published_sha256",
            "string",
            "SHA-256 of the published pabulib file (.pb) of the ballots, or of the "
            "ballots CSV for a round without one (yes/no rounds, rounds that are not valid).",
            example="9f2c…",
        ),
        Field(
            "valid", "boolean", "False when the turnout was below the minimum: the round decided nothing.", example=True
        ),
        Field(
            "validity", "string", 'In words, e.g. "not valid: turnout 3.9 % below the required 10 %".', example="valid"
        ),
        Field(
            "min_turnout_percent",
            "integer",
            "The minimum turnout the rules required (every method).",
            minimum=0,
            maximum=100,
            example=10,
        ),
        Field(
            "rule",
            "string",
            "The rule applied: pabulib's label (greedy, equalshares/add1), or majority for yes/no rounds.",
            example="equalshares/add1",
        ),
        Field(
            "majority_rule", "string", "Yes/no rounds: the residents' majority applied.", nullable=True, example=None
        ),
        Field(
            "majority_base",
            "string",
            "Yes/no rounds: what the majority was counted against.",
            nullable=True,
            example=None,
        ),
    ],
)

ROUND = Resource(
    "Round",
    "A residents' voting round on micro-matters and the budget.",
    [
        Field("id", "integer", minimum=1, example=1),
        community_field(),
        Field("title", "string", example="2026年度微实事居民投票"),
        Field("description", "string", example=""),
        Field("method", "string", enum=tuple(Method), example="knapsack"),
        Field(
            "option_kind", "string", "What the options are: matter, or amendment (to the convention).", example="matter"
        ),
        Field(
            "allocation",
            "string",
            "How winners are chosen (approval and budget ballots).",
            enum=tuple(Allocation),
            example="greedy",
        ),
        Field(
            "max_choices",
            "integer",
            "Approval rounds: at most this many projects per ballot.",
            nullable=True,
            minimum=1,
            example=None,
        ),
        Field("budget", "integer", minimum=0, example=300000),
        Field("opens_at", "string", format="date-time", example="2026-11-01T00:00:00Z"),
        Field("closes_at", "string", format="date-time", example="2026-11-10T10:00:00Z"),
        Field("per_household", "boolean", "One ballot per household.", example=False),
        Field(
            "allow_changes", "boolean", "A ballot may be changed before the close (the last one counts).", example=True
        ),
        Field(
            "state",
            "string",
            enum=tuple(RoundState),
            source=lambda r: r.state(),
            example="counted",
        ),
        Field("ruleset_version", "integer", minimum=1, source=lambda r: r.ruleset.version, example=1),
        Field("options", "array", items=ROUND_OPTION, csv=False),
        Field("result", "object", resource=ROUND_RESULT, nullable=True, source=lambda r: _round_result(r)),
        url_field(lambda r: path_for("voting.ballot", slug=r.community.slug, round_id=r.id)),
        Field(
            "results_url",
            "string",
            format="uri",
            nullable=True,
            source=lambda r: (
                absolute_url(path_for("voting.results", slug=r.community.slug, round_id=r.id)) if r.result else None
            ),
            example="https://weiyi.example/c/xinglin/rounds/1/results",
        ),
        AUDIT_HEAD_FIELD,
    ],
    load=[
        joinedload(VotingRound.ruleset),
        joinedload(VotingRound.result),
        selectinload(VotingRound.options).joinedload(RoundOption.round),
    ],
)


def _round_result(voting_round):
    result = voting_round.result
    if result is None:
        return None
    return {
        "counted_at": result.counted_at,
        "electorate": result.electorate,
        "ballots_counted": result.ballots_counted,
        "online_ballots": result.online_ballots,
        "paper_ballots": result.paper_ballots,
        "turnout_percent": result.turnout_percent,
        "winners": list(result.winners),
        "total_cost": result.total_cost,
        "ruleset_version": result.ruleset_version,
        "published_sha256": result.published_sha256,
        "valid": result.valid,
        "validity": validity(result),
        "min_turnout_percent": result.min_turnout_percent,
        "rule": result.rule,
        "majority_rule": result.majority_rule,
        "majority_base": result.majority_base,
    }


def validity(result):
    """The result's validity as the API states it (English, like the rest of the data)."""
    if result.valid:
        return "valid"
    return f"not valid: turnout {result.turnout_percent} % below the required {result.min_turnout_percent} %"


def ballot_cells(method, choices):
    """(canonical text, options selected) of a stored ballot, read once: the published files' form
    ("1,3" or "1:yes,2:no", as app.voting.tally.canonical writes it) and the approved / yes options."""
    normal = tally.normalise(method, choices)
    if method == "yes_no":
        return ",".join(f"{n}:{a}" for n, a in normal), [n for n, a in normal if a == "yes"]
    return ",".join(map(str, normal)), list(normal)


BALLOT = Resource(
    "Ballot",
    "One counted ballot from the box: its random id and its choices, nothing about who cast it.",
    [
        Field(
            "id",
            "integer",
            "A random number given to the ballot in the box (the list is sorted by it); "
            "it is not the voter's receipt code.",
            minimum=1,
            example=4503599627370497,
        ),
        Field(
            "choices",
            "string",
            'As in the published files: "1,3" (option numbers) or "1:yes,2:no".',
            source=lambda b: ballot_cells(b.round.method, b.choices)[0],
            example="1,3",
        ),
        ids_field(
            "selected", "Options approved (or voted yes).", lambda b: ballot_cells(b.round.method, b.choices)[1], [1, 3]
        ),
    ],
)


ROUND_ID = id_param("round_id", "Number of the voting round.")


@collection(
    "/communities/{slug}/rounds",
    ROUND,
    tag="voting",
    params=[SLUG],
    summary=N_("Residents' voting rounds, newest first, with options and (once counted) results."),
    one=One("voting_round", ROUND_ID, N_("One voting round and its results.")),
)
def rounds(slug):
    return in_community(VotingRound, slug).order_by(VotingRound.id.desc())


def ballot_rows(statement):
    """Ballot id and choices straight from the rows (no ORM objects): flat memory for a million."""
    methods = {}
    rows = db.session.execute(
        statement.with_only_columns(RoundBallot.round_id, RoundBallot.id, RoundBallot.choices).execution_options(
            yield_per=2000
        )
    )
    for round_id, ballot_id, choices in rows:
        method = methods.get(round_id) or methods.setdefault(
            round_id, db.session.scalar(select(VotingRound.method).where(VotingRound.id == round_id))
        )
        text, selected = ballot_cells(method, choices)
        yield [ballot_id, text, ";".join(map(str, selected))]  # BALLOT.csv_columns() order


@collection(
    "/communities/{slug}/rounds/{round_id}/ballots",
    BALLOT,
    tag="voting",
    params=[SLUG, ROUND_ID],
    csv_rows=ballot_rows,
    summary=N_(
        "The counted ballots of a round from the ballot box (random id and choices, no voter), "
        "sorted by id; published once the round is counted."
    ),
)
def ballots(slug, round_id):
    found = one_in(VotingRound, slug, round_id)
    if found is None:
        refuse(404, _("Not found."))
    if found.result is None:
        refuse(404, _("The ballots are published once the round has been counted."))
    return counted_ballots_query(found)
