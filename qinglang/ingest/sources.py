"""Choosing the reader for a file and the record kind it holds."""

from __future__ import annotations

import re
from pathlib import Path

from qinglang.errors import InputError
from qinglang.ingest.csv_source import CsvSource
from qinglang.ingest.jsonl_source import JsonlSource
from qinglang.ingest.rows import Source
from qinglang.ingest.xlsx_source import XlsxSource
from qinglang.model.schema import KIND_NAMES, KindSchema, all_kinds, load_kind

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}


def open_source(path: Path, encoding: str | None, max_field_chars: int) -> Source:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return CsvSource(path, encoding, max_field_chars)
    if suffix in JSONL_SUFFIXES:
        return JsonlSource(path, encoding, max_field_chars)
    if suffix in XLSX_SUFFIXES:
        return XlsxSource(path)
    if suffix == ".xls":
        raise InputError(f"{path.name}: legacy .xls workbook; save it as .xlsx or CSV")
    raise InputError(f"{path.name}: unknown file type {suffix or '(none)'}; "
                     "expected .csv, .jsonl or .xlsx")


def resolve_kind(path: Path, columns: tuple[str, ...], requested: str | None) -> KindSchema:
    """The kind given, else the one the file name says, else the one its columns fit."""
    if requested:
        if requested not in KIND_NAMES:
            raise InputError(f"unknown kind {requested!r}; one of {', '.join(KIND_NAMES)}")
        return load_kind(requested)
    by_name = kind_from_name(path)
    if by_name:
        return by_name
    return kind_from_columns(path.name, columns)


def kind_from_name(path: Path) -> KindSchema | None:
    words = set(re.split(r"[\s_\-.\d]+", path.stem.lower()))
    matches = [s for s in all_kinds() if words & set(s.file_aliases)]
    return matches[0] if len(matches) == 1 else None


def kind_from_columns(file_name: str, columns: tuple[str, ...]) -> KindSchema:
    present = set(columns)
    fitting = [s for s in all_kinds() if set(s.required_columns) <= present]
    if not fitting:
        raise InputError(f"{file_name}: cannot tell the kind of records from its name or "
                         "columns; give --kind")
    best = max(len(present & set(s.field_names)) for s in fitting)
    winners = [s for s in fitting if len(present & set(s.field_names)) == best]
    if len(winners) > 1:
        names = " or ".join(s.kind for s in winners)
        raise InputError(f"{file_name}: its columns fit {names}; give --kind")
    return winners[0]
