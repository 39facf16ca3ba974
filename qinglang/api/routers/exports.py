"""Downloads: complaint assessments and stored records, personal data masked unless revealed
(which needs the reveal permission and is audited)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from qinglang.api.deps import EngineDep, Reader, Revealer, SettingsDep
from qinglang.export.writers import write_table
from qinglang.model.schema import KIND_NAMES
from qinglang.model.values import IdNumberProtector
from qinglang.services.assess import EXPORT_COLUMNS, assessment_rows
from qinglang.services.exporting import export_records
from qinglang.services.monitor import record_reveal

router = APIRouter(prefix="/exports", tags=["export"])

Format = Literal["csv", "xlsx", "jsonl"]
Kind = Literal[KIND_NAMES]
MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
FILE = {"description": "the file", "content": {m: {} for m in MEDIA.values()}}


@router.get("/assessments", response_class=FileResponse, responses={200: FILE})
def assessments_file(caller: Reader, engine: EngineDep, format: Format = "csv") -> FileResponse:
    """formats.md "complaint assessments": risk score, outcome, rules, explanation."""
    path = _scratch(f"assessments.{format}")
    write_table(path, EXPORT_COLUMNS, assessment_rows(engine, caller.org))
    return _download(path, format)


@router.get("/records/{kind}", response_class=FileResponse, responses={200: FILE})
def records_file(kind: Kind, caller: Reader, engine: EngineDep,
                 format: Format = "csv") -> FileResponse:
    """Stored records of one kind, personal data masked."""
    path = _scratch(f"{kind}.{format}")
    export_records(engine, caller.org, kind, path)
    return _download(path, format)


@router.post("/records/{kind}/unmasked", response_class=FileResponse, responses={200: FILE})
def unmasked_records_file(kind: Kind, caller: Revealer, engine: EngineDep,
                          settings: SettingsDep, format: Format = "csv") -> FileResponse:
    """Stored records with personal data in full: audited before anything is written."""
    record_reveal(engine, caller.org, caller.username, f"export:{kind}", {"format": format})
    path = _scratch(f"{kind}.{format}")
    export_records(engine, caller.org, kind, path, True, IdNumberProtector(settings.secret_key))
    return _download(path, format)


def _scratch(name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix="qinglang-export-")) / name


def _download(path: Path, format: str) -> FileResponse:
    return FileResponse(path, media_type=MEDIA[format], filename=path.name,
                        background=BackgroundTask(_remove, path))


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.parent.rmdir()
