"""The member's side of the protocol: blind, have the hub evaluate, unblind, match locally.

Items are canonical indicators ('phone:+86…'). They go to the hub a chunk at a time, each
chunk blinded with a fresh scalar r; what comes back is unblinded with r⁻¹ into the OPRF
points k·H1(x), which the member then looks up in its copy of the pool bundle or contributes.
Hashing and scalar multiplications are split over worker processes when given an executor.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from pathlib import Path

from qinglang.alliance import oprf
from qinglang.alliance.bundle import Bundle, Found
from qinglang.alliance.client import HubClient
from qinglang.alliance.hub import Contribution

CHUNK = 50_000


@dataclass
class Workers:
    executor: Executor | None = None
    count: int = 1


def oprf_points(client: HubClient, items: list[str], workers: Workers,
                chunk: int = CHUNK) -> Iterator[tuple[int, int, list[bytes]]]:
    """(offset, key epoch, k·H1(x) for items[offset:offset+chunk]) for each chunk."""
    for offset in range(0, len(items), chunk):
        yield offset, *evaluate(client, items[offset:offset + chunk], workers)


def evaluate(client: HubClient, items: list[str], workers: Workers) -> tuple[int, list[bytes]]:
    """The hub's key epoch and k·H1(x) for each item, blinded with a fresh scalar."""
    r = oprf.new_key()
    blinded = oprf.blind_items(workers.executor, workers.count, r, items)
    epoch, evaluated = client.evaluate(blinded)
    points = oprf.map_points(workers.executor, workers.count, oprf.invert(r), evaluated)
    return epoch, oprf.split_points(points)


def sync(client: HubClient, cache: Path) -> Bundle:
    """The pool bundle, downloaded again only when the hub's has changed."""
    tag_file = cache.with_suffix(".etag")
    etag = tag_file.read_text() if cache.exists() and tag_file.exists() else None
    new_tag, data = client.pool(etag)
    if data is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache.with_suffix(".tmp")
        temporary.write_bytes(data)
        temporary.replace(cache)
        tag_file.write_text(new_tag)
    return Bundle(cache.read_bytes())


def match(client: HubClient, items: list[str], cache: Path,
          workers: Workers) -> dict[int, Found]:
    """Index in `items` → what the pool says, for the items in the pool."""
    bundle = sync(client, cache)
    found: dict[int, Found] = {}
    for offset, epoch, points in oprf_points(client, items, workers):
        if epoch != bundle.epoch:  # the key was rotated: the pool's and then this chunk's
            bundle = sync(client, cache)
            while epoch != bundle.epoch:
                epoch, points = evaluate(client, items[offset:offset + len(points)], workers)
                bundle = sync(client, cache) if epoch != bundle.epoch else bundle
        found.update({offset + i: f for i, f in bundle.lookup(points).items()})
    return found


def contribute(client: HubClient, items: list[str], facts: list[Contribution],
               workers: Workers) -> int:
    """Contribute items; `facts[i]` describes items[i] (its point is computed here; a key
    rotation between evaluation and upload makes the hub refuse with 409: run it again)."""
    stored = 0
    for offset, epoch, points in oprf_points(client, items, workers):
        batch = [replace(f, point=p) for p, f in zip(points, facts[offset:])]
        stored += client.contribute(epoch, batch)
    return stored


def withdraw(client: HubClient, items: list[str] | None, workers: Workers) -> int:
    """Withdraw the member's own contributions of `items` (all of them when None)."""
    if items is None:
        return client.withdraw(None, None)
    return sum(client.withdraw(epoch, points)
               for _, epoch, points in oprf_points(client, items, workers))

