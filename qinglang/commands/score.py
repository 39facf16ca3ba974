"""`qinglang score FILE`: online scoring of new complaints against the stored history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from qinglang.errors import QinglangError
from qinglang.ingest.rows import RowProblem
from qinglang.ingest.sources import open_source
from qinglang.services.online import score_complaint
from qinglang.settings import load_settings
from qinglang.store.db import open_store

console = Console()


def score(
    path: Annotated[Path, typer.Argument(help="Complaints to score (CSV, JSON Lines, .xlsx)")],
) -> None:
    """Score complaints one by one against the store, as they would arrive; nothing is stored.
    Gives for each exactly what `qinglang analyze` would give it."""
    settings = load_settings()
    engine = open_store(settings)
    table = Table("complaint", "risk", "outcome", "rules", "explanation",
                  title="在线评分 online scoring")
    try:
        source = open_source(path, None, settings.max_field_chars)
        for row in source.rows():
            if isinstance(row, RowProblem):
                console.print(f"[yellow]{path.name} row {row.number}:[/] {row.reason}")
                continue
            try:
                result = score_complaint(engine, settings, row.values)
            except QinglangError as error:
                console.print(f"[yellow]{path.name} row {row.number}:[/] {error.message}")
                continue
            verdict = result.verdict
            table.add_row(result.complaint_id, str(verdict.risk_score), verdict.outcome,
                          verdict.rules, verdict.explanation)
        source.close()
    except QinglangError as error:
        console.print(f"[bold red]错误 error:[/] {error.message}")
        raise typer.Exit(2)
    console.print(table)
