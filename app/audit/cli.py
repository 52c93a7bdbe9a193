import click
from flask.cli import AppGroup

from .services import check, head, parse_head

audit_cli = AppGroup("audit", help="Audit log tools.")


class PublishedHead(click.ParamType):
    name = "COUNT:HASH"

    def convert(self, value, param, ctx):
        try:
            return parse_head(value)
        except ValueError as error:
            self.fail(str(error), param, ctx)


@audit_cli.command("verify")
@click.option(
    "--head",
    "heads",
    type=PublishedHead(),
    multiple=True,
    help="A head published earlier (on a notice, in the feed or the API): the log must still "
    "contain it. Repeat with older heads to narrow down where a rewrite happened.",
)
def verify_command(heads):
    """Check the hash chain; exit 1 and name the entries when anything was edited or deleted."""
    report = check(heads=heads)
    for note in report.notes:
        click.echo(note)
    if report.problems:
        for problem in report.problems:
            click.echo(problem, err=True)
        raise SystemExit(1)
    signed = f", {report.signed} signed with AUDIT_KEY" if report.keyed else ""
    click.echo(f"audit log intact: {report.entries} entries{signed}")


@audit_cli.command("head")
def head_command():
    """Print the current head (COUNT:HASH), e.g. to keep a copy somewhere else."""
    click.echo(head().token)
