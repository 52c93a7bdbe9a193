"""Password guessing is slowed per account and per address (limits on app/auth/routes.py:
10 attempts per 5 minutes per account and address, 20 per minute per address, 10 registrations per
hour). The account limit includes the address so that nobody can lock the owner out; the owner is
told of failed attempts instead (tests/auth/test_hardening.py)."""

import pytest


@pytest.fixture
def limited(app_with):
    return app_with(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")


def _attempt(client, username, address, password="wrong-password", **headers):
    return client.post(
        "/auth/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    ).status_code


def test_guessing_one_account_from_one_address_is_stopped_without_locking_the_owner_out(limited, make):
    victim = make.user()
    client = limited.test_client()
    codes = [_attempt(client, victim.username, "198.51.100.1") for _ in range(10)]
    assert codes == [400] * 10
    assert _attempt(client, victim.username, "198.51.100.1") == 429
    # Case and spaces do not make a new account key.
    assert _attempt(client, f"  {victim.username.upper()} ", "198.51.100.1") == 429
    # The right password waits too from that address: the limit applies before the password is checked.
    assert _attempt(client, victim.username, "198.51.100.1", password="password123") == 429
    # The owner, from their own address, is not locked out (the key is account and address).
    assert _attempt(client, victim.username, "203.0.113.9", password="password123") == 302
    # Other accounts are not affected.
    other = make.user()
    assert _attempt(client, other.username, "203.0.113.10", password="password123") == 302


def test_guessing_many_accounts_from_one_address_is_stopped(limited, make):
    client = limited.test_client()
    codes = [_attempt(client, f"someone{i}", "192.0.2.1") for i in range(20)]
    assert codes == [400] * 20
    assert _attempt(client, "someone-else", "192.0.2.1") == 429
    assert _attempt(client, "someone-else", "192.0.2.2") == 400  # another address is not affected


def test_a_forged_forwarded_for_header_does_not_reset_the_address_limit(limited):
    """Without TRUSTED_PROXIES, X-Forwarded-For is the client's word and is ignored."""
    client = limited.test_client()
    for i in range(20):
        _attempt(client, f"someone{i}", "192.0.2.1", **{"X-Forwarded-For": f"10.0.0.{i}"})
    assert _attempt(client, "x", "192.0.2.1", **{"X-Forwarded-For": "10.9.9.9"}) == 429


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(app_with):
    app = app_with(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", TRUSTED_PROXIES=1)
    client = app.test_client()
    for i in range(20):
        _attempt(client, f"someone{i}", "10.0.0.1", **{"X-Forwarded-For": "192.0.2.50"})
    assert _attempt(client, "x", "10.0.0.1", **{"X-Forwarded-For": "192.0.2.50"}) == 429
    assert _attempt(client, "x", "10.0.0.1", **{"X-Forwarded-For": "192.0.2.51"}) == 400


def test_registration_is_limited_per_address(limited):
    client = limited.test_client()
    codes = [
        client.post(
            "/auth/register",
            data={"username": f"new{i}", "display_name": "x", "password": "short", "confirm": "short"},
            environ_base={"REMOTE_ADDR": "192.0.2.9"},
        ).status_code
        for i in range(11)
    ]
    assert codes[:10] == [400] * 10 and codes[10] == 429


def test_the_refusal_is_a_friendly_page(limited):
    client = limited.test_client()
    for i in range(21):
        response = client.post(
            "/auth/login", data={"username": f"u{i}", "password": "x"}, environ_base={"REMOTE_ADDR": "192.0.2.3"}
        )
    assert response.status_code == 429 and response.mimetype == "text/html"
    assert "Retry-After" in response.headers or "X-RateLimit-Reset" in response.headers
