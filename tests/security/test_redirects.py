"""Open redirects: `next=` only ever leads to a page of this site."""

from urllib.parse import quote, urlsplit

import pytest

from app.core.redirects import is_safe_next

HOSTILE = [
    "//evil.example",
    "///evil.example",
    "////evil.example/path",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "https://evil.example",
    "http://evil.example/c/x/",
    "HTTPS://evil.example",
    "https:evil.example",
    "https:/evil.example",
    "//evil.example@localhost",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\nLocation: https://evil.example",
    " //evil.example",
    "evil.example",
    "%2F%2Fevil.example",
    "%5C%5Cevil.example",
    "\x00//evil.example",
    "//evil%2Eexample",
    "https://localhost.evil.example/",
    "//localhost@evil.example",
]
SAFE = [
    "/",
    "/c/xinglin/matters/",
    "/c/xinglin/matters/3?sort=supports",
    "/auth/profile#top",
    "/%2F%2Fevil.example",
    "/%09/evil.example",
]  # the last two are paths on this site, not hosts


def _same_site(location):
    parts = urlsplit(location)
    if parts.scheme or parts.netloc:
        return parts.scheme in ("http", "https") and parts.netloc == "localhost"
    return location.startswith("/") and not location.startswith("//") and "\\" not in location


@pytest.mark.parametrize("target", HOSTILE)
def test_is_safe_next_refuses(target):
    assert not is_safe_next(target)


@pytest.mark.parametrize("target", SAFE)
def test_is_safe_next_accepts_local_paths(target):
    assert is_safe_next(target)


def test_login_never_redirects_off_site(client, make):
    user = make.user()
    for target in HOSTILE + [quote(t, safe="") for t in HOSTILE[:8]]:
        for how in ("query", "form"):
            query = "?next=" + quote(target, safe="") if how == "query" else ""
            data = {"username": user.username, "password": "password123"}
            if how == "form":
                data["next"] = target
            response = client.post("/auth/login" + query, data=data)
            assert response.status_code == 302, target
            assert _same_site(response.headers["Location"]), (target, response.headers["Location"])
            client.post("/auth/logout")


def test_register_never_redirects_off_site(client):
    for n, target in enumerate(["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)"]):
        response = client.post(
            "/auth/register",
            data={
                "username": f"newperson{n}",
                "display_name": "新人",
                "password": "quiet-garden-2026",
                "confirm": "quiet-garden-2026",
                "consent": "y",
                "next": target,
            },
        )
        assert response.status_code == 302
        assert _same_site(response.headers["Location"]), response.headers["Location"]
        client.post("/auth/logout")


def test_a_local_next_is_followed(client, make):
    user = make.user()
    response = client.post(
        "/auth/login?next=/auth/profile", data={"username": user.username, "password": "password123"}
    )
    assert response.headers["Location"] == "/auth/profile"
