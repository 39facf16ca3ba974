"""`qinglang report …`: reports for regulators."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from qinglang.errors import QinglangError
from qinglang.services.report import Period, complaint_report, write_report
from qinglang.settings import load_settings
from qinglang.store.db import open_store

report_app = typer.Typer(help="Reports for regulators (.xlsx and .csv).", no_args_is_help=True)
console = Console()


@report_app.command("complaints")
def complaints_report(
    period: Annotated[str, typer.Option(help="2024, 2024-06, 2024-Q2 or 2024-01..2024-06")],
    out: Annotated[Path, typer.Option(help="Folder to write the report into")] = Path("."),
) -> None:
    """统计剔除: complaints proposed for exclusion with their evidence, repeats on settled
    matters, and counts and rates per channel and month before and after adjustment."""
    settings = load_settings()
    try:
        report = complaint_report(open_store(settings), settings.org, Period.parse(period))
        written = write_report(report, out)
    except QinglangError as error:
        console.print(f"[bold red]错误 error:[/] {error.message}")
        raise typer.Exit(2)
    table = Table("月份 month", "受理 received", "剔除 excluded", "重复 repeats",
                  "调整后 adjusted", "每万客户 per 10k",
                  title=f"投诉统计剔除 complaints {period} (all channels)")
    for row in report.summary:
        if row["channel"] == "全部 all":
            table.add_row(row["month"], f"{row['received']:,}",
                          f"{row['excluded_malicious'] + row['excluded_agent']:,}",
                          f"{row['repeats_on_settled']:,}", f"{row['adjusted']:,}",
                          f"{row['per_10k_customers']} → {row['adjusted_per_10k_customers']}")
    console.print(table)
    for path in written:
        console.print(f"[green]✓[/] {path}")
