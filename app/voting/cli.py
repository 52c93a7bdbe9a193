"""`flask --app wsgi tally verify ROUND_ID` and `flask --app wsgi tally count-due`."""

import click
from flask.cli import AppGroup

from app.core.service import get_row

tally_cli = AppGroup("tally", help="Voting rounds: verify a published count, count closed rounds.")


@tally_cli.command("verify")
@click.argument("round_id", type=int)
def verify_command(round_id):
    """Recompute ROUND_ID from its published ballots; exit 1 when it does not match the site."""
    from .counting import verify_round
    from .models import VotingRound

    voting_round = get_row(VotingRound, round_id)
    if voting_round is None:
        click.echo(f"no round {round_id}", err=True)
        raise SystemExit(2)
    if voting_round.result is None:
        click.echo(f"round {round_id} has not been counted yet", err=True)
        raise SystemExit(2)
    report = verify_round(voting_round)
    outcome = report.outcome
    click.echo(
        f"round {round_id}: {outcome.ballots} ballots, electorate {outcome.electorate}, "
        f"method {outcome.method}/{outcome.allocation}"
    )
    click.echo(f"recomputed winners: {outcome.winners} (total cost {outcome.total_cost})")
    click.echo(f"published winners:  {list(voting_round.result.winners)} (total cost {voting_round.result.total_cost})")
    if report.match:
        click.echo("match")
        return
    for problem in report.problems:
        click.echo(f"  - {problem}", err=True)
    click.echo("mismatch")
    raise SystemExit(1)


@tally_cli.command("count-due")
def count_due_command():
    """Count every round whose window has closed (for a daily cron job)."""
    from .counting import count_due

    counted = count_due()
    for voting_round in counted:
        click.echo(f"counted round {voting_round.id}: {voting_round.title}")
    click.echo(f"{len(counted)} rounds counted")
