"""What every reader yields: raw rows with their number, or problems tied to a row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Protocol

from qinglang.errors import InputError


@dataclass(frozen=True, slots=True)
class RawRow:
    number: int
    values: dict[str, object]


@dataclass(frozen=True, slots=True)
class RowProblem:
    number: int
    column: str
    reason: str


class Source(Protocol):
    """An opened input file: its columns (lower-cased) and a stream of rows."""

    name: str
    file_format: str
    encoding: str | None
    columns: tuple[str, ...]

    def rows(self) -> Iterator[RawRow | RowProblem]: ...

    def progress(self) -> tuple[int, int]:
        """(done, total) in the reader's own unit, for a progress bar."""
        ...

    def close(self) -> None: ...


def normalise_header(names: list[object], file_name: str) -> tuple[str, ...]:
    """Column names are case-insensitive and stripped; duplicates make the file ambiguous."""
    columns = tuple(str(n or "").strip().lstrip("\ufeff").lower() for n in names)
    seen: set[str] = set()
    for column in columns:
        if column and column in seen:
            raise InputError(f"{file_name}: column {column!r} appears twice in the header")
        seen.add(column)
    return columns
