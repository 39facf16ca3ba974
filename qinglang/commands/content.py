"""`qinglang scan`, `qinglang train`, `qinglang export posts`, `qinglang takedown`: the
black/gray content engine. Contacts are masked in what is written unless --unmasked."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from qinglang.commands.common import fail
from qinglang.errors import QinglangError
from qinglang.export.writers import write_table
from qinglang.services import content as service
from qinglang.settings import load_settings
from qinglang.store.db import open_store

console = Console()
Unmasked = Annotated[bool, typer.Option(help="Write contact handles in full")]
DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "content" / "models" / "default.npz"


def _print_scan(report: service.ScanReport, what: str) -> None:
    console.print(f"[green]✓[/] {report.posts:,} {what} scanned, {report.black_gray:,} "
                  f"黑灰产 black/gray")
    if report.by_category:
        table = Table("类别 category", "posts")
        for category, count in sorted(report.by_category.items(), key=lambda kv: -kv[1]):
            table.add_row(category, f"{count:,}")
        console.print(table)


def scan(
    file: Annotated[Optional[Path], typer.Argument(help="Posts file: .csv, .jsonl or .xlsx "
                                                   "with a `text` column")] = None,
    out: Annotated[Optional[Path],
                   typer.Option(help="Assessments file: .csv, .jsonl or .xlsx")] = None,
    store: Annotated[bool, typer.Option("--store", help="Re-scan the posts in the store "
                                        "instead of a file")] = False,
    unmasked: Unmasked = False,
) -> None:
    """Scan posts for black/gray marketing: level, category, terms and contacts (formats.md)."""
    settings = load_settings()
    try:
        if store:
            report = service.scan_stored_posts(open_store(settings), settings.org)
            _print_scan(report, "stored posts")
            return
        if file is None or out is None:
            raise QinglangError("give FILE and --out, or --store")
        columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                   TimeRemainingColumn())
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task(f"扫描 {file.name}", total=None)
            report = service.scan_file(
                file, out, settings.max_field_chars, unmasked,
                progress=lambda done, total: bar.update(task, completed=done, total=total))
    except QinglangError as error:
        fail(error)
    _print_scan(report, f"posts → {out}")


def train(
    out: Annotated[Path, typer.Option(help="Model file (.npz)")] = DEFAULT_MODEL,
    fbs: Annotated[Optional[Path], typer.Option(help="FBS SMS train.tsv")] = None,
    sample: Annotated[Optional[list[Path]], typer.Option(help="A `qinglang sample` folder "
                                                         "(repeatable)")] = None,
    version: Annotated[Optional[str], typer.Option(help="Model version to record")] = None,
) -> None:
    """Train the content model; prints k-fold figures and FBS held-out figures."""
    try:
        with console.status("训练 training…"):
            report = service.train_model(out, fbs, sample or [], version)
    except QinglangError as error:
        fail(error)
    table = Table("split", "precision", "recall", "F1", "positives",
                  title=f"模型 model → {report.model_path} ({report.examples:,} texts)")
    for name, figures in ((f"5-fold by campaign (training texts), threshold {report.threshold}",
                           report.cross_validated),
                          ("FBS held out", report.held_out)):
        if figures:
            table.add_row(name, *(str(figures[k]) for k in ("precision", "recall", "f1",
                                                             "positives")))
    console.print(table)


def export_posts(
    out: Annotated[Path, typer.Option(help="Output file: .csv, .jsonl or .xlsx")],
    unmasked: Unmasked = False,
) -> None:
    """Post assessments of the stored posts (formats.md)."""
    settings = load_settings()
    try:
        count = write_table(out, service.SCAN_COLUMNS,
                            service.post_assessment_rows(open_store(settings), settings.org,
                                                         unmasked))
    except QinglangError as error:
        fail(error)
    if count == 0:
        console.print("[yellow]no post assessments yet: import posts or run `qinglang scan "
                      "--store`[/]")
    console.print(f"[green]✓[/] {count:,} post assessments → {out}")


def takedown(
    out: Annotated[Path, typer.Option(help="Folder for one request file per platform")],
    unmasked: Unmasked = False,
) -> None:
    """Take-down requests per platform: post address, account, level, reason, evidence."""
    settings = load_settings()
    try:
        written = service.export_takedowns(open_store(settings), settings.org, out, unmasked)
    except QinglangError as error:
        fail(error)
    table = Table("平台 platform", "requests", title=f"下架申请 take-down requests → {out}")
    for platform, count in written.items():
        table.add_row(platform, f"{count:,}")
    console.print(table)
