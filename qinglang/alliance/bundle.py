"""The compact encoding of the pool that members download and match against locally.

For each distinct pool point P (an OPRF output under the hub's key) the bundle holds
- a 64-bit tag H2(P), sorted and quotiented: the top 16 bits are implied by a bucket table,
  the low 48 bits are stored (6 bytes an item);
- 10 bytes of metadata (institutions if ≥ k, else 0; highest confidence; category bits;
  first and last seen as days) XOR-ed with a pad H3(P ‖ pool version).

A member who computed P for one of its own identifiers finds the tag and opens the metadata;
every other entry is a random-looking tag and ciphertext. The bundle never names a reporter.
"""

from __future__ import annotations

import hashlib
import struct
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import orjson

from qinglang.errors import QinglangError

BUCKET_BITS = 16
LOW_BYTES = 6
META = struct.Struct("<BBIHH")
EPOCH_DAY = date(2000, 1, 1)
MAX_CATEGORIES = 32
_HEADER = struct.Struct("<I")


@dataclass(frozen=True)
class PoolEntry:
    """What the hub aggregates for one point over its contributors."""

    point: bytes
    institutions: int
    confidence: float
    categories: frozenset[str]
    first_seen: date
    last_seen: date


@dataclass(frozen=True)
class Found:
    """What a member learns about one of its own indicators."""

    institutions: int | None
    confidence: float
    categories: tuple[str, ...]
    first_seen: date
    last_seen: date


def tag(point: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(point, digest_size=8, person=b"ql-tag").digest(), "big")


def _pad(point: bytes, version: int) -> bytes:
    return hashlib.blake2b(point + version.to_bytes(8, "big"), digest_size=META.size,
                           person=b"ql-meta").digest()


def _xor(a: bytes, b: bytes) -> bytes:
    return (int.from_bytes(a, "little") ^ int.from_bytes(b, "little")).to_bytes(len(a), "little")


def _day(value: date) -> int:
    return min(max((value - EPOCH_DAY).days, 0), 0xFFFF)


def encode(entries: Iterable[PoolEntry], categories: list[str], *, version: int, epoch: int,
           k: int) -> bytes:
    """The bundle: a JSON header, the bucket table, the tags' low bits, the sealed metadata.
    Entries stream in; per entry only its 8-byte tag and 10 sealed bytes are kept."""
    categories = sorted(categories)[:MAX_CATEGORIES]
    bit = {c: 1 << i for i, c in enumerate(categories)}
    tags, sealed = array("Q"), bytearray()
    for entry in entries:
        tags.append(tag(entry.point))
        sealed += _xor(_plain(entry, k, bit), _pad(entry.point, version))
    order = np.argsort(np.frombuffer(tags, dtype=np.uint64), kind="stable")
    sorted_tags = np.frombuffer(tags, dtype=np.uint64)[order]
    buckets = (sorted_tags >> np.uint64(64 - BUCKET_BITS)).astype(np.int64)
    offsets = np.searchsorted(buckets, np.arange((1 << BUCKET_BITS) + 1)).astype("<u4")
    low = sorted_tags.astype(">u8").view(np.uint8).reshape(-1, 8)[:, 8 - LOW_BYTES:]
    metadata = np.frombuffer(bytes(sealed), dtype=np.uint8).reshape(-1, META.size)[order]
    header = orjson.dumps({"version": version, "epoch": epoch, "k": k, "count": len(order),
                           "categories": categories})
    return b"".join((_HEADER.pack(len(header)), header, offsets.tobytes(), low.tobytes(),
                     metadata.tobytes()))


def _plain(entry: PoolEntry, k: int, bit: dict[str, int]) -> bytes:
    shown = min(entry.institutions, 255) if entry.institutions >= k else 0
    mask = 0
    for category in entry.categories:
        mask |= bit.get(category, 0)
    return META.pack(shown, round(entry.confidence * 100), mask, _day(entry.first_seen),
                     _day(entry.last_seen))


class Bundle:
    """A downloaded bundle, ready to look member points up in."""

    def __init__(self, data: bytes):
        try:
            (size,) = _HEADER.unpack_from(data)
            self.header = orjson.loads(data[_HEADER.size:_HEADER.size + size])
            start = _HEADER.size + size
            count = self.header["count"]
            table = (1 << BUCKET_BITS) + 1
            offsets = np.frombuffer(data, dtype="<u4", count=table, offset=start)
            start += table * 4
            low = np.frombuffer(data, dtype=np.uint8, count=count * LOW_BYTES, offset=start)
            start += count * LOW_BYTES
            self._sealed = memoryview(data)[start:start + count * META.size]
        except (struct.error, ValueError, KeyError) as error:
            raise QinglangError(f"the pool bundle is damaged ({type(error).__name__})") from None
        if len(self._sealed) != count * META.size:
            raise QinglangError("the pool bundle is truncated")
        wide = np.zeros((count, 8), dtype=np.uint8)
        wide[:, 2:] = low.reshape(count, LOW_BYTES)
        high = np.repeat(np.arange(1 << BUCKET_BITS, dtype=np.uint64), np.diff(offsets))
        self._tags = wide.view(">u8").reshape(count).astype(np.uint64) | (
            high << np.uint64(64 - BUCKET_BITS))

    @property
    def version(self) -> int:
        return self.header["version"]

    @property
    def epoch(self) -> int:
        return self.header["epoch"]

    def __len__(self) -> int:
        return self.header["count"]

    def lookup(self, points: list[bytes]) -> dict[int, Found]:
        """Index in `points` → what the pool says, for the points that are in the pool."""
        if not points or not len(self):
            return {}
        wanted = np.fromiter((tag(p) for p in points), dtype=np.uint64, count=len(points))
        where = np.minimum(np.searchsorted(self._tags, wanted), len(self) - 1)
        hits = np.nonzero(self._tags[where] == wanted)[0]
        return {int(i): self._open(points[i], int(where[i])) for i in hits}

    def _open(self, point: bytes, row: int) -> Found:
        sealed = bytes(self._sealed[row * META.size:(row + 1) * META.size])
        shown, confidence, mask, first, last = META.unpack(
            _xor(sealed, _pad(point, self.version)))
        names = self.header["categories"]
        return Found(
            institutions=shown or None,
            confidence=confidence / 100,
            categories=tuple(c for i, c in enumerate(names) if mask >> i & 1),
            first_seen=EPOCH_DAY + timedelta(days=first),
            last_seen=EPOCH_DAY + timedelta(days=last),
        )
