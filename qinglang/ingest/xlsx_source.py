"""Excel (.xlsx) exports, read in openpyxl's streaming mode so memory stays flat.

Formula cells are read as their formula text (not a cached result), so that a planted
`=cmd|...` is seen and rejected rather than silently turned into a value.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Iterator

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from qinglang.errors import InputError
from qinglang.ingest.rows import RawRow, RowProblem, normalise_header


class XlsxSource:
    file_format = "xlsx"
    encoding = None

    def __init__(self, path: Path, sheet: str | None = None):
        self.name = path.name
        try:
            self._book = load_workbook(path, read_only=True, data_only=False)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
            raise InputError(f"{self.name}: not a readable .xlsx workbook ({exc})") from None
        self._sheet = self._book[sheet] if sheet else self._book.worksheets[0]
        self._rows = self._sheet.iter_rows(values_only=True)
        self._done = 0
        try:
            header = next(self._rows)
        except StopIteration:
            self.close()
            raise InputError(f"{self.name}: the first sheet is empty") from None
        self.columns = normalise_header(list(header), self.name)

    def rows(self) -> Iterator[RawRow | RowProblem]:
        width = len(self.columns)
        for number, cells in enumerate(self._rows, start=2):
            self._done = number
            if not any(_filled(c) for c in cells):
                continue
            if len(cells) > width and any(_filled(c) for c in cells[width:]):
                yield RowProblem(number, "", f"cells beyond the {width} header columns")
                continue
            yield RawRow(number, {c: v for c, v in zip(self.columns, cells) if c})

    def progress(self) -> tuple[int, int]:
        return self._done, max(self._sheet.max_row or 0, self._done)

    def close(self) -> None:
        self._book.close()


def _filled(cell: object) -> bool:
    return cell is not None and str(cell).strip() != ""
