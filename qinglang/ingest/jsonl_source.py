"""JSON Lines exports: one JSON object a line, streamed; an over-long line is skipped whole."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator

from qinglang.errors import InputError
from qinglang.ingest.encoding import resolve_encoding
from qinglang.ingest.rows import RawRow, RowProblem, normalise_header

HEADER_SCAN_LINES = 1000


class JsonlSource:
    file_format = "jsonl"

    def __init__(self, path: Path, encoding: str | None, max_field_chars: int):
        self.name = path.name
        self.encoding = resolve_encoding(path, encoding)
        self._path = path
        self._size = os.path.getsize(path)
        self._max_line_bytes = max_field_chars * 4 + 65536
        self._handle = path.open("rb")
        self.columns = self._scan_columns()

    def _scan_columns(self) -> tuple[str, ...]:
        """JSON Lines has no header: the keys of the first objects stand for one."""
        keys: dict[str, None] = {}
        with self._path.open("rb") as handle:
            for _ in range(HEADER_SCAN_LINES):
                line = handle.readline(self._max_line_bytes)
                if not line:
                    break
                try:
                    obj = json.loads(line.decode(self.encoding))
                except (UnicodeDecodeError, ValueError):
                    continue
                if isinstance(obj, dict):
                    keys.update(dict.fromkeys(str(k).strip().lower() for k in obj))
        if not keys:
            raise InputError(f"{self.name}: no JSON object found in the first lines")
        return normalise_header(list(keys), self.name)

    def rows(self) -> Iterator[RawRow | RowProblem]:
        number = 0
        while True:
            line = self._handle.readline(self._max_line_bytes)
            if not line:
                return
            number += 1
            if not line.endswith(b"\n") and len(line) >= self._max_line_bytes:
                self._skip_rest_of_line()
                yield RowProblem(number, "", f"line longer than {self._max_line_bytes} bytes")
                continue
            if not line.strip():
                continue
            yield self._parse(number, line)

    def _parse(self, number: int, line: bytes) -> RawRow | RowProblem:
        try:
            obj = json.loads(line.decode(self.encoding))
        except UnicodeDecodeError:
            return RowProblem(number, "", f"bytes that are not valid {self.encoding}")
        except ValueError as exc:
            return RowProblem(number, "", f"not valid JSON ({exc.args[0].split(':')[0]})")
        if not isinstance(obj, dict):
            return RowProblem(number, "", "a JSON Lines row must be an object")
        return RawRow(number, {str(k).strip().lower(): v for k, v in obj.items()})

    def _skip_rest_of_line(self) -> None:
        while True:
            chunk = self._handle.readline(self._max_line_bytes)
            if not chunk or chunk.endswith(b"\n"):
                return

    def progress(self) -> tuple[int, int]:
        return (self._handle.tell() if not self._handle.closed else self._size, self._size)

    def close(self) -> None:
        self._handle.close()
