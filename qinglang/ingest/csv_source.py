"""CSV exports: UTF-8 (with or without BOM) or GB18030/GBK, streamed row by row."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Iterator

from qinglang.errors import InputError
from qinglang.ingest.encoding import resolve_encoding
from qinglang.ingest.rows import RawRow, RowProblem, normalise_header

REPLACEMENT = "\ufffd"
ROW_SLACK = 65536


class CsvSource:
    file_format = "csv"

    def __init__(self, path: Path, encoding: str | None, max_field_chars: int):
        self.name = path.name
        self.encoding = resolve_encoding(path, encoding)
        self._size = os.path.getsize(path)
        self._binary = path.open("rb")
        self._text = io.TextIOWrapper(self._binary, encoding=self.encoding, errors="replace",
                                      newline="")
        csv.field_size_limit(max_field_chars)
        self._max_field_chars = max_field_chars
        self._max_line_chars = max_field_chars + ROW_SLACK
        self._oversized = False
        self._undecodable = False
        self._reader = csv.reader(self._bounded_lines(), dialect=self._sniff_dialect())
        try:
            header = next(self._reader)
        except (StopIteration, csv.Error) as exc:
            self.close()
            raise InputError(f"{self.name}: no header row ({exc or 'empty file'})") from None
        self.columns = normalise_header(header, self.name)

    def _sniff_dialect(self) -> type[csv.Dialect]:
        """Comma is the norm; tab- and semicolon-separated exports also occur."""
        first_line = self._text.readline(65536)
        self._text.seek(0)
        delimiter = max(",\t;", key=first_line.count)
        return _dialect_for(delimiter if first_line.count(delimiter) else ",")

    def _bounded_lines(self) -> Iterator[str]:
        """Lines of the file, but never more than a row's worth of text in memory: an
        over-long line is skipped to its end and stands as an empty line, flagged."""
        limit = self._max_line_chars
        while line := self._text.readline(limit):
            if REPLACEMENT in line:
                self._undecodable = True
            if len(line) >= limit and not line.endswith(("\n", "\r")):
                while (rest := self._text.readline(limit)) and not rest.endswith(("\n", "\r")):
                    pass
                self._oversized = True
                yield "\n"
                continue
            yield line

    def rows(self) -> Iterator[RawRow | RowProblem]:
        for item in self.cell_rows():
            if type(item) is RowProblem:
                yield item
            else:
                yield RawRow(item[0], dict(zip(self.columns, item[1])))

    def cell_rows(self) -> Iterator[tuple[int, list[str]] | RowProblem]:
        """(row number, its cells in the order of the header) or a problem: what an import
        hands its cleaning workers, without a dict a row on the way."""
        number = 1
        width = len(self.columns)
        while True:
            number += 1
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self._oversized = self._undecodable = False
                yield RowProblem(number, "", _csv_reason(exc, self._max_field_chars))
                continue
            if self._oversized:
                self._oversized = self._undecodable = False
                yield RowProblem(number, "", f"row longer than {self._max_line_chars} characters")
                continue
            if not any(cells):
                continue
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                yield RowProblem(number, "", f"{len(cells)} cells but the header has {width}")
                continue
            if self._undecodable:
                self._undecodable = False
                yield RowProblem(number, _first_bad_column(self.columns, cells),
                                 f"bytes that are not valid {self.encoding}")
                continue
            yield number, cells

    def progress(self) -> tuple[int, int]:
        return (self._binary.tell() if not self._binary.closed else self._size, self._size)

    def close(self) -> None:
        self._text.close()


def _dialect_for(delimiter: str) -> type[csv.Dialect]:
    class Export(csv.excel):
        pass

    Export.delimiter = delimiter
    return Export


def _csv_reason(exc: csv.Error, max_field_chars: int) -> str:
    if "field larger than field limit" in str(exc):
        return f"a field is longer than {max_field_chars} characters"
    return f"malformed CSV ({exc})"


def _first_bad_column(columns: tuple[str, ...], cells: list[str]) -> str:
    for column, cell in zip(columns, cells):
        if REPLACEMENT in cell:
            return column
    return ""
