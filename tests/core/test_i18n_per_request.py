"""The merged catalog is resolved once per request (not once per message), and a change of language
between requests, or by force_locale inside one, is still honoured."""

import flask_babel
import pytest
from flask import render_template_string
from flask_babel import force_locale, gettext


@pytest.fixture
def resolutions(monkeypatch):
    """Counts Flask-Babel's own look-up (locale, domain, catalog cache) of the translations."""
    calls = []
    resolve = flask_babel.Domain.get_translations

    def counted(self):
        calls.append(str(flask_babel.get_locale()))
        return resolve(self)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", counted)
    return calls


def test_a_page_resolves_its_translations_once(client, resolutions):
    html = client.get("/").get_data(as_text=True)
    assert "登录" in html and "社区" in html  # many messages, from templates and Python
    assert resolutions == ["zh_Hans"]


def test_a_language_change_between_requests_is_honoured(client, resolutions):
    assert "登录" in client.get("/").get_data(as_text=True)
    assert "Log in" in client.get("/?lang=en").get_data(as_text=True)
    assert "Log in" in client.get("/auth/login").get_data(as_text=True)
    assert "登录" in client.get("/auth/login?lang=zh_Hans").get_data(as_text=True)
    assert resolutions == ["zh_Hans", "en", "en", "zh_Hans"]


def test_python_and_jinja_share_the_resolution_and_force_locale_switches_it(app, resolutions):
    template = "{{ _('Log in') }}|{{ ngettext('%(num)d matter', '%(num)d matters', 2) }}"
    with app.test_request_context("/"):
        assert gettext("Log in") == "登录"
        assert render_template_string(template).startswith("登录|")
        assert resolutions == ["zh_Hans"]
        with force_locale("en"):
            assert gettext("Log in") == "Log in"
            assert render_template_string(template) == "Log in|2 matters"
        assert gettext("Log in") == "登录"
    assert resolutions == ["zh_Hans", "en", "zh_Hans"]
