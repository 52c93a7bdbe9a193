"""SMS: the Aliyun adapter (signed as documented) against a fake provider on 127.0.0.1, failures and
retries, the limits, and residents' numbers (consent, masked, export, deletion)."""

import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.core.clock import utcnow
from app.core.i18n import N_
from app.extensions import db
from app.notifications import outbox, sms
from app.notifications.models import NotificationPreference, Outbox, OutboxStatus, SmsNumber
from app.notifications.services import notify
from app.privacy import export
from app.privacy import services as privacy
from tests.helpers import login

from .fake_http import Answer, FakeService

MESSAGE = N_("Council meeting “%(title)s” on %(when)s at %(place)s.")
PARAMS = {"title": "第3次议事会", "when": "2026-12-03 19:00", "place": "活动室"}
SECRET = "test-secret-key"  # noqa: S105  # nosec B105 (a test key)
OK = Answer(body={"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "F655A8D5"})


def provider_checks_signature(received):
    """As Aliyun does: recompute the signature from the parameters received; refuse a wrong one."""
    form = received.form
    signature = form.pop("Signature", "")
    if signature != sms.rpc_signature("POST", form, SECRET):
        return Answer(400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"})
    return None


@pytest.fixture
def provider(app):
    with FakeService(default=OK, check=provider_checks_signature) as fake:
        app.config.update(
            SMS_PROVIDER="aliyun",
            SMS_ENDPOINT=fake.url + "/",
            SMS_ACCESS_KEY_ID="testid",
            SMS_ACCESS_KEY_SECRET=SECRET,
            SMS_SIGN_NAME="微议",
            SMS_TEMPLATES="general=SMS_100,meetings=SMS_200",
            SMS_TIMEOUT=0.5,
        )
        yield fake


@pytest.fixture
def resident(app, make):
    user = make.user(username="13900001111", display_name="王阿姨")
    db.session.add(SmsNumber(user_id=user.id, phone="13812345678", consent_version=privacy.NOTICE_VERSION))
    db.session.commit()
    return user


def queue(user, kind="meetings", link="/c/x/meetings/3"):
    rows = outbox.enqueue_for(user, ["sms"], MESSAGE, PARAMS, link, kind=kind)
    db.session.commit()
    return rows


def rows():
    db.session.expire_all()
    return db.session.scalars(select(Outbox).order_by(Outbox.id)).all()


def due_now():
    for row in rows():
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


# ---------------------------------------------------------------- the signature and numbers (pure)


def test_the_signature_matches_alibaba_clouds_documented_example():
    # "Signature mechanism" (RPC, HMAC-SHA1): AccessKeyId testid, secret testsecret, DescribeRegions.
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "TimeStamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }
    assert sms.rpc_signature("GET", params, "testsecret") == "CT9X0VtwR86fNWSnsc6v8YGOjuE="
    assert sms.rpc_signature("GET", params, "other") != "CT9X0VtwR86fNWSnsc6v8YGOjuE="


def test_percent_encoding_is_rfc_3986():
    assert sms.percent_encode("a b*c~d/é") == "a%20b%2Ac~d%2F%C3%A9"


@pytest.mark.parametrize(
    ("given", "number"),
    [
        ("13812345678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("12812345678", None),
        ("1381234567", None),
        ("138123456789", None),
        ("0512-65231234", None),
        ("", None),
    ],
)
def test_only_mainland_mobile_numbers(given, number):
    assert sms.normalise(given) == number


def test_masked():
    assert sms.masked("13812345678") == "138****5678"


def test_template_codes_per_kind(app):
    assert sms.template_codes({"SMS_TEMPLATES": " general=SMS_1, meetings = SMS_2,broken,=x"}) == {
        "general": "SMS_1",
        "meetings": "SMS_2",
    }
    assert sms.template_kind("meetings") == "meetings" and sms.template_kind("anything") == "general"


# ---------------------------------------------------------------- sending through the fake provider


def test_queued_in_the_transaction_and_sent_only_by_the_worker(provider, resident, app):
    (row,) = queue(resident)
    assert row.status == OutboxStatus.PENDING and provider.received == []  # nothing left in the request
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    (request,) = provider.received
    form = request.form
    assert form["Action"] == "SendSms" and form["Version"] == "2017-05-25"
    assert form["PhoneNumbers"] == "13812345678" and form["SignName"] == "微议"
    assert form["TemplateCode"] == "SMS_200"  # the meetings template
    params = json.loads(form["TemplateParam"])
    assert params["url"] == "http://localhost/c/x/meetings/3"
    assert params["text"].startswith("议事会会议“第3次议事会”") or "第3次议事会" in params["text"]
    assert len(params["text"]) <= sms.TEXT_LIMIT
    (row,) = rows()
    assert row.status == OutboxStatus.SENT and row.transport == "aliyun" and row.attempts == 1
    assert "第3次议事会" in row.body and row.body.startswith("议事会会议通知")
    status = app.test_cli_runner().invoke(args=["outbox", "status"])
    assert "sms: pending 0, sending 0, retrying 0, sent 1" in status.output


def test_a_kind_without_its_own_template_uses_the_general_one(provider, resident):
    queue(resident, kind="rounds")
    outbox.deliver()
    assert provider.received[0].form["TemplateCode"] == "SMS_100"


def test_a_wrong_secret_is_refused_by_the_provider_and_not_retried(provider, resident, app):
    app.config["SMS_ACCESS_KEY_SECRET"] = "wrong"
    queue(resident)
    assert outbox.deliver()["failed"] == 1
    (row,) = rows()
    assert row.status == OutboxStatus.FAILED and "SignatureDoesNotMatch" in row.last_error


def test_http_500_is_retried_with_backoff_then_sent(provider, resident):
    provider.answers = [Answer(500, {"Code": "InternalError"})]
    queue(resident)
    assert outbox.deliver() == {"sent": 0, "retry": 1, "failed": 0, "skipped": 0}
    (row,) = rows()
    assert row.status == OutboxStatus.RETRYING and row.attempts == 1 and "HTTP 500" in row.last_error
    assert timedelta(seconds=55) < row.next_attempt_at - utcnow() <= timedelta(seconds=60)
    assert outbox.deliver()["sent"] == 0  # not due yet
    due_now()
    assert outbox.deliver()["sent"] == 1
    (row,) = rows()
    assert row.status == OutboxStatus.SENT and row.attempts == 2 and row.last_error is None
    assert len(provider.received) == 2


def test_the_delay_grows_and_the_worker_gives_up(provider, resident):
    provider.default = Answer(503, {})
    queue(resident)
    delays = []
    for _attempt in range(outbox.MAX_ATTEMPTS):
        due_now()
        started = utcnow()
        outbox.deliver()
        delays.append(round((rows()[0].next_attempt_at - started).total_seconds() / 60))
    (row,) = rows()
    assert row.status == OutboxStatus.FAILED and row.attempts == outbox.MAX_ATTEMPTS
    assert delays[:4] == [1, 2, 4, 8]


def test_a_provider_error_code_fails_at_once(provider, resident):
    provider.answers = [Answer(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"})]
    queue(resident)
    assert outbox.deliver()["failed"] == 1
    (row,) = rows()
    assert row.status == OutboxStatus.FAILED and row.attempts == 1
    assert row.last_error.startswith("Undeliverable: isv.MOBILE_NUMBER_ILLEGAL")


def test_throttling_by_the_provider_is_retried(provider, resident):
    provider.answers = [Answer(200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控"})]
    queue(resident)
    assert outbox.deliver()["retry"] == 1
    assert rows()[0].status == OutboxStatus.RETRYING
    due_now()
    assert outbox.deliver()["sent"] == 1


def test_a_timeout_is_retried(provider, resident, app):
    app.config["SMS_TIMEOUT"] = 0.2
    provider.answers = [Answer(200, OK.body, delay=1.0)]
    queue(resident)
    assert outbox.deliver()["retry"] == 1
    (row,) = rows()
    assert row.status == OutboxStatus.RETRYING and "timed out" in row.last_error


def test_without_a_provider_the_sms_is_logged_with_the_number_masked(resident, app, caplog):
    app.config["SMS_PROVIDER"] = ""
    queue(resident)
    with caplog.at_level(logging.INFO, logger="weiyi.sms"):
        assert outbox.deliver()["sent"] == 1
    assert "138****5678" in caplog.text and "13812345678" not in caplog.text
    assert rows()[0].transport == "log"


def test_nobody_without_a_number_gets_an_sms(make, provider):
    assert queue(make.user()) == []


# ---------------------------------------------------------------- limits


def test_per_recipient_daily_limit(provider, resident, app):
    app.config["SMS_PER_RECIPIENT_DAY"] = 2
    for _ in range(3):
        queue(resident)
    assert outbox.deliver() == {"sent": 2, "retry": 0, "failed": 0, "skipped": 1}
    assert [r.status for r in rows()] == ["sent", "sent", "skipped"]
    assert "2 SMS a day" in rows()[2].last_error
    assert len(provider.received) == 2


def test_site_daily_limit_waits_for_tomorrow(provider, resident, make, app):
    app.config.update(SMS_PER_DAY=2, SMS_PER_RECIPIENT_DAY=10)
    other = make.user()
    db.session.add(SmsNumber(user_id=other.id, phone="13700001111", consent_version="2026-11"))
    db.session.commit()
    queue(resident)
    queue(other)
    queue(other)
    counts = outbox.deliver()
    assert counts["sent"] == 2 and counts["skipped"] == 0
    late = rows()[2]
    assert late.status == OutboxStatus.PENDING and late.attempts == 0
    assert late.next_attempt_at > utcnow() and "a day; sent tomorrow" in late.last_error
    assert len(provider.received) == 2


# ---------------------------------------------------------------- the resident's number


def test_the_number_is_kept_only_with_consent(client, make):
    user = make.user(username="13900002222")
    login(client, user)
    page = client.get("/inbox/sms")
    assert page.status_code == 200 and 'href="/privacy/"' in page.get_data(as_text=True)
    refused = client.post("/inbox/sms", data={"phone": "13812345678"})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "tick the box" in html or "勾选" in html
    assert 'value="13812345678"' in html  # the text is kept
    bad = client.post("/inbox/sms", data={"phone": "12345", "consent": "y"})
    assert bad.status_code == 400 and db.session.scalar(select(SmsNumber)) is None
    saved = client.post("/inbox/sms", data={"phone": "+86 138 1234 5678", "consent": "y"})
    assert saved.status_code == 302
    number = db.session.scalar(select(SmsNumber))
    assert (number.user_id, number.phone, number.consent_version) == (user.id, "13812345678", privacy.NOTICE_VERSION)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "notifications.sms_number_set"))
    assert entry.data == {"consent_version": privacy.NOTICE_VERSION}  # never the number itself
    html = client.get("/inbox/sms").get_data(as_text=True)
    assert "138****5678" in html and "13812345678" not in html


def test_removing_the_number_drops_what_was_queued(client, resident, provider):
    queue(resident)
    login(client, resident)
    assert client.post("/inbox/sms/remove").status_code == 302
    assert db.session.scalar(select(SmsNumber)) is None and rows() == []
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "notifications.sms_number_removed"))


def test_the_number_is_in_the_data_export_and_gone_with_the_account(resident):
    sections = {section.name: section for section in export.personal_data(resident)}
    assert sections["sms_number"].rows[0]["phone"] == "13812345678"
    privacy.delete_account(resident, "password123")
    assert db.session.scalar(select(SmsNumber)) is None


def test_notify_queues_an_sms_for_those_who_chose_it(provider, resident, make):
    db.session.add(NotificationPreference(user_id=resident.id, event="meetings", in_app=True, email=False, sms=True))
    db.session.commit()
    notify([resident, make.user()], MESSAGE, "/c/x/meetings/3", event="meetings", **PARAMS)
    db.session.commit()
    (row,) = [r for r in rows() if r.channel == "sms"]
    assert (row.user_id, row.kind, row.to_address) == (resident.id, "meetings", "13812345678")
    assert provider.received == []  # the worker sends it
    outbox.deliver()
    assert provider.received[0].form["TemplateCode"] == "SMS_200"
