"""Importing an export file (multipart upload) into the caller's institution; its imports
and the rows they rejected."""

from __future__ import annotations

import re
import secrets
import shutil
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Path, UploadFile
from pydantic import BaseModel

from qinglang.api.deps import EngineDep, Reader, SettingsDep, Writer, tenant_settings
from qinglang.api.pagination import Page, Paging
from qinglang.errors import InputError
from qinglang.model.schema import KIND_NAMES
from qinglang.services import monitor
from qinglang.services.importing import import_file

router = APIRouter(prefix="/imports", tags=["import"])
SAFE_NAME = re.compile(r"^[\w\-. ]{1,128}\.(csv|tsv|jsonl|ndjson|xlsx|xlsm)$", re.IGNORECASE)


class ImportResult(BaseModel):
    file_name: str
    kind: str
    import_id: int
    encoding: str | None
    rows_ok: int
    rows_rejected: int
    resumed_from: int
    reasons: dict[str, int]


class ImportEntry(BaseModel):
    import_id: int
    file_name: str
    kind: str
    file_format: str
    encoding: str | None
    status: str
    rows_ok: int
    rows_rejected: int
    started_at: datetime
    finished_at: datetime | None


class RejectedRow(BaseModel):
    row_number: int
    column: str
    reason: str


@router.post("", status_code=201, response_model=ImportResult)
def upload(file: UploadFile, caller: Writer, engine: EngineDep, settings: SettingsDep,
           kind: Annotated[str | None, Form(description=" / ".join(KIND_NAMES))] = None,
           encoding: Annotated[str | None, Form(pattern="^(utf-8|gbk|gb18030)$")] = None,
           ) -> ImportResult:
    """The file's name decides its kind (customers.csv, complaints_2024-06.xlsx…) unless
    `kind` is given; bad rows are counted by reason, never echoed."""
    name = (file.filename or "").rsplit("/", 1)[-1]
    if not SAFE_NAME.match(name):
        raise InputError("name the file like customers.csv, complaints.jsonl or calls.xlsx")
    if kind is not None and kind not in KIND_NAMES:
        raise InputError(f"unknown kind; one of {', '.join(KIND_NAMES)}")
    folder = settings.home / "uploads" / secrets.token_hex(8)
    folder.mkdir(parents=True)
    try:
        path = folder / name
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        report = import_file(engine, tenant_settings(settings, caller), path, kind, encoding)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return ImportResult(file_name=name, kind=report.kind, import_id=report.import_id,
                        encoding=report.encoding, rows_ok=report.rows_ok,
                        rows_rejected=report.rows_rejected, resumed_from=report.resumed_from,
                        reasons=report.reasons)


@router.get("", response_model=Page[ImportEntry])
def history(caller: Reader, engine: EngineDep, paging: Paging) -> monitor.Page:
    """The institution's imports, newest first."""
    return monitor.import_history(engine, caller.org, paging.offset, paging.limit)


@router.get("/{import_id}/rejects", response_model=Page[RejectedRow])
def rejected(import_id: Annotated[int, Path(ge=1, le=2**31 - 1)], caller: Reader,
             engine: EngineDep, paging: Paging) -> monitor.Page:
    """The rows an import rejected, in row order: row number, column and reason (never the
    value). An import of another institution is not found."""
    return monitor.rejected_rows(engine, caller.org, import_id, paging.offset, paging.limit)
