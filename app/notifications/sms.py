"""SMS notifications: residents' numbers (given with consent), the texts per kind of message, the
limits, and the provider behind an interface with one real adapter, Aliyun SMS (dysmsapi SendSms).

A message is queued as an Outbox row (channel "sms") in the transaction of the change and sent by
the worker only (`flask --app wsgi outbox send`): SMS never leaves inside a web request. Chinese
providers send only texts registered with them beforehand (模板), each with a template code; the
texts to register are in TEMPLATES, their codes come from SMS_TEMPLATES (README, Configuration).
"""

import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol
from urllib.parse import quote, urlencode, urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from app.audit.services import record
from app.core import clock
from app.core.errors import FieldError
from app.core.i18n import render_message
from app.core.service import commit, rolls_back
from app.core.urls import absolute_url
from app.extensions import db

from .models import Outbox, OutboxChannel, OutboxStatus, SmsNumber
from .outbox import Hold, Undeliverable

log = logging.getLogger("weiyi.sms")

# Mainland mobile numbers: 11 digits from 13x to 19x; +86 / 86 / spaces / dashes are dropped.
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_NOISE = re.compile(r"[\s\-()]")
TEXT_LIMIT = 40  # characters of the notification in ${text}: with the fixed words, one 70-character SMS

# The texts to register with the provider, one per kind of message (the kinds of the notification
# preferences; anything else uses "general"). ${text} is the notification, ${url} its page. The
# provider puts the signature (SMS_SIGN_NAME, e.g. 【微议】) in front. Stored, not translated: the
# provider accepts only these texts, in Chinese.
TEMPLATES = {
    "general": "${text} 详情：${url}",
    "mine": "您提出的微实事有新进展：${text} 详情：${url}",
    "following": "您附议或关注的微实事有新进展：${text} 详情：${url}",
    "meetings": "议事会会议通知：${text} 详情：${url}",
    "rounds": "居民投票：${text} 详情：${url}",
    "ratings": "满意度评价：${text} 详情：${url}",
}

# Provider error codes worth another try later (throttling, the provider's own trouble); any other
# refusal (a wrong number, an unknown template, a missing signature) will not change by retrying.
ALIYUN_RETRY_CODES = {"isv.BUSINESS_LIMIT_CONTROL", "isp.SYSTEM_ERROR", "isp.RAM_PERMISSION_DENY", "Throttling"}


# ---------------------------------------------------------------- residents' numbers


