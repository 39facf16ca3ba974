"""Two institutions in one store, each with complaints, verdicts and an account per role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api_seed import ORGS, PASSWORD, seed_institution
from qinglang.api import create_app
from qinglang.services.accounts import ROLES, add_account, issue_token


@pytest.fixture
def store(engine, settings, tmp_path):
    for org, prefix in zip(ORGS, ("A", "B")):
        seed_institution(engine, settings, tmp_path, org, prefix)
        for role in ROLES:
            add_account(engine, org, role, PASSWORD, role)
    return engine


@pytest.fixture
def client(store, settings):
    with TestClient(create_app(settings, store)) as test_client:
        yield test_client


@pytest.fixture
def as_role(store):
    """Authorization headers for an account of `role` at `org` (bank-a by default)."""

    def headers(role: str, org: str = ORGS[0]) -> dict:
        return {"Authorization": f"Bearer {issue_token(store, org, role, 'test').secret}"}

    return headers
