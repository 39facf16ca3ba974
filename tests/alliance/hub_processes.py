"""Starting a hub and its members as separate processes on loopback, each with its own home."""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from factories import TEST_KEY
from qinglang.alliance.client import HubClient

ADMIN = "admin-token-for-tests-only"
INTEL_COLUMNS = ["indicator", "kind", "category", "source", "first_seen", "last_seen",
                 "confidence"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def qinglang(*args: str, env: dict, check: bool = True) -> subprocess.CompletedProcess:
    """Run the CLI in its own process."""
    done = subprocess.run([sys.executable, "-m", "qinglang.cli", *args], env=env,
                          capture_output=True, text=True, timeout=300)
    if check and done.returncode != 0:
        raise AssertionError(f"qinglang {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def write_intelligence(path: Path, rows: list[tuple]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(INTEL_COLUMNS)
        writer.writerows(rows)
    return path


@dataclass
class HubProcess:
    url: str
    home: Path
    log: Path
    process: subprocess.Popen

    @property
    def db(self) -> Path:
        return self.home / "hub.db"

    def admin(self) -> HubClient:
        return HubClient(self.url, ADMIN)


@dataclass
class MemberProcess:
    name: str
    home: Path
    env: dict = field(repr=False, default_factory=dict)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return qinglang("alliance", *args, "--workers", "1", env=self.env, check=check)

    @property
    def store(self) -> Path:
        return self.home / "qinglang.db"


def start_hub(tmp: Path, k: int = 2, quota: int = 1000) -> HubProcess:
    home, port = tmp / "hub", free_port()
    env = {**os.environ, "QINGLANG_ALLIANCE_ADMIN_TOKEN": ADMIN}
    log = tmp / "hub.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "qinglang.cli", "alliance", "serve", "--home", str(home),
         "--port", str(port), "--k", str(k), "--quota", str(quota), "--workers", "1",
         "--log-file", str(log)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the hub exited: {process.stderr.read().decode()}")
        try:
            httpx.get(f"{url}/v1/policy", timeout=1)
            return HubProcess(url, home, log, process)
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("the hub did not start within 180 s")


def stop_hub(hub: HubProcess) -> None:
    hub.process.terminate()
    try:
        hub.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        hub.process.kill()


def add_member(hub: HubProcess, tmp: Path, name: str, quota: int | None = None,
               through_cli: bool = False) -> MemberProcess:
    if through_cli:
        done = qinglang("alliance", "register", name, "--hub", hub.url, "--admin-token", ADMIN,
                        env=dict(os.environ))
        token = done.stdout.strip().splitlines()[-1]
    else:
        with hub.admin() as admin:
            token = admin.register(name, quota)
    home = tmp / name
    env = {**os.environ, "QINGLANG_HOME": str(home), "QINGLANG_ORG": name,
           "QINGLANG_SECRET_KEY": TEST_KEY, "QINGLANG_ALLIANCE_HUB": hub.url,
           "QINGLANG_ALLIANCE_TOKEN": token}
    env.pop("QINGLANG_DB_URL", None)
    return MemberProcess(name, home, env)
