"""What a notice can publish, and the facts it freezes from the record.

Each kind of notice has a `Source`: how to find the record in a community, which
records can be published now, and `describe(record)` -> a `Publication` (title,
facts, the online record's path, the micro-matters it concerns). Facts are stored
as data (message ids and values), so a notice reads in Chinese and in English and
still says exactly what the record said when it was published:

    {"summary": {"msgid": "...", "params": {...}},
     "rows": [{"label": msgid, "value": ..., "type": "text|int|money|percent|date|msgid"}],
     "table": {"columns": [msgid, ...], "types": [...], "rows": [[...], ...]}}   # optional
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as translate  # stored message ids (not literals to extract)

from app.core.i18n import money
from app.extensions import db

SOURCES = {}


@dataclass
class Publication:
    title: object  # a string or msg(...): the suggested title, in the publisher's language
    facts: dict
    record_path: str
    matters: list = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    kind: str
    model: object  # the record's model
    publishable: object  # (community) -> a select of the records that may be published now
    newest_first: object  # the column that lists the candidates, newest first
    label: object  # (record) -> how the committee's chooser names it
    describe: object  # (record) -> Publication

    def load(self, community, ref_id):
        """The publishable record with this id in the community, or None."""
        return db.session.scalar(self.publishable(community).where(self.model.id == ref_id))

    def candidates(self, community):
        """[(ref_id, label)] of the records that may be published now, newest first."""
        records = db.session.scalars(self.publishable(community).order_by(self.newest_first.desc())).all()
        return [(record.id, self.label(record)) for record in records]


def register(source):
    SOURCES[source.kind] = source
    return source


def row(label, value, type_="text"):
    return {"label": label, "value": value, "type": type_}


def msg(msgid, **params):
    return {"msgid": msgid, "params": params}


def typed(value, type_):
    """A message parameter formatted when shown (money, date, a message id, ...)."""
    return {"value": value, "type": type_}


def _param(value):
    if isinstance(value, dict) and "type" in value:
        return format_value(value["value"], value["type"])
    if isinstance(value, dict) and "msgid" in value:
        return _translate(value)
    return value


def _translate(value):
    if isinstance(value, dict):
        params = {k: _param(v) for k, v in (value.get("params") or {}).items()}
        return translate(value["msgid"], **params)
    return translate(value) if value else ""


def text(value):
    """A message (a string, or {"msgid", "params"}) in the current language."""
    return _translate(value) if isinstance(value, dict) else (value or "")


def format_value(value, type_):
    """One fact's value as shown to the reader, in the current language."""
    if value is None:
        return "—"
    if type_ == "money":
        return money(value)
    if type_ == "percent":
        return f"{value}%"
    if type_ == "date":
        return format_date(date.fromisoformat(value), "long") if isinstance(value, str) else value
    if type_ == "msgid":
        return _translate(value)
    return str(value)


def rendered(facts):
    """The facts ready for a template: summary sentence, labelled rows, an optional table."""
    facts = facts or {}
    table = facts.get("table")
    out_table = None
    if table:
        out_table = {
            "columns": [translate(c) for c in table["columns"]],
            "types": table["types"],
            "rows": [[format_value(v, t) for v, t in zip(r, table["types"], strict=False)] for r in table["rows"]],
        }
    return {
        "summary": _translate(facts["summary"]) if facts.get("summary") else "",
        "rows": [(translate(r["label"]), format_value(r["value"], r["type"])) for r in facts.get("rows", [])],
        "table": out_table,
    }


def as_text(facts):
    """The facts as plain text (API, feed summaries)."""
    view = rendered(facts)
    lines = [view["summary"]] if view["summary"] else []
    lines += [f"{label}: {value}" for label, value in view["rows"]]
    if view["table"]:
        lines.append(" | ".join(view["table"]["columns"]))
        lines += [" | ".join(str(c) for c in r) for r in view["table"]["rows"]]
    return "\n".join(lines)
