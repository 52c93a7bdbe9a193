"""Security headers on every kind of response, and no debug page in production.
(The authorisation matrix checks the same headers on every route.)"""

import pytest

from tests.security.headers import assert_security_headers

PATHS = [
    "/",
    "/healthz",
    "/favicon.ico",
    "/static/style.css",
    "/auth/login",
    "/auth/register",
    "/no-such-page",
    "/c/no-such-community/",
    "/auth/profile",
]


def _boom_app(app_with, config, **overrides):
    app = app_with(config, **overrides)

    @app.get("/_test/boom")
    def boom():
        raise RuntimeError("secret internals: password=hunter2 in /srv/weiyi/app/core.py")

    @app.get("/api/v1/_test/boom")
    def api_boom():
        raise RuntimeError("secret internals: password=hunter2")

    return app


@pytest.mark.parametrize("config", ["test", "production"])
def test_every_kind_of_response_carries_the_headers(app_with, config):
    app = _boom_app(app_with, config)
    client = app.test_client()
    base = "https://localhost" if config == "production" else "http://localhost"
    responses = {path: client.get(path, base_url=base) for path in [*PATHS, "/_test/boom", "/api/v1/_test/boom"]}
    responses["POST /auth/logout"] = client.post("/auth/logout", base_url=base)
    responses["HEAD /"] = client.head("/", base_url=base)
    assert {r.status_code for r in responses.values()} >= {200, 302, 404, 500}
    for name, response in responses.items():
        assert_security_headers(response, production=config == "production", where=name)


def test_hsts_only_in_production(app_with):
    assert "Strict-Transport-Security" not in app_with("test").test_client().get("/").headers


def test_production_shows_the_friendly_500_page_without_internals(app_with, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")  # even a stray debug switch in the environment must not help
    app = _boom_app(app_with, "production")
    assert not app.debug and not app.testing
    client = app.test_client()
    response = client.get("/_test/boom", base_url="https://localhost")
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert "<h1>" in html
    for leak in (
        "Traceback",
        "RuntimeError",
        "hunter2",
        "secret internals",
        "/srv/weiyi",
        "Werkzeug Debugger",
        "__debugger__",
        "console",
    ):
        assert leak not in html, leak
    api = client.get("/api/v1/_test/boom", base_url="https://localhost")
    assert api.status_code == 500 and api.is_json and "hunter2" not in api.get_data(as_text=True)
    # The interactive debugger is not mounted: its resource URL gives the ordinary page.
    page = client.get("/?__debugger__=yes&cmd=resource&f=debugger.js", base_url="https://localhost")
    assert page.mimetype == "text/html" and "<!doctype html>" in page.get_data(as_text=True)


@pytest.mark.parametrize("key", ["dev-only-change-me", "x" * 31])
def test_production_refuses_to_start_with_the_development_or_a_short_secret_key(app_with, key):
    from app import create_app

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(
            "production",
            SECRET_KEY=key,
            SQLALCHEMY_DATABASE_URI="sqlite://",
            PUBLIC_BASE_URL="https://weiyi.example.org",
            TRUSTED_HOSTS=["weiyi.example.org"],
        )


def test_trusted_hosts_refuse_a_forged_host_header(app_with):
    app = app_with("production", TRUSTED_HOSTS=["weiyi.example.org"])
    client = app.test_client()
    assert client.get("/", base_url="https://weiyi.example.org").status_code == 200
    response = client.get("/", base_url="https://evil.example")
    assert response.status_code == 400 and "evil.example" not in response.get_data(as_text=True)


def test_a_hostile_host_header_is_not_reflected_as_markup(app_with):
    app = app_with("test")
    response = app.test_client().get("/auth/login", headers={"Host": 'x"><script data-xss>alert(1)</script>'})
    assert "<script data-xss>" not in response.get_data(as_text=True)
