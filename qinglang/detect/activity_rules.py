"""Identification rules on complaint activity and materials (domain.md 3.1, 4.7, 5.1, 5.4)."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

import numpy as np
from sqlalchemy import BigInteger, Connection, and_, cast, func, select

from qinglang.detect.base import Hit, built_once, complaints, hits_for_shared_keys
from qinglang.detect.images import near_pairs
from qinglang.rules.schema import RuleSet
from qinglang.store.tables import attachments


def frequency_and_channels(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """4.7: the customer made many complaints within a month up to this one; 5.4: through
    several channels within the window."""
    activity = _activity(conn, org)
    days, least = rules.param("4.7", "window_days"), rules.param("4.7", "min_complaints")
    counts = activity.in_window(days)
    for i in np.nonzero(counts >= least)[0]:
        yield Hit(activity.ids[i], "4.7",
                  {"complaints_in_window": int(counts[i]), "window_days": days})
    days, least = rules.param("5.4", "window_days"), rules.param("5.4", "min_channels")
    counts = activity.channels_in_window(days)
    for i in np.nonzero(counts >= least)[0]:
        yield Hit(activity.ids[i], "5.4",
                  {"channels_in_window": int(counts[i]), "window_days": days})


def reused_attachment(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """5.1: a file identical to, or a perceptual near copy of, one attached to another
    customer's complaint. Copies are counted per file, not chained through third files, so
    one complaint's verdict depends only on the files that resemble its own."""
    owners = conn.execute(_attachments_with_owners(org)).all()
    copies = _copies(owners, rules)
    least = rules.param("5.1", "min_customers")
    files: dict[str, dict] = defaultdict(dict)
    for i, (complaint_id, file_name, *_) in enumerate(owners):
        customers = {owners[j].customer_id for j in copies[i]} | {owners[i].customer_id}
        if len(customers) >= least:
            files[complaint_id][file_name] = len(customers)
    return (Hit(c, "5.1", {"files": f}) for c, f in files.items())


@built_once
def _attachments_with_owners(org: str):
    return (
        select(attachments.c.complaint_id, attachments.c.file_name, attachments.c.sha256,
               attachments.c.phash64, attachments.c.phash256, complaints.c.customer_id)
        .join(complaints, and_(complaints.c.org == attachments.c.org,
                               complaints.c.complaint_id == attachments.c.complaint_id))
        .where(attachments.c.org == org, attachments.c.sha256.is_not(None),
               complaints.c.customer_id.is_not(None))
        .order_by(attachments.c.complaint_id, attachments.c.file_name))


def _copies(owners, rules: RuleSet) -> dict[int, set[int]]:
    """For each attachment (by position), the others that are the same file or look the same."""
    copies: dict[int, set[int]] = defaultdict(set)
    by_hash: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(owners):
        by_hash[row.sha256].append(i)
    for group in by_hash.values():
        for i in group:
            copies[i].update(group)
    imaged = [i for i, row in enumerate(owners) if row.phash64]
    pairs = near_pairs([owners[i].phash64 for i in imaged],
                       [owners[i].phash256 for i in imaged],
                       rules.param("5.1", "candidate_bits"), rules.param("5.1", "max_bits"))
    for a, b in pairs:
        copies[imaged[a]].add(imaged[b])
        copies[imaged[b]].add(imaged[a])
    return copies


