"""An import killed with SIGKILL at any moment leaves the store consistent, and running it
again gives exactly the store an uninterrupted run gives. Real processes, real kills."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect, select


from factories import CUSTOMER_COLUMNS, TEST_KEY, customer, write_csv
from qinglang.store.db import create_store_engine
from qinglang.store.tables import imports, record_tables, rejects

ROWS = 30_000
VOLATILE = {"updated_at", "started_at", "finished_at"}


def start_import(url: str, home, path, batch_rows: int = 500) -> subprocess.Popen:
    env = {**os.environ, "QINGLANG_DB_URL": url, "QINGLANG_HOME": str(home),
           "QINGLANG_SECRET_KEY": TEST_KEY, "QINGLANG_ORG": "test-bank",
           "QINGLANG_BATCH_ROWS": str(batch_rows)}
    return subprocess.Popen([sys.executable, "-m", "qinglang.cli", "import", str(path)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(process: subprocess.Popen) -> None:
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()


def run_import(url: str, home, path, kill_after: float | None = None) -> int | None:
    process = start_import(url, home, path)
    if kill_after is None:
        finish(process)
        return None
    time.sleep(kill_after)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return process.returncode


def kill_in_the_middle(url: str, home, path) -> int:
    """Kill the import as soon as the store shows it part-way through its rows. A random
    moment cannot promise that: the rows are now a short part of the command's time, and once
    a run has committed them all, no later run has any left to be killed in the middle of."""
    process = start_import(url, home, path, batch_rows=100)  # a checkpoint every 500 rows
    engine = create_store_engine(url)
    try:
        while process.poll() is None:
            state = progress(url, engine)
            if state and state[0] == "running" and 0 < state[1] < ROWS:
                process.send_signal(signal.SIGKILL)
                break
            time.sleep(0.005)
    finally:
        engine.dispose()
    process.wait()
    return process.returncode


def processes_importing(path) -> list[int]:
    """Processes still running an import of this file (the importer or its workers)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if proc.name.isdigit() and str(path).encode() in cmdline and b"import" in cmdline:
            found.append(int(proc.name))
    return found


def dump(url: str) -> dict:
    engine = create_store_engine(url)
    tables = [*record_tables.values(), imports, rejects]
    with engine.connect() as conn:
        snapshot = {
            table.name: sorted(
                (tuple(sorted((k, repr(v)) for k, v in row.items() if k not in VOLATILE))
                 for row in conn.execute(select(table)).mappings()))
            for table in tables
        }
    # the indexes too: loading an empty table builds its indexes at the end (indexes_deferred)
    snapshot["indexes"] = sorted((table.name, index["name"]) for table in tables
                                 for index in inspect(engine).get_indexes(table.name))
    engine.dispose()
    return snapshot


def progress(url: str, engine=None) -> tuple[str, int] | None:
    store = engine or create_store_engine(url)
    with store.connect() as conn:
        try:
            row = conn.execute(select(imports.c.status, imports.c.rows_done)).first()
        except Exception:  # killed before the first migration committed: no tables yet
            row = None
    if engine is None:
        store.dispose()
    return tuple(row) if row else None


@pytest.mark.slow
def test_import_killed_at_random_moments_then_rerun_equals_an_uninterrupted_run(
        tmp_path, fresh_store):
    rows = [customer(i) for i in range(ROWS)]
    for i in range(0, ROWS, 97):
        rows[i]["reserved_phone"] = "not-a-phone"
    path = write_csv(tmp_path / "customers.csv", CUSTOMER_COLUMNS, rows)

    reference_url = fresh_store()
    started = time.monotonic()
    reference = start_import(reference_url, tmp_path / "home", path)
    while progress(reference_url) is None and reference.poll() is None:
        time.sleep(0.02)
    begins = time.monotonic() - started  # the command has started up and begun the import
    finish(reference)
    full_time = time.monotonic() - started
    expected = dump(reference_url)
    assert len(expected["customers"]) == ROWS - len(range(0, ROWS, 97))

    url = fresh_store()
    rng = random.Random(20241121)
    seen = []
    # first while it starts up (migrations, opening the import), then part-way through its
    # rows, then at random moments of what is left
    seen.append((run_import(url, tmp_path / "home", path,
                            kill_after=rng.uniform(0.1, begins)), progress(url)))
    seen.append((kill_in_the_middle(url, tmp_path / "home", path), progress(url)))
    for _ in range(3):
        code = run_import(url, tmp_path / "home", path,
                          kill_after=rng.uniform(begins, full_time * 0.9))
        seen.append((code, progress(url)))
    assert any(state and state[0] == "running" and 0 < state[1] < ROWS for _, state in seen), \
        f"no kill landed in the middle of the import: {seen}"
    time.sleep(2)
    assert processes_importing(path) == [], "worker processes outlived their killed importer"
    run_import(url, tmp_path / "home", path)
    assert dump(url) == expected
