"""The oblivious PRF of the alliance: 2HashDH over ristretto255, through libsodium.

    H1(x)    = ristretto255_from_hash(SHA-512(DOMAIN ‖ x))      a point nobody knows the log of
    member   : B = r·H1(x)            (r a fresh secret scalar per batch; B reveals nothing of x)
    hub      : E = k·B                (k the hub's secret key; the only step that needs k)
    member   : P = r⁻¹·E = k·H1(x)    the OPRF point; the member's output is F(x) = H2(P)

The hub stores pool entries as points P = k·H1(x) (re-keyed on rotation by multiplying with
k'·k⁻¹). Without k a stored point cannot be recomputed from a guessed x, so a copy of the hub's
database confirms nothing. Batches go through `map_points` as concatenated 32-byte points, in
one C call per point with preallocated buffers; worker processes split large batches.
"""

from __future__ import annotations

import ctypes
import hashlib
from collections.abc import Iterable
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from multiprocessing import get_context

import pysodium

from qinglang.errors import QinglangError
from qinglang.ingest.parallel import _exit_with_parent

POINT = 32
SCALAR = 32
DOMAIN = b"qinglang-alliance-oprf-v1\x00"
_sodium = pysodium.sodium
_SPLIT_FROM = 2_000  # below this many points a batch is not worth sending to other processes


class ProtocolError(QinglangError):
    """A peer sent something that is not a valid point or scalar."""

    code = "protocol"


def random_scalar() -> bytes:
    scalar = ctypes.create_string_buffer(SCALAR)
    _sodium.crypto_core_ristretto255_scalar_random(scalar)
    return scalar.raw


def invert(scalar: bytes) -> bytes:
    out = ctypes.create_string_buffer(SCALAR)
    if _sodium.crypto_core_ristretto255_scalar_invert(out, scalar) != 0:
        raise ProtocolError("a zero scalar has no inverse")
    return out.raw


def multiply_scalars(a: bytes, b: bytes) -> bytes:
    out = ctypes.create_string_buffer(SCALAR)
    _sodium.crypto_core_ristretto255_scalar_mul(out, a, b)
    return out.raw


def hash_to_points(items: Iterable[str]) -> bytes:
    """H1 of each canonical indicator, concatenated."""
    out = bytearray()
    point = ctypes.create_string_buffer(POINT)
    from_hash = _sodium.crypto_core_ristretto255_from_hash
    sha512 = hashlib.sha512
    for item in items:
        from_hash(point, sha512(DOMAIN + item.encode()).digest())
        out += point.raw
    return bytes(out)


def multiply_points(scalar: bytes, points: bytes) -> bytes:
    """scalar·P for each 32-byte point of `points`; refuses anything that is not a point."""
    if len(points) % POINT:
        raise ProtocolError("points must come as whole 32-byte encodings")
    out = ctypes.create_string_buffer(len(points))
    base = ctypes.addressof(out)
    view = memoryview(points)
    multiply = _sodium.crypto_scalarmult_ristretto255
    for offset in range(0, len(points), POINT):
        if multiply(ctypes.c_void_p(base + offset), scalar, bytes(view[offset:offset + POINT])):
            raise ProtocolError("a point is not a valid ristretto255 encoding")
    return out.raw


def hash_and_blind(scalar: bytes, items: list[str]) -> bytes:
    """r·H1(x) for each item: one call, so that a worker process does both steps."""
    return multiply_points(scalar, hash_to_points(items))


def map_points(executor: Executor | None, workers: int, scalar: bytes, points: bytes) -> bytes:
    """multiply_points split over `workers` processes (in order) when the batch is large."""
    count = len(points) // POINT
    if executor is None or workers < 2 or count < _SPLIT_FROM:
        return multiply_points(scalar, points)
    step = -(-count // workers) * POINT
    parts = [points[i:i + step] for i in range(0, len(points), step)]
    return b"".join(executor.map(multiply_points, [scalar] * len(parts), parts))


def blind_items(executor: Executor | None, workers: int, scalar: bytes,
                items: list[str]) -> bytes:
    """hash_and_blind split over `workers` processes when the batch is large."""
    if executor is None or workers < 2 or len(items) < _SPLIT_FROM:
        return hash_and_blind(scalar, items)
    step = -(-len(items) // workers)
    parts = [items[i:i + step] for i in range(0, len(items), step)]
    return b"".join(executor.map(hash_and_blind, [scalar] * len(parts), parts))


def split_points(points: bytes) -> list[bytes]:
    return [points[i:i + POINT] for i in range(0, len(points), POINT)]


def worker_pool(count: int) -> ProcessPoolExecutor:
    """Processes for batches of multiplications, started fresh (spawn: no inherited locks
    from a server's threads) and ending with the process that made them, however it ends."""
    return ProcessPoolExecutor(count, mp_context=get_context("spawn"),
                               initializer=_exit_with_parent, initargs=(os.getpid(),))


def new_key() -> bytes:
    """A hub key: a uniformly random non-zero scalar."""
    key = random_scalar()
    while key == bytes(SCALAR):
        key = random_scalar()
    return key


def check_libsodium() -> None:
    """ristretto255 arrived in libsodium 1.0.18."""
    if not pysodium.sodium_version_check(1, 0, 18):
        raise QinglangError("libsodium 1.0.18 or later is needed (Debian: libsodium23)")



def is_valid_point(point: bytes) -> bool:
    return bool(_sodium.crypto_core_ristretto255_is_valid_point(point))
