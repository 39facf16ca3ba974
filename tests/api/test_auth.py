"""Logging in, tokens, and what each role may do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from api_seed import ORGS, PASSWORD
from qinglang.services import accounts
from qinglang.store.tables_accounts import accounts as accounts_table
from qinglang.store.tables_accounts import api_tokens


def login(client, username, password=PASSWORD, org=ORGS[0]):
    return client.post("/api/v1/auth/login",
                       json={"org": org, "username": username, "password": password})


def test_login_gives_a_token_that_identifies_the_account(client):
    response = login(client, "analyst")
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert (me["org"], me["username"], me["role"]) == (ORGS[0], "analyst", "analyst")
    assert "reveal" in me["permissions"] and "complaints" in me["features"]


def test_wrong_password_and_unknown_user_fail_alike(client):
    wrong = login(client, "analyst", "not the password")
    unknown = login(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "unauthenticated"


def test_passwords_and_tokens_are_stored_only_hashed(store):
    issued = accounts.issue_token(store, ORGS[0], "viewer", "test")
    with store.connect() as conn:
        stored_hash = conn.execute(select(accounts_table.c.password_hash).where(
            accounts_table.c.org == ORGS[0], accounts_table.c.username == "viewer")).scalar()
        digests = [r[0] for r in conn.execute(select(api_tokens.c.token_digest))]
    assert stored_hash.startswith("$argon2id$") and PASSWORD not in stored_hash
    assert issued.secret not in digests and len(digests[0]) == 64


def test_requests_without_a_live_token_are_refused(client, store, as_role):
    assert client.get("/api/v1/overview").status_code == 401
    bogus = {"Authorization": "Bearer qlt_made-up"}
    assert client.get("/api/v1/overview", headers=bogus).json()["error"]["code"] == \
        "unauthenticated"
    expired = accounts.issue_token(store, ORGS[0], "viewer", "old", timedelta(seconds=-1))
    assert client.get("/api/v1/overview",
                      headers={"Authorization": f"Bearer {expired.secret}"}).status_code == 401


def test_logout_revokes_the_token(client, as_role):
    headers = as_role("viewer")
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/overview", headers=headers).status_code == 401


def test_a_disabled_account_cannot_log_in_or_use_its_tokens(client, store, as_role):
    headers = as_role("analyst")
    accounts.set_disabled(store, ORGS[0], "analyst", True)
    assert client.get("/api/v1/overview", headers=headers).status_code == 401
    assert login(client, "analyst").status_code == 401


@pytest.mark.parametrize("role, method, path, allowed", [
    ("viewer", "get", "/api/v1/complaints", True),
    ("viewer", "post", "/api/v1/complaints/AT1/reveal", False),
    ("auditor", "post", "/api/v1/complaints/AT1/reveal", False),
    ("viewer", "get", "/api/v1/accounts", False),
    ("analyst", "get", "/api/v1/accounts", False),
    ("admin", "get", "/api/v1/accounts", True),
    ("viewer", "post", "/api/v1/imports", False),
])
def test_roles_grant_what_they_say(client, as_role, role, method, path, allowed):
    response = getattr(client, method)(path, headers=as_role(role))
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"


def test_an_admin_manages_accounts_of_its_own_institution_only(client, as_role):
    headers = as_role("admin")
    created = client.post("/api/v1/accounts", headers=headers, json={
        "username": "new.analyst", "password": "long enough pw", "role": "analyst"})
    assert created.status_code == 201
    names = {a["username"] for a in client.get("/api/v1/accounts", headers=headers).json()}
    other = {a["username"] for a in client.get("/api/v1/accounts",
                                                headers=as_role("admin", ORGS[1])).json()}
    assert "new.analyst" in names and "new.analyst" not in other
    token = client.post("/api/v1/accounts/new.analyst/tokens", headers=headers,
                        json={"label": "etl", "days": 30}).json()["token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert (me["org"], me["username"]) == (ORGS[0], "new.analyst")


def test_weak_passwords_and_unknown_roles_are_refused(store):
    with pytest.raises(accounts.AccountError):
        accounts.add_account(store, ORGS[0], "short", "abc", "viewer")
    with pytest.raises(accounts.AccountError):
        accounts.add_account(store, ORGS[0], "boss", "long enough pw", "superuser")
