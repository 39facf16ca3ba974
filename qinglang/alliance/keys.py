"""The hub's OPRF key: a file beside (never inside) the hub's store, with its epoch.

Rotation writes the next key to `hub.key.next` first, re-keys the pool in one transaction that
also advances the store's epoch, and only then replaces `hub.key`; a hub killed in between finds
on start which of the two keys the store's epoch belongs to.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from qinglang.errors import ConfigError


@dataclass(frozen=True, repr=False)
class HubKey:
    epoch: int
    scalar: bytes

    def __repr__(self) -> str:
        return f"HubKey(epoch={self.epoch})"


def key_path(home: Path) -> Path:
    return home / "hub.key"


def read_key(path: Path) -> HubKey:
    try:
        epoch, hex_scalar = path.read_text().split()
        return HubKey(int(epoch), bytes.fromhex(hex_scalar))
    except (OSError, ValueError):
        raise ConfigError(f"the hub key {path} is missing or unreadable") from None


def write_key(path: Path, key: HubKey) -> None:
    """Written to a fresh file readable by the owner only, then moved into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(f"{key.epoch} {key.scalar.hex()}\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def next_key_path(home: Path) -> Path:
    return home / "hub.key.next"


def settle_key(home: Path, store_epoch: int | None) -> HubKey | None:
    """The key that belongs to the store's epoch, finishing or dropping a rotation that a kill
    interrupted; for a new store the key file if there is one, else None."""
    current, pending = key_path(home), next_key_path(home)
    if pending.exists():
        candidate = read_key(pending)
        if candidate.epoch == store_epoch:
            os.replace(pending, current)
        else:
            pending.unlink()
    if store_epoch is None:
        return read_key(current) if current.exists() else None
    key = read_key(current)
    if key.epoch != store_epoch:
        raise ConfigError(f"the hub key is for epoch {key.epoch} but the store is at epoch "
                          f"{store_epoch}: start the hub with the key that belongs to it")
    return key
