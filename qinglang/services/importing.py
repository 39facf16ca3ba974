"""Importing institution exports into the store: stream, clean, upsert, checkpoint.

The unit of work is a batch of rows: its records, its rejects and the checkpoint are written in
the same transaction (a few batches share one). Running the same file again after a kill
resumes after the last checkpoint; running it again after it finished re-applies it, which the
upserts make idempotent.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import Connection, Engine

from qinglang.detect.cues import cycle_collector_paused
from qinglang.ingest.attachments import attachment_rows, file_sha256
from qinglang.ingest.clean import RowCleaner
from qinglang.ingest.csv_source import CsvSource
from qinglang.ingest.parallel import ordered_map
from qinglang.ingest.rows import RawRow, RowProblem, Source
from qinglang.ingest.sources import open_source, resolve_kind
from qinglang.errors import InputError
from qinglang.model.schema import load_kind
from qinglang.model.values import IdNumberProtector
from qinglang.services import audit
from qinglang.services.content import scan_stored_posts
from qinglang.settings import Settings
from qinglang.store import repository as repo
from qinglang.store.db import create_store_engine
from qinglang.store.tables import attachments, record_tables

Progress = Callable[[int, int], None]
PARALLEL_FROM_BYTES = 4 << 20  # below this, starting worker processes costs more than it saves
# Batches written in one transaction, their checkpoints with them. Fewer, larger transactions
# rewrite the pages of the random-keyed indexes (phones, digests) less often: 20% less time
# per customer row on SQLite with 5 batches of 5,000 than with one.
BATCHES_PER_TRANSACTION = 5
SECONDS_PER_TRANSACTION = 2.0  # and a kill never loses more than about this much work


@dataclass
class ImportReport:
    file: Path
    kind: str
    import_id: int
    encoding: str | None
    rows_ok: int
    rows_rejected: int
    resumed_from: int
    rejects_file: Path | None = None
    reasons: dict[str, int] = field(default_factory=dict)


def import_file(engine: Engine, settings: Settings, path: Path, kind: str | None = None,
                encoding: str | None = None, progress: Progress | None = None) -> ImportReport:
    source = open_source(path, encoding, settings.max_field_chars)
    try:
        schema = resolve_kind(path, source.columns, kind)
        missing = [c for c in schema.required_columns if c not in source.columns]
        if missing:
            raise InputError(f"{path.name}: required column(s) missing for {schema.kind}: "
                             f"{', '.join(missing)}")
        with engine.begin() as conn:
            import_id, resume_from = repo.begin_import(
                conn, settings.org, schema.kind, file_sha256(path), path.name,
                source.file_format, source.encoding)
        plan = BatchPlan(schema.kind, source.columns, settings.secret_key,
                         settings.max_field_chars, settings.db_url, settings.org, import_id,
                         path.parent)
        workers = settings.import_workers if path.stat().st_size > PARALLEL_FROM_BYTES else 0
        batches = _batches(source, settings.batch_rows, resume_from)
        # The cycle collector paused here and in the workers: the rows of the batches in
        # flight make no reference cycles but would be walked again and again (a tenth to a
        # fifth of the cleaning time).
        with repo.indexes_deferred(engine, record_tables[schema.kind]), \
                repo.import_connection(engine) as conn, cycle_collector_paused():
            prepared_batches = ordered_map(batch_preparer, (plan,), batches, workers)
            committed = time.monotonic()
            for number, prepared in enumerate(prepared_batches, 1):
                _write_batch(conn, import_id, prepared)
                if (number % BATCHES_PER_TRANSACTION == 0
                        or time.monotonic() - committed >= SECONDS_PER_TRANSACTION):
                    conn.commit()
                    committed = time.monotonic()
                if progress:
                    progress(*source.progress())
            conn.commit()
    finally:
        source.close()
    with engine.begin() as conn:
        done = repo.finish_import(conn, import_id)
        problems = repo.reject_rows(conn, import_id)
        audit.record(conn, settings.org, settings.user, "import", path.name,
                     {"kind": schema.kind, "import_id": import_id, "rows_ok": done["rows_ok"],
                      "rows_rejected": done["rows_rejected"]})
    if schema.kind == "posts":
        scan_stored_posts(engine, settings.org, import_id)
    return ImportReport(
        file=path, kind=schema.kind, import_id=import_id, encoding=source.encoding,
        rows_ok=done["rows_ok"], rows_rejected=done["rows_rejected"], resumed_from=resume_from,
        rejects_file=_write_rejects(settings, path, import_id, problems),
        reasons=_count_reasons(problems),
    )


# A batch on its way to a worker: problems as they are, a row as (number, its cells in the
# order of the file's columns) — or (number, its dict) when its keys are not those columns.
PackedBatch = list[RowProblem | tuple[int, list | dict]]


def _batches(source: Source, size: int, resume_from: int) -> Iterator[PackedBatch]:
    if isinstance(source, CsvSource):  # already packed: (number, cells)
        items = source.cell_rows()
        if resume_from:
            items = (item for item in items if _number(item) > resume_from)
        while batch := list(islice(items, size)):
            yield batch
        return
    rows = (r for r in source.rows() if r.number > resume_from)
    while batch := list(islice(rows, size)):
        yield _packed(batch, source.columns)


def _number(item: tuple[int, list] | RowProblem) -> int:
    return item.number if type(item) is RowProblem else item[0]


def _packed(batch: list[RawRow | RowProblem], columns: tuple[str, ...]) -> PackedBatch:
    """Plain lists pickle in a third of the time of row objects and dicts, which matters:
    every row crosses to a worker process."""
    return [
        item if isinstance(item, RowProblem)
        else (item.number, list(item.values.values()) if tuple(item.values) == columns
              else item.values)
        for item in batch
    ]


def _unpacked(batch: PackedBatch, columns: tuple[str, ...]) -> list[RawRow | RowProblem]:
    return [
        item if isinstance(item, RowProblem)
        else RawRow(item[0], dict(zip(columns, item[1])) if type(item[1]) is list else item[1])
        for item in batch
    ]


@dataclass(frozen=True)
class BatchPlan:
    """What a worker needs to turn raw rows into statements for the store."""

    kind: str
    columns: tuple[str, ...]
    secret_key: bytes
    max_field_chars: int
    db_url: str
    org: str
    import_id: int
    export_dir: Path


@dataclass
class PreparedBatch:
    last_row: int
    records: repo.PreparedRows
    attachments: repo.PreparedRows
    problems: list[RowProblem]
    ok: int
    rejected_rows: int


def batch_preparer(plan: BatchPlan) -> Callable[[PackedBatch], PreparedBatch]:
    schema = load_kind(plan.kind)
    cleaner = RowCleaner(schema, plan.columns, IdNumberProtector(plan.secret_key),
                         plan.max_field_chars)
    dialect = create_store_engine(plan.db_url).dialect

    @cycle_collector_paused()
    def prepare(packed: PackedBatch) -> PreparedBatch:
        rows = [item for item in packed if type(item) is not RowProblem]
        if all(type(cells) is list for _, cells in rows):
            records, problems = cleaner.clean_lists([number for number, _ in rows],
                                                    [cells for _, cells in rows])
        else:
            records, problems = cleaner.clean_rows(
                [r for r in _unpacked(packed, plan.columns) if type(r) is RawRow])
        problems += [item for item in packed if type(item) is RowProblem]
        files = (attachment_rows(records, plan.export_dir, plan.org, plan.import_id)
                 if plan.kind == "complaints" else [])
        return PreparedBatch(
            last_row=_number(packed[-1]),
            records=repo.prepare_records(dialect, schema, plan.org, plan.import_id, records),
            attachments=repo.prepare_upsert(dialect, attachments, files),
            problems=problems, ok=len(records.keys),
            rejected_rows=len({p.number for p in problems}))

    return prepare


def _write_batch(conn: Connection, import_id: int, prepared: PreparedBatch) -> None:
    """A batch and its checkpoint, in the transaction the connection has open: whenever it
    commits, the checkpoint names the last row of what it commits."""
    repo.execute_prepared(conn, prepared.records)
    repo.execute_prepared(conn, prepared.attachments)
    repo.add_rejects(conn, import_id, prepared.problems)
    repo.checkpoint(conn, import_id, prepared.last_row, prepared.ok, prepared.rejected_rows)


def _write_rejects(settings: Settings, path: Path, import_id: int,
                   problems: list[dict]) -> Path | None:
    if not problems:
        return None
    out = settings.home / "rejects" / f"{path.stem}.{import_id}.rejects.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "row", "column", "reason"])
        for p in problems:
            writer.writerow([path.name, p["row_number"], p["column_name"], p["reason"]])
    return out


def _count_reasons(problems: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in problems:
        label = f"{p['column_name'] or '(row)'}: {p['reason']}"
        counts[label] = counts.get(label, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))
