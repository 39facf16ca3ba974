"""Settings from QINGLANG_* environment variables.

Embedded default: a SQLite file under QINGLANG_HOME (./.qinglang), no server to start.
Production: QINGLANG_DB_URL=postgresql+psycopg://user:pass@host/db, same code.
"""

from __future__ import annotations

import getpass
import os
import secrets
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from qinglang.errors import ConfigError

DEFAULT_BATCH_ROWS = 5000
DEFAULT_MAX_FIELD_CHARS = 1_000_000


@dataclass(frozen=True)
class Settings:
    home: Path
    db_url: str
    org: str
    batch_rows: int
    max_field_chars: int
    secret_key_hex: str | None
    import_workers: int = 1
    user: str = "system"

    @cached_property
    def secret_key(self) -> bytes:
        """The master key protecting id numbers; from QINGLANG_SECRET_KEY or a key file."""
        if self.secret_key_hex:
            return _decode_key(self.secret_key_hex, "QINGLANG_SECRET_KEY")
        return _load_or_create_key_file(self.home / "secret.key")

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")


def load_settings() -> Settings:
    home = Path(os.environ.get("QINGLANG_HOME", ".qinglang")).resolve()
    db_url = os.environ.get("QINGLANG_DB_URL") or f"sqlite:///{home / 'qinglang.db'}"
    return Settings(
        home=home,
        db_url=db_url,
        org=os.environ.get("QINGLANG_ORG", "default"),
        batch_rows=_positive_int("QINGLANG_BATCH_ROWS", DEFAULT_BATCH_ROWS),
        max_field_chars=_positive_int("QINGLANG_MAX_FIELD_CHARS", DEFAULT_MAX_FIELD_CHARS),
        secret_key_hex=os.environ.get("QINGLANG_SECRET_KEY"),
        import_workers=_positive_int("QINGLANG_IMPORT_WORKERS", os.cpu_count() or 1),
        user=login_name(),
    )


def login_name() -> str:
    """Who acts, for the audit log: QINGLANG_USER, else the operating-system login."""
    try:
        return os.environ.get("QINGLANG_USER") or getpass.getuser()
    except OSError:
        return "unknown"


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {value}")
    return value


def _decode_key(hex_key: str, origin: str) -> bytes:
    try:
        key = bytes.fromhex(hex_key.strip())
    except ValueError:
        raise ConfigError(f"{origin} must be 64 hexadecimal characters") from None
    if len(key) != 32:
        raise ConfigError(f"{origin} must be 32 bytes (64 hexadecimal characters)")
    return key


def _load_or_create_key_file(path: Path) -> bytes:
    """Create a random key on first use, readable by the owner only."""
    if path.exists():
        return _decode_key(path.read_text(), str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(32))
    return _decode_key(path.read_text(), str(path))
