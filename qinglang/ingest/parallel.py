"""An in-order map over worker processes, for the CPU-heavy half of an import.

Cleaning rows (phone, id number, address parsing) and binding them for the driver cost more
per row than the store's own writes, so they run in other processes while the importing
process reads the file and writes. Results come back in input order, and no more than a few
items are in flight, so memory stays flat whatever the file size.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterable, Iterator, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

_worker_function: Callable | None = None


def _start_worker(make_function: Callable[..., Callable], args: tuple) -> None:
    global _worker_function
    _exit_with_parent(os.getppid())
    _worker_function = make_function(*args)


def _exit_with_parent(parent: int) -> None:
    """A worker whose importing process was killed (kill -9 included) ends too, instead of
    waiting forever on a queue that nobody will close."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _call_worker(item):
    return _worker_function(item)


def ordered_map(make_function: Callable[..., Callable[[Item], Result]], args: tuple,
                items: Iterable[Item], workers: int) -> Iterator[Result]:
    """`make_function(*args)` applied to every item, in `workers` processes (0: in this one).

    make_function must be importable by name (module level): each worker builds its own
    function once, so heavy state (parsers, keys, compiled statements) is never pickled.
    """
    if workers <= 0:
        function = make_function(*args)
        yield from map(function, items)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                             initargs=(make_function, args)) as pool:
        pending: deque = deque()
        for item in items:
            pending.append(pool.submit(_call_worker, item))
            if len(pending) > workers * 2:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
