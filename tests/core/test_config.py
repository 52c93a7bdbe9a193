"""What production refuses to start without (config.production_problems), and which proxy headers
are believed (ProxyFix in create_app): a forged X-Forwarded-Host changes neither links nor hosts."""

import os
import subprocess
import sys

import pytest

from app import ROOT, create_app
from config import Config, production_problems

GOOD = {
    "SECRET_KEY": "k" * 32,
    "PUBLIC_BASE_URL": "https://weiyi.example.org",
    "TRUSTED_HOSTS": ["weiyi.example.org"],
}


def _production(**changes):
    overrides = {**GOOD, "SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_ENABLED": False, **changes}
    return create_app("production", **overrides)


def test_a_complete_production_configuration_starts():
    assert production_problems(GOOD) == []
    app = _production()
    assert app.config["PUBLIC_BASE_URL"] == "https://weiyi.example.org"


@pytest.mark.parametrize(
    "changes,named",
    [
        ({"PUBLIC_BASE_URL": None}, "PUBLIC_BASE_URL"),
        ({"PUBLIC_BASE_URL": ""}, "PUBLIC_BASE_URL"),
        ({"PUBLIC_BASE_URL": "weiyi.example.org"}, "PUBLIC_BASE_URL"),  # no scheme
        ({"PUBLIC_BASE_URL": "ftp://weiyi.example.org"}, "PUBLIC_BASE_URL"),
        ({"TRUSTED_HOSTS": None}, "TRUSTED_HOSTS"),
        ({"TRUSTED_HOSTS": []}, "TRUSTED_HOSTS"),
        ({"SECRET_KEY": "k" * 31}, "SECRET_KEY"),
        ({"SECRET_KEY": Config.SECRET_KEY}, "SECRET_KEY"),
        ({"SECRET_KEY": None}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_what_it_needs(changes, named):
    with pytest.raises(RuntimeError, match=named) as refused:
        _production(**changes)
    assert "will not start in production" in str(refused.value)


def test_every_problem_is_named_at_once():
    problems = production_problems({})
    assert [p.split()[0] for p in problems] == ["SECRET_KEY", "PUBLIC_BASE_URL", "TRUSTED_HOSTS"]


def test_the_production_config_has_no_public_address_of_its_own():
    """Without PUBLIC_BASE_URL in the environment production has none, while the development default
    (make run) still serves http://127.0.0.1:$PORT."""
    env = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_BASE_URL", "TRUSTED_PROXY_HEADERS")}
    script = (
        "import config; print(config.ProductionConfig.PUBLIC_BASE_URL, config.Config.PUBLIC_BASE_URL, "
        "config.Config.TRUSTED_PROXY_HEADERS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "PORT": "5123"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split(maxsplit=2) == ["None", "http://127.0.0.1:5123", "['for', 'proto']\n"]


def test_development_starts_without_any_of_it():
    app = create_app("default", SQLALCHEMY_DATABASE_URI="sqlite://", PUBLIC_BASE_URL=Config.PUBLIC_BASE_URL)
    assert app.config["PUBLIC_BASE_URL"].startswith("http://127.0.0.1:")


def _behind_a_proxy(**changes):
    return _production(TRUSTED_PROXIES=1, **changes)


def test_a_forwarded_host_is_not_believed_by_default():
    client = _behind_a_proxy().test_client()
    # The proxy passes the real Host; a forwarded one is the client's word and changes nothing.
    forged = client.get(
        "/auth/profile", base_url="https://weiyi.example.org", headers={"X-Forwarded-Host": "evil.example"}
    )
    assert forged.status_code == 302
    assert "evil.example" not in forged.headers["Location"]
    # Nor can a forwarded Host smuggle a request for another host past TRUSTED_HOSTS.
    smuggled = client.get(
        "/auth/login", base_url="https://evil.example", headers={"X-Forwarded-Host": "weiyi.example.org"}
    )
    assert smuggled.status_code == 400


def test_forwarded_for_and_proto_are_still_believed():
    app = _behind_a_proxy()

    @app.get("/_test/seen")
    def seen():
        from flask import request, url_for

        return {"addr": request.remote_addr, "scheme": request.scheme, "link": url_for("auth.login", _external=True)}

    seen_by_app = (
        app.test_client()
        .get(
            "/_test/seen",
            base_url="http://weiyi.example.org",
            headers={
                "X-Forwarded-For": "198.51.100.7",
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": "evil.example",
            },
        )
        .get_json()
    )
    assert seen_by_app == {"addr": "198.51.100.7", "scheme": "https", "link": "https://weiyi.example.org/auth/login"}


def test_more_forwarded_headers_only_when_configured():
    app = _behind_a_proxy(TRUSTED_PROXY_HEADERS=["for", "proto", "host"], TRUSTED_HOSTS=["weiyi.example.org"])
    response = app.test_client().get(
        "/auth/login", base_url="https://internal:8000", headers={"X-Forwarded-Host": "weiyi.example.org"}
    )
    assert response.status_code == 200


def test_an_unknown_proxy_header_name_is_refused():
    with pytest.raises(RuntimeError, match="TRUSTED_PROXY_HEADERS"):
        _behind_a_proxy(TRUSTED_PROXY_HEADERS=["for", "hots"])
