"""Failed logins slow a password guesser down to nothing.

Failures are counted over a sliding window per account (institution + username) and per
client address. Past either limit, logins are refused — a correct password included, and
before the password is even checked, so a guesser learns nothing and cannot make the server
spend a password hash per guess — until the oldest counted failure leaves the window. A
successful login clears its account's count. The counts live in the serving process: the
limits hold per server process, and a restart forgets them.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Callable

from qinglang.errors import QinglangError

ACCOUNT_LIMIT = 5  # failures per account within the window
CLIENT_LIMIT = 20  # failures per client address within the window
WINDOW_SECONDS = 15 * 60
MAX_KEYS = 100_000  # bounded memory against a flood of made-up usernames


class TooManyAttempts(QinglangError):
    http_status = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: float):
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(f"too many failed logins; try again in {minutes} minutes")
        self.retry_after = math.ceil(retry_after)


class LoginThrottle:
    def __init__(self, account_limit: int = ACCOUNT_LIMIT, client_limit: int = CLIENT_LIMIT,
                 window_seconds: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self.limits = {"account": account_limit, "client": client_limit}
        self.window = window_seconds
        self.clock = clock
        self._failures: dict[tuple, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, account: tuple[str, str], client: str | None) -> None:
        """Raise TooManyAttempts if the account or the client is over its limit."""
        now = self.clock()
        with self._lock:
            waits = [self._wait(key, now) for key in self._keys(account, client)]
        if max(waits) > 0:
            raise TooManyAttempts(max(waits))

    def failed(self, account: tuple[str, str], client: str | None) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) >= MAX_KEYS:
                self._forget_expired(now)
            for key in self._keys(account, client):
                times = self._failures.setdefault(key, deque(maxlen=self.limits[key[0]]))
                times.append(now)

    def succeeded(self, account: tuple[str, str]) -> None:
        with self._lock:
            self._failures.pop(("account", *account), None)

    def _keys(self, account: tuple[str, str], client: str | None) -> list[tuple]:
        return [("account", *account)] + ([("client", client)] if client else [])

    def _wait(self, key: tuple, now: float) -> float:
        """Seconds until `key` may try again (0: now)."""
        times = self._failures.get(key)
        if not times or len(times) < self.limits[key[0]]:
            return 0.0
        return max(0.0, times[0] + self.window - now)

    def _forget_expired(self, now: float) -> None:
        for key in [k for k, times in self._failures.items() if times[-1] + self.window <= now]:
            del self._failures[key]