class _Activity:
    """Each known customer's complaints in time order (channels as small integer codes), for
    sliding-window counts.

    A window ends at a complaint and reaches `days` back (both ends included, as the
    standard reads "within a month"). Sorting once and binary-searching each window's start
    is linear in the store; a self-join on customer and time grows with the square of a
    busy customer's complaints.
    """

    def __init__(self, ids: np.ndarray, customers: np.ndarray, times_ms: np.ndarray,
                 channels: np.ndarray):
        order = np.lexsort((times_ms, customers))
        self.ids, self.channels = ids[order], channels[order]
        self.customers, self.times = customers[order], times_ms[order]

    def bounds(self, days: float) -> tuple[np.ndarray, np.ndarray]:
        """Per complaint, [start, end) positions of the complaints in its window."""
        width = int(round(days * MS_PER_DAY))
        start = np.empty(len(self.ids), dtype=np.int64)
        end = np.empty(len(self.ids), dtype=np.int64)
        for lo, hi in self._customer_chunks(width):
            key = self._keys(lo, hi, width)
            start[lo:hi] = lo + np.searchsorted(key, key - width, side="left")
            end[lo:hi] = lo + np.searchsorted(key, key, side="right")
        return start, end

    def in_window(self, days: float) -> np.ndarray:
        start, end = self.bounds(days)
        return end - start

    def channels_in_window(self, days: float) -> np.ndarray:
        start, end = self.bounds(days)
        distinct = np.zeros(len(self.ids), dtype=np.int64)
        for channel in range(int(self.channels.max()) + 1 if len(self.channels) else 0):
            seen = np.concatenate([[0], np.cumsum(self.channels == channel)])
            distinct += (seen[end] - seen[start]) > 0
        return distinct

    def _keys(self, lo: int, hi: int, width: int) -> np.ndarray:
        """Times made increasing across customers, each customer's span apart by more than a
        window, so one search never reaches into another customer's complaints."""
        times = self.times[lo:hi]
        stride = int(times.max() - times.min()) + width + 1 if hi > lo else 1
        return (self.customers[lo:hi] - self.customers[lo]) * stride + (times - times.min())

    def _customer_chunks(self, width: int) -> Iterator[tuple[int, int]]:
        """Slices of whole customers small enough that `_keys` cannot overflow 63 bits."""
        if not len(self.ids):
            return
        stride = int(self.times.max() - self.times.min()) + width + 1
        per_chunk = max(1, (1 << 62) // stride)
        firsts = np.concatenate([[0], np.nonzero(np.diff(self.customers))[0] + 1,
                                 [len(self.ids)]])
        for i in range(0, len(firsts) - 1, per_chunk):
            yield int(firsts[i]), int(firsts[min(i + per_chunk, len(firsts) - 1)])


MS_PER_DAY = 86_400_000


def _activity(conn: Connection, org: str) -> _Activity:
    rows = conn.execute(_complaint_times(org, conn.dialect.name)).all()
    ids, customers, times, channels = (list(column) for column in zip(*rows)) if rows else \
        ([], [], [], [])
    channel_codes = {channel: code for code, channel in enumerate(sorted(set(channels)))}
    customers = np.array(customers, dtype=object)
    codes = np.zeros(len(customers), dtype=np.int64)
    codes[1:] = np.cumsum(customers[1:] != customers[:-1])
    return _Activity(np.array(ids, dtype=object), codes, np.array(times, dtype=np.int64),
                     np.array([channel_codes[c] for c in channels], dtype=np.int64))


@built_once
def _complaint_times(org: str, dialect: str):
    return (select(complaints.c.complaint_id, complaints.c.customer_id,
                   _epoch_ms(complaints.c.received_at, dialect), complaints.c.channel)
            .where(complaints.c.org == org, complaints.c.customer_id.is_not(None))
            .order_by(complaints.c.customer_id))


def _epoch_ms(column, dialect: str):
    """Milliseconds since 1970 as an integer, computed by the store (exact on both)."""
    if dialect == "sqlite":
        ms = func.round((func.julianday(column) - 2440587.5) * MS_PER_DAY)
    else:
        ms = func.round(func.extract("epoch", column) * 1000)
    return cast(ms, BigInteger)


def shared_mailing_building(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """3.1: letters of different customers come from one building (rooms may differ); a fact
    about the complainants, so every complaint of theirs carries it."""
    pairs = conn.execute(_customers_of_shared_buildings(org, rules.param("3.1", "min_customers")))
    return hits_for_shared_keys(conn, org, "3.1", pairs, "buildings")


@built_once
def _customers_of_shared_buildings(org: str, least: int):
    key = complaints.c.mailing_address_building_key
    shared = (select(key).where(complaints.c.org == org, key.is_not(None),
                                complaints.c.customer_id.is_not(None))
              .group_by(key).having(func.count(complaints.c.customer_id.distinct()) >= least))
    return (select(complaints.c.customer_id, key)
            .where(complaints.c.org == org, key.in_(shared)).distinct())
