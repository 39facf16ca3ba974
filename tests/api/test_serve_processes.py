"""`qinglang serve --workers 2`: two server processes over one store, as deployed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from api_seed import ORGS, PASSWORD


@pytest.fixture
def served(store, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "QINGLANG_HOME": str(settings.home), "QINGLANG_DB_URL": settings.db_url,
           "QINGLANG_ORG": ORGS[0], "QINGLANG_SECRET_KEY": settings.secret_key_hex}
    server = subprocess.Popen([sys.executable, "-m", "qinglang.cli", "serve", "--port", str(port),
                               "--workers", "2"], env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                httpx.get(f"{base}/api/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(30)


def login(base: str, password: str) -> httpx.Response:
    return httpx.post(f"{base}/api/v1/auth/login", timeout=10,
                      json={"org": ORGS[0], "username": "analyst", "password": password})


def test_two_processes_serve_the_store_and_share_the_login_throttle(served):
    token = login(served, PASSWORD).json()["token"]
    listed = httpx.get(f"{served}/api/v1/complaints", timeout=10,
                       headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200 and listed.json()["total"] == 3
    # each new connection may land on either process; the sixth attempt is refused by both
    statuses = [login(served, "not the password").status_code for _ in range(5)]
    assert statuses == [401] * 5
    assert {login(served, PASSWORD).status_code for _ in range(4)} == {429}
