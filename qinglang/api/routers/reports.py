"""The regulator report on complaints (统计剔除): figures as JSON, or the workbook."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel
from starlette.background import BackgroundTask

from qinglang.api.deps import EngineDep, Reader
from qinglang.services.report import Period, complaint_report, write_report

router = APIRouter(prefix="/reports", tags=["reports"])
PeriodQuery = Annotated[str, Query(max_length=32, description="2024, 2024-06, 2024-Q2 or "
                                                              "2024-01..2024-06")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ComplaintReport(BaseModel):
    period: str
    customers: int
    summary: list[dict[str, Any]]
    exclusions: int
    repeats: int


@router.get("/complaints", response_model=ComplaintReport)
def complaints(period: PeriodQuery, caller: Reader, engine: EngineDep) -> ComplaintReport:
    """Counts and rates per month and channel before and after the proposed exclusions."""
    report = complaint_report(engine, caller.org, Period.parse(period))
    return ComplaintReport(period=report.period.label, customers=report.customers,
                           summary=report.summary, exclusions=len(report.exclusions),
                           repeats=len(report.repeats))


@router.get("/complaints/workbook", response_class=FileResponse,
            responses={200: {"description": "the report", "content": {XLSX: {}}}})
def workbook(period: PeriodQuery, caller: Reader, engine: EngineDep) -> FileResponse:
    """The whole report as one .xlsx: adjusted figures, exclusions with reasons, repeats."""
    report = complaint_report(engine, caller.org, Period.parse(period))
    out = Path(tempfile.mkdtemp(prefix="qinglang-report-"))
    book = write_report(report, out)[0]
    return FileResponse(book, media_type=XLSX, filename=book.name,
                        background=BackgroundTask(shutil.rmtree, out, True))
