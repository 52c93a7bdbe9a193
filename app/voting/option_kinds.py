"""What a round's options are: micro-matters, or a kind a feature above plugs in.

A micro-matter is voting's own option (`RoundOption.matter_id`). A feature above adds its kind with
`add_kind(kind, handler)` (app.conventions: the council's adopted amendments, put to the residents
by a yes/no round); the round keeps the kind (`VotingRound.option_kind`) and each option the id of
the feature's row (`RoundOption.subject_id`). Such a round has no budget and its options cost 0.
Ballots, secrecy, receipts, paper sessions and the count are the same for every kind; the handler
says what an option is called and where it is read, checks it when the round opens, and decides
its rows when the round is counted."""

from flask import url_for

MATTER = "matter"


class OptionKind:
    """What voting needs to know about options that are not micro-matters."""

    def ballot_title(self, community, subject_id) -> str:
        """The option's title on the ballot, or a refusal (DomainError) when it may not be put to
        the residents now."""
        raise NotImplementedError

    def url(self, option) -> str:
        """Where residents read the option in full."""
        raise NotImplementedError

    def opened(self, voting_round, actor):
        """The round is opened on these options (inside the opening transaction)."""

    def counted(self, voting_round, outcome, actor):
        """The round is counted (inside the count's transaction): `outcome.winners` are the option
        numbers the residents approved; an outcome that is not valid decides nothing."""
        raise NotImplementedError


_KINDS: dict[str, OptionKind] = {}


def add_kind(kind, handler):
    """Process-wide, like the councils' subjects: a second registration of a kind is ignored."""
    _KINDS.setdefault(kind, handler)


def handler(kind):
    """The plugged-in kind's handler; None for micro-matters."""
    return None if kind == MATTER else _KINDS[kind]


def option_url(option):
    """Where an option of a ballot or a result is read (a template global)."""
    if option.matter_id is not None:
        return url_for("matters.detail", slug=option.round.community.slug, matter_id=option.matter_id)
    return _KINDS[option.round.option_kind].url(option)
