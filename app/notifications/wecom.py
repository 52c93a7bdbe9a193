"""A community's WeCom (企业微信) group robot: new notices, meeting notices and published results are
posted to the community's work group as text with the link.

The committee sets the robot's webhook on the community's settings page (app/communities). Posts are
queued as Outbox rows (channel "wecom") in the transaction of the event and sent by the worker only
(`flask --app wsgi outbox send`), never inside a web request. The webhook URL holds the robot's key,
a secret: it is read from the community's settings when sending (never copied into the outbox), shown
masked, and neither the API, the audit log nor the log ever carries it.
"""

import ipaddress
import json
import re
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.errors import FieldError
from app.core.i18n import N_, render_message
from app.core.urls import absolute_url
from app.extensions import db

from .models import GroupWebhook, Outbox, OutboxChannel
from .outbox import Hold, Undeliverable

WECOM_HOST = "qyapi.weixin.qq.com"
WECOM_PATH = "/cgi-bin/webhook/send"
_KEY = re.compile(r"^[0-9A-Za-z-]{8,64}$")  # WeCom gives a UUID
TEXT_LIMIT = 2000  # WeCom takes at most 2048 bytes of text content: cut well before
# A decision of the council on a micro-matter (the other events post the message their notification has).
COUNCIL_DECIDED = N_("The council decided on “%(title)s”: %(status)s.")
# errcode values worth another try later: the robot's 20 messages a minute, WeCom's own trouble.
RETRY_ERRCODES = {-1, 45009}


def _loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url, allow_loopback=False):
    """The webhook URL as it will be used, or FieldError("url"): in production only WeCom's own address
    https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…; with WECOM_ALLOW_LOOPBACK (tests) also any
    address on this machine."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if allow_loopback and parts.scheme in ("http", "https") and _loopback(parts.hostname or ""):
        return url
    key = parse_qs(parts.query).get("key", [""])
    if (
        parts.scheme != "https"
        or parts.netloc != WECOM_HOST
        or parts.path != WECOM_PATH
        or len(key) != 1
        or not _KEY.match(key[0])
        or set(parse_qs(parts.query)) != {"key"}
        or parts.fragment
    ):
        raise FieldError(
            "url",
            _l(
                "Please paste the group robot's webhook address as WeCom shows it: "
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
            ),
        )
    return url


def masked(url):
    """The address with all but the last 4 characters of its key hidden."""
    parts = urlsplit(url or "")
    key = parse_qs(parts.query).get("key", [""])[0]
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return f"{base}?key=****{key[-4:]}" if key else f"{base}?****"


def webhook_of(community_id):
    return db.session.scalar(select(GroupWebhook).where(GroupWebhook.community_id == community_id))


def store(community_id, url, actor):
    """Set (or replace) the community's robot in the caller's transaction; True when it changed."""
    url = check_url(url, current_app.config.get("WECOM_ALLOW_LOOPBACK", False))
    row = webhook_of(community_id)
    if row is not None and row.url == url:
        return False
    if row is None:
        row = GroupWebhook(community_id=community_id, url=url)
        db.session.add(row)
    row.url, row.set_by_id, row.set_at = url, getattr(actor, "id", None), clock.utcnow()
    return True


def clear(community_id):
    """Remove the community's robot in the caller's transaction; True when there was one."""
    row = webhook_of(community_id)
    if row is None:
        return False
    db.session.delete(row)
    return True


# ---------------------------------------------------------------- posting


def announce(community, message, link="", **params):
    """Queue a post of `message` (an N_() message id with its %(name)s params) and the absolute `link`
    to the community's work group, in the caller's transaction; nothing when it has no robot.

    Called once per event, where the event happens: a notice published, a meeting scheduled, a round's
    results published, a council decision."""
    if webhook_of(community.id) is None:
        return None
    locale = current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_Hans")  # the group's language
    with force_locale(locale):
        text = f"【{community.name}】{render_message(message, params)}"
    url = absolute_url(link)
    text = text[: TEXT_LIMIT - len(url) - 1] + (f"\n{url}" if url else "")
    row = Outbox(
        channel=OutboxChannel.WECOM,
        community_id=community.id,
        to_address="",
        subject="",
        body=text,
        locale=locale,
    )
    db.session.add(row)
    return row


class WeComTransport:
    """Posts the outbox's group messages to each community's robot (msgtype "text")."""

    name = "wecom"

    def __init__(self, config):
        self.timeout = float(config.get("WECOM_TIMEOUT") or 10)
        self.allow_loopback = config.get("WECOM_ALLOW_LOOPBACK", False)
        self.urls = {}

    def hold(self, row, session):
        hook = session.scalar(select(GroupWebhook).where(GroupWebhook.community_id == row.community_id))
        if hook is None:
            return Hold("the community's group robot was removed")
        self.urls[row.id] = hook.url
        return None

    def send(self, row):
        url = self.urls.pop(row.id)
        try:
            url = check_url(url, self.allow_loopback)  # stored before a stricter setting: checked again
        except FieldError as error:
            raise Undeliverable("the webhook address is not WeCom's") from error
        body = json.dumps({"msgtype": "text", "text": {"content": row.body}}, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310  # nosec B310 (check_url allows http(s) only)
            url, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310  # nosec B310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            # The key is in the URL: name the status only, never the address.
            if error.code >= 500 or error.code == 429:
                raise RuntimeError(f"HTTP {error.code} from the group robot") from None
            raise Undeliverable(f"HTTP {error.code} from the group robot") from None
        except urllib.error.URLError as error:
            raise RuntimeError(f"group robot unreachable: {error.reason}") from None
        code = answer.get("errcode", 0)
        if code == 0:
            return
        problem = f"errcode {code}: {answer.get('errmsg', '')}"[:300]
        if code in RETRY_ERRCODES:
            raise RuntimeError(problem)
        raise Undeliverable(problem)

    def close(self):
        self.urls.clear()


def make_transport(config=None):
    return WeComTransport(config or current_app.config)
