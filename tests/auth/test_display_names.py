"""Display names are one line of visible text wherever they are set; e-mails that name a person are
sent even for a name stored before the rule (with a line break in it)."""

import smtplib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.auth.models import User
from app.communities import services as community_services
from app.communities.models import Role
from app.core.errors import FieldError
from app.core.text import DISPLAY_NAME_MAX, clean_display_name, one_line
from app.extensions import db
from app.notifications.models import Outbox, OutboxStatus
from tests.helpers import login
from tests.tracker.test_outbox import FakeSMTP

HIDDEN = [
    "王\n阿姨",
    "王\r阿姨",
    "王\t阿姨",
    "周\u202e任主",
    "居委\u200b会",
    "\u2066周主任\u2069",
    "王\u2028阿姨",
    "\u3164",
]


@pytest.mark.parametrize("name", HIDDEN + ["", "   ", "x" * (DISPLAY_NAME_MAX + 1)])
def test_the_rule_refuses_names_that_are_not_one_visible_line(name):
    with pytest.raises(FieldError) as refused:
        clean_display_name(name)
    assert refused.value.field == "display_name"


def test_the_rule_trims_and_keeps_ordinary_names():
    assert clean_display_name("  3栋\u3000 李先生 ") == "3栋 李先生"
    assert clean_display_name("王阿姨") == "王阿姨"
    assert clean_display_name("e\u0301") == "\u00e9"  # one way of writing é
    assert clean_display_name("x" * DISPLAY_NAME_MAX) == "x" * DISPLAY_NAME_MAX


@given(st.text(max_size=60))
def test_an_accepted_name_is_one_line_of_what_was_typed(text):
    try:
        name = clean_display_name(text)
    except FieldError:
        return
    assert name and len(name) <= DISPLAY_NAME_MAX
    assert name == one_line(name) == name.strip()


@given(st.text())
def test_one_line_never_leaves_a_line_break(text):
    assert not any(ch in one_line(text) for ch in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def _register(client, display_name):
    return client.post(
        "/auth/register",
        data={
            "username": "13800000009",
            "display_name": display_name,
            "password": "a-long-pass-phrase",
            "confirm": "a-long-pass-phrase",
            "consent": "y",
        },
    )


def test_registration_refuses_a_name_with_a_newline_and_keeps_the_form(client):
    response = _register(client, "居委会\n周主任")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "不能有换行" in html and 'value="13800000009"' in html
    assert db.session.scalar(select(User)) is None


def test_registration_stores_the_trimmed_name(client):
    assert _register(client, "  王阿姨 ").status_code == 302
    assert db.session.scalar(select(User.display_name)) == "王阿姨"


def test_the_profile_refuses_bidi_controls_and_keeps_the_old_name(client, make):
    user = make.user(display_name="王阿姨")
    login(client, user)
    response = client.post("/auth/profile", data={"display_name": "周\u202e任主", "email": "w@example.org"})
    assert response.status_code == 400
    assert "不能有换行" in response.get_data(as_text=True)
    db.session.expire_all()
    assert user.display_name == "王阿姨" and user.email is None


def test_create_admin_refuses_a_name_with_a_newline(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--username", "boss", "--display-name", "管理员\n居委会", "--password", "x" * 12]
    )
    assert result.exit_code != 0
    assert db.session.scalar(select(User)) is None


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.sent, FakeSMTP.failures, FakeSMTP.instances = [], 0, 0
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config.update(MAIL_SERVER="smtp.example.org", MAIL_FROM="weiyi@example.org")
    return FakeSMTP


@pytest.mark.parametrize("name", ["王阿姨", "王\n阿姨\r\nBcc: all@example.org"])
def test_emails_naming_a_person_are_sent_even_for_a_name_stored_before_the_rule(smtp, make, name):
    community = make.community()
    committee = make.member(community, role=Role.COMMITTEE)
    committee.email = "committee@example.org"
    resident = make.user()
    resident.display_name = name  # written straight to the database, as older versions allowed
    db.session.commit()
    community_services.request_join(resident, community, "1栋101")  # "%(name)s asks to join …" to the committee
    assert db.session.scalars(select(Outbox.status)).all() == [OutboxStatus.SENT]
    (message,) = smtp.sent
    assert message["To"] == "committee@example.org" and message["Bcc"] is None
    assert "\n" not in message["Subject"] and "阿姨" in message["Subject"]
