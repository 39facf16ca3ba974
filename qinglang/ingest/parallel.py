"""Cleaning batches in worker processes while the importing process reads and writes.

Cleaning (phone, id number, address parsing) costs more per row than the store's writes, so
it runs on the other cores. Batches come back in file order, and no more than a few are in
flight, so memory stays flat whatever the file size.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import Iterable, Iterator

from qinglang.ingest.clean import CleanRecord, RowCleaner
from qinglang.ingest.rows import RawRow, RowProblem
from qinglang.model.values import IdNumberProtector

Batch = list[RawRow | RowProblem]
Cleaned = tuple[list[CleanRecord], list[RowProblem]]

_worker_cleaner: RowCleaner | None = None


def _make_cleaner(schema, columns, key: bytes, max_field_chars: int) -> RowCleaner:
    return RowCleaner(schema, columns, IdNumberProtector(key), max_field_chars)


def _start_worker(*cleaner_args) -> None:
    global _worker_cleaner
    _worker_cleaner = _make_cleaner(*cleaner_args)


def _clean_in_worker(rows: list[RawRow]) -> Cleaned:
    return _worker_cleaner.clean_batch(rows)


def _raw_rows(batch: Batch) -> list[RawRow]:
    return [r for r in batch if isinstance(r, RawRow)]


def clean_batches(batches: Iterable[Batch], cleaner_args: tuple,
                  workers: int) -> Iterator[tuple[Batch, Cleaned]]:
    """Each batch with its cleaned records and problems; in processes when workers > 0."""
    if workers <= 0:
        cleaner = _make_cleaner(*cleaner_args)
        for batch in batches:
            yield batch, cleaner.clean_batch(_raw_rows(batch))
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                             initargs=cleaner_args) as pool:
        pending: deque = deque()
        for batch in batches:
            pending.append((batch, pool.submit(_clean_in_worker, _raw_rows(batch))))
            if len(pending) > workers * 2:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
