"""Failed logins slow a password guesser down to nothing.

Failures are counted over a sliding window per account (institution + username) and per
client address. Past either limit, logins are refused — a correct password included, and
before the password is even checked, so a guesser learns nothing and cannot make the server
spend a password hash per guess — until the oldest counted failure leaves the window. A
successful login clears its account's count. The counts live in the store (under a digest of
what they count against), so the limits hold across the processes of `qinglang serve
--workers N`, across servers sharing a PostgreSQL store, and across restarts.
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import Callable

from sqlalchemy import Engine, delete, insert, select

from qinglang.errors import QinglangError
from qinglang.store.tables_accounts import login_failures

ACCOUNT_LIMIT = 5  # failures per account within the window
CLIENT_LIMIT = 20  # failures per client address within the window
WINDOW_SECONDS = 15 * 60


class TooManyAttempts(QinglangError):
    http_status = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: float):
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(f"too many failed logins; try again in {minutes} minutes")
        self.retry_after = math.ceil(retry_after)


class LoginThrottle:
    def __init__(self, engine: Engine, account_limit: int = ACCOUNT_LIMIT,
                 client_limit: int = CLIENT_LIMIT, window_seconds: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.time):
        self.engine = engine
        self.limits = {"account": account_limit, "client": client_limit}
        self.window = window_seconds
        self.clock = clock

    def check(self, account: tuple[str, str], client: str | None) -> None:
        """Raise TooManyAttempts if the account or the client is over its limit."""
        now = self.clock()
        with self.engine.connect() as conn:
            waits = [self._wait(conn, kind, digest, now) for kind, digest in self._keys(account, client)]
        if max(waits) > 0:
            raise TooManyAttempts(max(waits))

    def failed(self, account: tuple[str, str], client: str | None) -> None:
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(delete(login_failures).where(login_failures.c.failed_at <= now - self.window))
            conn.execute(insert(login_failures), [{"key_digest": digest, "failed_at": now}
                                                  for _, digest in self._keys(account, client)])

    def succeeded(self, account: tuple[str, str]) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(login_failures).where(
                login_failures.c.key_digest == _digest("account", *account)))

    @staticmethod
    def _keys(account: tuple[str, str], client: str | None) -> list[tuple[str, str]]:
        keys = [("account", _digest("account", *account))]
        return keys + ([("client", _digest("client", client))] if client else [])

    def _wait(self, conn, kind: str, digest: str, now: float) -> float:
        """Seconds until the key may try again (0: now): once its last `limit` failures all
        lie within the window, until the oldest of them leaves it."""
        limit = self.limits[kind]
        last = conn.execute(select(login_failures.c.failed_at).where(
            login_failures.c.key_digest == digest, login_failures.c.failed_at > now - self.window)
            .order_by(login_failures.c.failed_at.desc()).limit(limit)).scalars().all()
        return max(0.0, last[-1] + self.window - now) if len(last) >= limit else 0.0


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()
