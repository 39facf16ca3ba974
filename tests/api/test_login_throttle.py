"""Failed logins lock an account, and an address, out for a while."""

from __future__ import annotations

import pytest

from api_seed import ORGS, PASSWORD
from qinglang.services.throttle import LoginThrottle, TooManyAttempts


def login(client, username, password=PASSWORD):
    return client.post("/api/v1/auth/login",
                       json={"org": ORGS[0], "username": username, "password": password})


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_account_is_locked_after_its_limit_until_the_first_failure_leaves_the_window(engine):
    clock = Clock()
    throttle = LoginThrottle(engine, account_limit=3, client_limit=100, window_seconds=600,
                             clock=clock)
    account = ("bank-a", "analyst")
    for _ in range(3):
        throttle.check(account, "10.0.0.1")
        throttle.failed(account, "10.0.0.1")
        clock.now += 60
    with pytest.raises(TooManyAttempts) as locked:
        throttle.check(account, "10.0.0.2")
    assert locked.value.retry_after == 600 - 180
    throttle.check(("bank-a", "viewer"), "10.0.0.2")  # other accounts are not affected
    clock.now = 1000.0 + 600
    throttle.check(account, "10.0.0.1")


def test_a_success_clears_the_account_but_not_the_address(engine):
    clock = Clock()
    throttle = LoginThrottle(engine, account_limit=2, client_limit=3, window_seconds=600,
                             clock=clock)
    throttle.failed(("bank-a", "analyst"), "10.0.0.1")
    throttle.succeeded(("bank-a", "analyst"))
    throttle.failed(("bank-a", "analyst"), "10.0.0.1")
    throttle.check(("bank-a", "analyst"), "10.0.0.1")
    throttle.failed(("bank-a", "viewer"), "10.0.0.1")
    with pytest.raises(TooManyAttempts):
        throttle.check(("bank-a", "admin"), "10.0.0.1")
    throttle.check(("bank-a", "admin"), "10.0.0.9")


def test_every_server_process_sees_the_same_counts_and_a_restart_forgets_none(engine):
    """Two throttles over one store stand for two `serve --workers` processes, or a server
    before and after a restart."""
    clock = Clock()
    first, second = (LoginThrottle(engine, account_limit=4, client_limit=100,
                                   window_seconds=600, clock=clock) for _ in range(2))
    for throttle in (first, second, first, second):
        throttle.failed(("bank-a", "analyst"), "10.0.0.1")
    for throttle in (first, second, LoginThrottle(engine, account_limit=4, clock=clock)):
        with pytest.raises(TooManyAttempts):
            throttle.check(("bank-a", "analyst"), "10.0.0.7")


def test_the_store_keeps_no_username_or_address_and_forgets_expired_failures(engine):
    from sqlalchemy import select

    from qinglang.store.tables_accounts import login_failures

    clock = Clock()
    throttle = LoginThrottle(engine, window_seconds=600, clock=clock)
    throttle.failed(("bank-a", "analyst"), "10.0.0.1")
    clock.now += 601
    throttle.failed(("bank-a", "viewer"), "10.0.0.2")
    with engine.connect() as conn:
        stored = conn.execute(select(login_failures.c.key_digest,
                                     login_failures.c.failed_at)).all()
    assert len(stored) == 2 and {at for _, at in stored} == {clock.now}
    assert not any(word in digest for digest, _ in stored
                   for word in ("analyst", "viewer", "10.0.0", "bank-a"))


def test_the_api_refuses_even_the_right_password_once_an_account_is_locked(client):
    for _ in range(5):
        assert login(client, "analyst", "not the password").status_code == 401
    refused = login(client, "analyst")
    assert refused.status_code == 429
    body = refused.json()["error"]
    assert body["code"] == "too_many_attempts" and "analyst" not in body["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert login(client, "viewer").status_code == 200


def test_the_api_locks_out_an_address_that_guesses_many_accounts(client):
    for i in range(20):
        assert login(client, f"guess{i}", "not the password").status_code == 401
    assert login(client, "viewer").status_code == 429
