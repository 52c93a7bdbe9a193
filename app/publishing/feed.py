"""The Atom 1.0 feed of a community: decisions, notices and completions (built with xml.etree)."""

# We only build XML here; nothing is parsed (so no XML parsing attacks).
from xml.etree import ElementTree as ET  # nosec B405

from flask_babel import gettext as _

from app.audit.services import head
from app.core import clock
from app.core.urls import absolute_url, path_for

from . import sources

ATOM = "http://www.w3.org/2005/Atom"
# Our own Atom extension element: <weiyi:audit-head entries="N" hash="…"/> for programs keeping copies.
WEIYI = "urn:weiyi:audit"


def _stamp(moment):
    return moment.replace(microsecond=0).isoformat() + "Z"


def _sub(parent, tag, text=None, namespace=ATOM, **attrs):
    element = ET.SubElement(parent, f"{{{namespace}}}{tag}", {k.rstrip("_"): v for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def _entry_content(event, slug):
    kind = event["type"]
    if kind == "notice":
        notice = event["notice"]
        return (
            _("Notice: %(title)s", title=notice.title),
            path_for("publishing.notice", slug=slug, notice_id=notice.id),
            sources.as_text(notice.facts) + "\n" + _("Objections until %(end)s.", end=notice.period_end.isoformat()),
        )
    matter = event["matter"]
    path = path_for("matters.detail", slug=slug, matter_id=matter.id)
    if event["action"] == "matter.approve":
        title = _("Approved: %(title)s", title=matter.title)
        summary = _("“%(title)s” was approved.", title=matter.title)
    elif event["action"] == "matter.reject":
        title = _("Rejected: %(title)s", title=matter.title)
        summary = _("“%(title)s” was rejected.", title=matter.title)
    else:
        title = _("Completed: %(title)s", title=matter.title)
        summary = _("“%(title)s” was completed and accepted.", title=matter.title)
    budget = (event.get("data") or {}).get("budget")
    if isinstance(budget, int):
        summary += " " + _("Budget: %(amount)s yuan.", amount=budget)
    return title, path, summary


def build_feed(community, events):
    ET.register_namespace("", ATOM)
    ET.register_namespace("weiyi", WEIYI)
    self_path = path_for("publishing.atom_feed", slug=community.slug)
    home_path = path_for("publishing.results", slug=community.slug)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", absolute_url(self_path))
    _sub(feed, "title", _("%(community)s: decisions, notices and completions", community=community.name))
    updated = max((e["at"] for e in events), default=community.created_at or clock.now())
    _sub(feed, "updated", _stamp(updated))
    author = _sub(feed, "author")
    _sub(author, "name", _("Residents' committee of %(community)s", community=community.name))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=absolute_url(self_path))
    _sub(feed, "link", rel="alternate", type="text/html", href=absolute_url(home_path))
    _sub(feed, "generator", "Weiyi")
    # The audit log's head when the feed was made: feed readers and archives keep witnesses of it.
    current = head()
    _sub(
        feed,
        "subtitle",
        _(
            "Audit log when this feed was made: %(entries)s entries, head %(token)s",
            entries=current.entries,
            token=current.token,
        ),
        type_="text",
    )
    _sub(feed, "audit-head", namespace=WEIYI, entries=str(current.entries), hash=current.hash)
    for event in events:
        title, path, summary = _entry_content(event, community.slug)
        entry = _sub(feed, "entry")
        _sub(entry, "id", absolute_url(path) + "#" + event["key"])
        _sub(entry, "title", title)
        _sub(entry, "updated", _stamp(event["at"]))
        _sub(entry, "link", rel="alternate", type="text/html", href=absolute_url(path))
        _sub(entry, "summary", summary, type_="text")
        _sub(entry, "category", term=event["type"])
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8", xml_declaration=False)
