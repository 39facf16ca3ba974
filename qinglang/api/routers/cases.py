"""Cases: list, open (from a gang, complaints, customers or posts), read with evidence, events
and audit trail, move status, comment, and download the referral package."""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from qinglang.api.deps import EngineDep, Reader, SettingsDep, Writer
from qinglang.api.pagination import Page, Paging
from qinglang.model.case import CaseSource, CaseStatus
from qinglang.services import cases, monitor
from qinglang.settings import Settings

router = APIRouter(prefix="/cases", tags=["cases"])
CaseId = Annotated[int, PathParam(ge=1, le=2**63 - 1, description="the case number")]
Status = Literal[tuple(s.value for s in CaseStatus)]
EVIDENCE_SHOWN = ("seq", "kind", "source_kind", "source_id", "source_file", "source_row",
                  "imported_at", "sha256", "note", "added_by", "added_at")
ZIP = {"description": "the referral package", "content": {"application/zip": {}}}


class Case(BaseModel):
    case_id: int
    title: str
    source: str
    source_ids: list[str]
    gang_id: str | None
    status: str
    assignee: str | None
    opened_by: str
    opened_at: datetime
    updated_at: datetime
    evidence: int = 0


class CaseFile(BaseModel):
    case: Case
    allowed_next: list[str]
    events: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    audit: list[dict[str, Any]]


class NewCase(BaseModel):
    source: Literal[tuple(s.value for s in CaseSource)]
    ids: list[Annotated[str, Field(min_length=1, max_length=256)]] = Field(min_length=1,
                                                                         max_length=1000)
    title: str = Field(min_length=1, max_length=500)


class StatusChange(BaseModel):
    status: Status
    reason: str | None = Field(None, max_length=2000)


class Comment(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)


@router.get("", response_model=Page[Case])
def list_cases(caller: Reader, engine: EngineDep, paging: Paging,
               status: Status | None = None) -> dict:
    found = cases.list_cases(engine, caller.org, status)
    return {"items": found[paging.offset:paging.offset + paging.limit], "total": len(found),
            "offset": paging.offset, "limit": paging.limit}


@router.post("", status_code=201, response_model=CaseFile)
def open_case(new: NewCase, caller: Writer, engine: EngineDep, settings: SettingsDep) -> dict:
    case_id = cases.open_case(engine, caller.org, caller.username, new.source, new.ids,
                              new.title, evidence_vault(settings))
    return case_file(case_id, caller, engine)


@router.get("/{case_id}", response_model=CaseFile)
def case_file(case_id: CaseId, caller: Reader, engine: EngineDep) -> dict:
    """The case with its event log, its evidence (provenance and hashes; contents are in the
    package) and its audit trail."""
    view = cases.case_view(engine, caller.org, case_id)
    return {"case": view.case, "allowed_next": sorted(s.value for s in view.status.allowed_next),
            "events": view.events,
            "evidence": [{k: item[k] for k in EVIDENCE_SHOWN} for item in view.evidence],
            "audit": monitor.audit_trail(engine, caller.org, f"case:{case_id}")}


@router.post("/{case_id}/status", response_model=CaseFile)
def change_status(case_id: CaseId, change: StatusChange, caller: Writer,
                  engine: EngineDep) -> dict:
    cases.change_status(engine, caller.org, caller.username, case_id, change.status,
                        change.reason)
    return case_file(case_id, caller, engine)


@router.post("/{case_id}/comments", response_model=CaseFile)
def comment(case_id: CaseId, note: Comment, caller: Writer, engine: EngineDep) -> dict:
    cases.comment(engine, caller.org, caller.username, case_id, note.text)
    return case_file(case_id, caller, engine)


@router.post("/{case_id}/package", response_class=FileResponse, responses={200: ZIP})
def package(case_id: CaseId, caller: Writer, engine: EngineDep,
            settings: SettingsDep) -> FileResponse:
    """The police referral package (ZIP: report, evidence files, manifest of hashes), with
    personal data masked. Recorded in the case's events and the audit log."""
    out = Path(tempfile.mkdtemp(prefix="qinglang-package-"))
    made = cases.export_package(engine, caller.org, caller.username, case_id, out,
                                evidence_vault(settings))
    return FileResponse(made.path, media_type="application/zip", filename=made.path.name,
                        background=BackgroundTask(shutil.rmtree, out, True))


def evidence_vault(settings: Settings) -> Path:
    """Where evidence files are kept: the same folder the `qinglang case` commands use."""
    return settings.home / "evidence"