def normalise(phone):
    """The number as the provider wants it (11 digits), or None when it is not a mainland mobile number."""
    digits = _NOISE.sub("", phone or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
    return digits if _MOBILE.match(digits) else None


def masked(phone):
    """138****5678: enough for its owner to recognise it on a page."""
    return f"{phone[:3]}****{phone[-4:]}" if phone else ""


def number_of(user):
    return db.session.scalar(select(SmsNumber).where(SmsNumber.user_id == user.id))


_NOTICE: dict[str, Callable[[], str]] = {}


def use_notice_version(get_version):
    """The privacy feature (a higher layer) tells which version of its notice is in force."""
    _NOTICE["version"] = get_version


def notice_version():
    get_version = _NOTICE.get("version")
    return get_version() if get_version else None


@rolls_back
def set_number(user, phone, consented):
    """Keep the number for SMS, with the version of the privacy notice the person agreed to. The audit log
    notes that a number was given (never the number: the log is kept for good)."""
    number = normalise(phone)
    if number is None:
        raise FieldError("phone", _l("Please give a mobile number of 11 digits, such as 13812345678."))
    version = notice_version()
    if not consented or not version:
        raise FieldError("consent", _l("Please read the privacy notice and tick the box to agree."))
    row = number_of(user)
    if row is None:
        row = SmsNumber(user_id=user.id, phone=number, consent_version=version)
        db.session.add(row)
    else:
        if row.phone != number:
            _forget_queued(user)
        row.phone, row.consent_version, row.consented_at = number, version, clock.utcnow()
    record("notifications.sms_number_set", row, actor=user, consent_version=version)
    commit()
    return row


@rolls_back
def remove_number(user):
    row = number_of(user)
    if row is None:
        return False
    _forget_queued(user)
    record("notifications.sms_number_removed", row, actor=user)
    db.session.delete(row)
    commit()
    return True


def _forget_queued(user):
    """SMS not yet sent to the old number are not sent at all."""
    db.session.execute(
        delete(Outbox).where(
            Outbox.user_id == user.id,
            Outbox.channel == OutboxChannel.SMS,
            Outbox.status.in_(OutboxStatus.DUE),
        )
    )


# ---------------------------------------------------------------- queueing


def template_codes(config=None):
    """{kind: the provider's template code} from SMS_TEMPLATES="general=SMS_1,meetings=SMS_2"."""
    text = (config or current_app.config).get("SMS_TEMPLATES") or ""
    pairs = (item.split("=", 1) for item in text.split(",") if "=" in item)
    return {kind.strip(): code.strip() for kind, code in pairs if kind.strip() and code.strip()}


def template_kind(kind):
    return kind if kind in TEMPLATES else "general"


def fill(kind, params):
    """The text of a template with its parameters, as the phone shows it (the log transport writes it)."""
    text = TEMPLATES[template_kind(kind)]
    for name, value in params.items():
        text = text.replace("${" + name + "}", str(value))
    return text


def enqueue(user, message, params, link="", kind=None):
    """Queue an SMS for `user` in the current transaction (nothing without a number given for SMS)."""
    number = number_of(user)
    if number is None:
        return None
    locale = current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_Hans")  # the registered texts are Chinese
    with force_locale(locale):
        text = render_message(message, params)
    if len(text) > TEXT_LIMIT:
        text = text[: TEXT_LIMIT - 1] + "…"
    values = {"text": text, "url": absolute_url(link) or absolute_url("/")}
    kind = template_kind(kind)
    row = Outbox(
        user_id=user.id,
        channel=OutboxChannel.SMS,
        to_address=number.phone,
        subject="",
        body=fill(kind, values),
        locale=locale,
        kind=kind,
        params=values,
    )
    db.session.add(row)
    return row


# ---------------------------------------------------------------- providers


class SmsProvider(Protocol):
    """What an SMS provider adapter offers: send one templated message, return the provider's id.

    Raise Undeliverable when the provider refused it for good; any other exception is retried."""

    name: str

    def send(self, phone: str, template_code: str, params: dict) -> str: ...


class LogProvider:
    """Without SMS_PROVIDER: write the message to the log instead of sending it."""

    name = "log"

    def send(self, phone, template_code, params):
        log.info("SMS (no SMS_PROVIDER configured) to %s, template %s: %s", masked(phone), template_code, params)
        return ""


def percent_encode(value):
    """RFC 3986 encoding as Alibaba Cloud's signature wants it: space as %20, '*' as %2A, '~' kept."""
    return quote(str(value), safe="-_.~")


def rpc_signature(method, params, secret):
    """Alibaba Cloud's RPC signature (SignatureMethod HMAC-SHA1, SignatureVersion 1.0): the sorted,
    encoded parameters, signed with the AccessKey secret followed by '&'."""
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSms:
    """Aliyun SMS (阿里云短信服务), API version 2017-05-25, action SendSms, signed requests without the SDK."""

    name = "aliyun"
    VERSION = "2017-05-25"

    def __init__(self, config):
        self.key_id = config.get("SMS_ACCESS_KEY_ID") or ""
        self.secret = config.get("SMS_ACCESS_KEY_SECRET") or ""
        self.sign_name = config.get("SMS_SIGN_NAME") or ""
        self.endpoint = config.get("SMS_ENDPOINT") or "https://dysmsapi.aliyuncs.com/"
        self.region = config.get("SMS_REGION") or "cn-hangzhou"
        self.timeout = float(config.get("SMS_TIMEOUT") or 10)
        if urlsplit(self.endpoint).scheme not in ("http", "https"):
            raise ValueError("SMS_ENDPOINT must be an http(s) address")

    def signed_params(self, phone, template_code, params, nonce=None, timestamp=None):
        values = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": self.region,
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce or secrets.token_hex(16),
            "SignatureVersion": "1.0",
            "TemplateCode": template_code,
            "TemplateParam": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
            "Timestamp": timestamp or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": self.VERSION,
        }
        values["Signature"] = rpc_signature("POST", values, self.secret)
        return values

    def send(self, phone, template_code, params):
        body = urlencode(self.signed_params(phone, template_code, params), quote_via=quote).encode()
        request = urllib.request.Request(  # noqa: S310  # nosec B310 (the scheme is checked above)
            self.endpoint,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310  # nosec B310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            answer = _json_or_none(error)
            if error.code >= 500 or answer is None:
                raise RuntimeError(f"HTTP {error.code} from the SMS provider") from error
        code = answer.get("Code")
        if code == "OK":
            return answer.get("BizId") or ""
        problem = f"{code}: {answer.get('Message', '')}"
        if code in ALIYUN_RETRY_CODES:
            raise RuntimeError(problem)
        raise Undeliverable(problem)


def _json_or_none(error):
    try:
        answer = json.loads(error.read() or b"")
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


PROVIDERS = {"aliyun": AliyunSms}


def make_provider(config=None):
    config = config or current_app.config
    name = (config.get("SMS_PROVIDER") or "").strip().lower()
    if not name:
        return LogProvider()
    if name not in PROVIDERS:
        raise ValueError(f"unknown SMS_PROVIDER {name!r}: one of {', '.join(PROVIDERS)}")
    return PROVIDERS[name](config)


# ---------------------------------------------------------------- the outbox's SMS channel


def _day_bounds(now):
    """The local calendar day around `now`, as naive UTC instants [start, end)."""
    day = clock.local_date(now)
    return clock.end_of_local_day(day - timedelta(days=1)), clock.end_of_local_day(day)


class SmsTransport:
    """Sends the outbox's SMS rows through the provider, within the limits of the configuration."""

    def __init__(self, provider, config):
        self.provider = provider
        self.name = provider.name
        self.codes = template_codes(config)
        self.per_recipient = int(config.get("SMS_PER_RECIPIENT_DAY") or 5)
        self.per_day = int(config.get("SMS_PER_DAY") or 500)

    def hold(self, row, session):
        """Over the number's daily limit: skipped (the inbox still has it). Over the site's: tomorrow."""
        start, end = _day_bounds(clock.now())
        sent_today = select(func.count(Outbox.id)).where(
            Outbox.channel == OutboxChannel.SMS,
            Outbox.status == OutboxStatus.SENT,
            Outbox.sent_at >= start,
            Outbox.sent_at < end,
        )
        if session.scalar(sent_today.where(Outbox.to_address == row.to_address)) >= self.per_recipient:
            return Hold(f"limit: {self.per_recipient} SMS a day to one number")
        if session.scalar(sent_today) >= self.per_day:
            return Hold(f"limit: {self.per_day} SMS a day; sent tomorrow", until=end)
        return None

    def send(self, row):
        code = self.codes.get(row.kind or "general") or self.codes.get("general")
        if not code and self.provider.name != "log":
            raise Undeliverable(f"no template code for {row.kind!r} in SMS_TEMPLATES")
        self.provider.send(row.to_address, code or "-", row.params or {})

    def close(self):
        pass


def make_transport(config=None):
    config = config or current_app.config
    return SmsTransport(make_provider(config), config)
