"""Health check, error pages, language and large-text preferences, formatting."""

import pytest
from flask_babel import force_locale

from app.core.i18n import money
from app.core.text import clean_plain, render_markdown


def test_healthz_answers_ok_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_chinese_is_the_default_language(client):
    html = client.get("/").get_data(as_text=True)
    assert 'lang="zh-Hans"' in html
    assert "社区" in html and "登录" in html


def test_accept_language_english(client):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in html and "Log in" in html


def test_lang_parameter_sticks_for_the_session(client):
    assert "Log in" in client.get("/?lang=en").get_data(as_text=True)
    assert "Log in" in client.get("/auth/register").get_data(as_text=True)
    assert "登录" in client.get("/?lang=zh_Hans").get_data(as_text=True)
    assert "登录" in client.get("/auth/login").get_data(as_text=True)


def test_unknown_lang_parameter_is_ignored(client):
    assert 'lang="zh-Hans"' in client.get("/?lang=xx").get_data(as_text=True)


def test_large_text_mode_is_remembered(client):
    assert 'class="large-text' not in client.get("/").get_data(as_text=True)
    assert 'class="large-text' in client.get("/?text=large").get_data(as_text=True)
    assert 'class="large-text' in client.get("/auth/login").get_data(as_text=True)
    assert 'class="large-text' not in client.get("/?text=normal").get_data(as_text=True)


@pytest.mark.parametrize("lang,title", [("zh_Hans", "该页面不存在"), ("en", "This page does not exist")])
def test_404_page_in_the_users_language(client, lang, title):
    response = client.get(f"/no-such-page?lang={lang}")
    assert response.status_code == 404
    assert title in response.get_data(as_text=True)


def test_api_errors_are_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json["status"] == 404


@pytest.mark.own_app
def test_unexpected_error_gives_friendly_500_without_traceback(app, client):
    @app.get("/boom-test")
    def boom():
        raise RuntimeError("secret internals")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom-test")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "系统出现问题" in body and "secret internals" not in body and "Traceback" not in body


def test_413_for_oversized_request(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/auth/login", data={"username": "x" * 5000})
    assert response.status_code == 413
    assert "上传的文件过大" in response.get_data(as_text=True)


def test_security_headers_on_pages(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_money_is_formatted_per_locale(app):
    with app.test_request_context():
        with force_locale("zh_Hans"):
            assert money(123456) == "¥123,456"
        with force_locale("en"):
            assert money(123456).endswith("123,456")


def test_markdown_is_rendered_and_sanitised():
    html = render_markdown("**好** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://example.org)")
    assert "<strong>好</strong>" in html
    assert "<script" not in html and 'href="javascript' not in html
    assert 'href="https://example.org"' in html


def test_clean_plain_drops_control_characters():
    assert clean_plain("  a\x00b\x1bc \n") == "abc"


def test_favicon(client):
    assert client.get("/favicon.ico").status_code == 200
