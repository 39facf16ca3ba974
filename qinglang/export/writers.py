"""Writing tables for people and other systems: CSV (UTF-8 with BOM, for Excel in a Chinese
locale), JSON Lines or .xlsx, chosen by the file's extension; rows are streamed.

In CSV, text that a spreadsheet would run as a formula is written with a leading apostrophe;
.xlsx cells are typed, so text stays text there and needs no such mark.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Iterable

import xlsxwriter

from qinglang.errors import InputError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_table(path: Path, columns: list[str], rows: Iterable[dict]) -> int:
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        return _write_csv(path, columns, rows)
    if suffix == ".jsonl":
        return _write_jsonl(path, columns, rows)
    if suffix == ".xlsx":
        return _write_xlsx(path, columns, rows)
    raise InputError(f"{path.name}: write .csv, .jsonl or .xlsx")


def _write_csv(path: Path, columns: list[str], rows: Iterable[dict]) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(neutralise(row.get(c))) for c in columns])
            count += 1
    return count


def _write_jsonl(path: Path, columns: list[str], rows: Iterable[dict]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False,
                                    default=str))
            handle.write("\n")
            count += 1
    return count


def _write_xlsx(path: Path, columns: list[str], rows: Iterable[dict]) -> int:
    return write_workbook(path, {"Sheet1": (columns, rows)})["Sheet1"]


def write_workbook(path: Path, sheets: dict[str, tuple[list[str], Iterable[dict]]]
                   ) -> dict[str, int]:
    """An .xlsx with one sheet per table, streamed; the rows written per sheet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_urls": False})
    counts = {}
    for name, (columns, rows) in sheets.items():
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, columns)
        count = 0
        for count, row in enumerate(rows, start=1):
            sheet.write_row(count, 0, [_cell(row.get(c)) for c in columns])
        counts[name] = count
    book.close()
    return counts


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value if isinstance(value, (int, float, str)) else str(value)
