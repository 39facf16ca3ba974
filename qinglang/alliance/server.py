"""Running the hub: its store, key, administrator token, worker processes, log and uvicorn."""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from qinglang.alliance import oprf
from qinglang.alliance.hub import Hub
from qinglang.alliance.hub_app import create_app
from qinglang.alliance.hub_store import open_hub_store

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


@dataclass(frozen=True)
class HubConfig:
    home: Path
    db_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8600
    policy: dict | None = None  # changes to the stored alliance policy (fields of Policy)
    workers: int = 1
    log_file: Path | None = None


def admin_token(home: Path) -> str:
    """QINGLANG_ALLIANCE_ADMIN_TOKEN, else `admin.token` in the hub's home (made on first
    start, readable by the owner only)."""
    given = os.environ.get("QINGLANG_ALLIANCE_ADMIN_TOKEN")
    if given:
        return given
    path = home / "admin.token"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def serve(config: HubConfig) -> None:
    config.home.mkdir(parents=True, exist_ok=True)
    db_url = config.db_url or f"sqlite:///{config.home / 'hub.db'}"
    handlers = [logging.FileHandler(config.log_file)] if config.log_file else None
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, handlers=handlers, force=True)
    executor = oprf.worker_pool(config.workers) if config.workers > 1 else None
    if executor:  # start the workers now rather than in the first member's request
        for _ in range(config.workers):
            executor.submit(oprf.is_valid_point, bytes(oprf.POINT))
    try:
        hub = Hub(open_hub_store(db_url), config.home, admin_token(config.home), config.policy,
                  executor, config.workers)
        uvicorn.run(create_app(hub), host=config.host, port=config.port, log_config=None,
                    access_log=True)
    finally:
        if executor:
            executor.shutdown()
