"""`qinglang user add|list|token|disable`: the accounts a dashboard login and an API use."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from factories import TEST_KEY
from qinglang.api import create_app
from qinglang.cli import app
from qinglang.settings import load_settings

runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("QINGLANG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("QINGLANG_DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("QINGLANG_SECRET_KEY", TEST_KEY)
    monkeypatch.setenv("QINGLANG_ORG", "demo-bank")


def invoke(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_a_generated_login_and_a_token_work_against_the_api(env):
    added = invoke("user", "add", "demo", "--role", "admin", "--generate")
    password = re.search(r"password: (\S+)", added).group(1)
    token = invoke("user", "token", "demo", "--label", "etl").strip()
    assert token.startswith("qlt_")
    assert "demo" in invoke("user", "list") and password not in invoke("user", "list")
    with TestClient(create_app(load_settings())) as client:
        session = client.post("/api/v1/auth/login",
                              json={"username": "demo", "password": password})
        assert session.status_code == 200 and session.json()["org"] == "demo-bank"
        me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["role"] == "admin"
    invoke("user", "disable", "demo")
    with TestClient(create_app(load_settings())) as client:
        assert client.get("/api/v1/auth/me",
                          headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_mistakes_are_reported_without_a_traceback(env):
    invoke("user", "add", "demo", "--role", "admin", "--password", "long enough pw")
    output = invoke("user", "add", "demo", "--role", "admin", "--password", "long enough pw",
                    code=2)
    assert "already exists" in output
    assert "unknown role" in invoke("user", "add", "x1", "--role", "root", "--password",
                                    "long enough pw", code=2)


def test_replace_makes_a_repeatable_demo_login(env):
    invoke("user", "add", "demo", "--role", "viewer", "--password", "first password")
    invoke("user", "disable", "demo")
    again = invoke("user", "add", "demo", "--role", "admin", "--generate", "--replace")
    password = re.search(r"password: (\S+)", again).group(1)
    with TestClient(create_app(load_settings())) as client:
        session = client.post("/api/v1/auth/login",
                              json={"username": "demo", "password": password}).json()
        assert session["role"] == "admin"
