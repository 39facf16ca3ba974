"""qinglang 清朗 command line: each command is a thin wrapper over a service."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from qinglang.commands.common import fail
from qinglang.errors import QinglangError
from qinglang.ingest.sources import kind_from_name
from qinglang.model.schema import KIND_NAMES
from qinglang.model.values import IdNumberProtector
from qinglang.export.writers import write_table
from qinglang.services.analyze import analyze as run_analyze
from qinglang.services.assess import EXPORT_COLUMNS, assessment_rows
from qinglang.services.exporting import export_records
from qinglang.services.importing import ImportReport, import_file
from qinglang.services.stats import store_stats
from qinglang.settings import load_settings
from qinglang.store.db import open_store

app = typer.Typer(help="清朗 qinglang — find and stop the financial black and gray industry.",
                  no_args_is_help=True, add_completion=False)
export_app = typer.Typer(help="Export what the store holds (CSV with BOM, .jsonl or .xlsx).",
                         no_args_is_help=True)
app.add_typer(export_app, name="export")
console = Console()

SUPPORTED = {".csv", ".tsv", ".jsonl", ".ndjson", ".xlsx", ".xlsm"}


@app.command()
def sample(
    out: Annotated[Path, typer.Option(help="Folder to write the institution's exports into")],
    customers: Annotated[int, typer.Option(min=1, help="Number of customers")] = 5000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same files")] = 7,
) -> None:
    """Write a synthetic institution (exports plus ground truth in OUT/truth/)."""
    from qinglang.sample import generate

    with console.status(f"生成样例机构 generating {customers:,} customers…"):
        counts = generate(out, customers=customers, seed=seed)
    table = Table("file", "rows", title=f"样例机构 sample institution → {out}")
    for name, count in counts.items():
        table.add_row(name, f"{count:,}")
    console.print(table)


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Files, or folders of exports")],
    kind: Annotated[Optional[str], typer.Option(help=f"One of {', '.join(KIND_NAMES)}")] = None,
    encoding: Annotated[Optional[str], typer.Option(help="utf-8, gbk or gb18030")] = None,
) -> None:
    """Import CSV / JSON Lines / .xlsx exports; bad rows go to a rejects file."""
    settings = load_settings()
    engine = open_store(settings)
    failed = 0
    for path in _expand(paths):
        try:
            report = _import_with_progress(engine, settings, path, kind, encoding)
        except QinglangError as error:
            console.print(f"[red]✗ {path.name}:[/] {error.message}")
            failed += 1
            continue
        _print_import(report)
    if failed:
        raise typer.Exit(1)


def _expand(paths: list[Path]) -> list[Path]:
    """Folders become their export files, customers first so that links resolve in order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += [p for p in sorted(path.iterdir()) if p.suffix.lower() in SUPPORTED]
        else:
            files.append(path)
    order = {name: i for i, name in enumerate(KIND_NAMES)}

    def rank(p: Path) -> int:
        schema = kind_from_name(p)
        return order[schema.kind] if schema else len(order)

    return sorted(files, key=rank)


def _import_with_progress(engine, settings, path, kind, encoding) -> ImportReport:
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"导入 {path.name}", total=None)
        return import_file(engine, settings, path, kind, encoding,
                           progress=lambda done, total: bar.update(task, completed=done,
                                                                   total=total))


def _print_import(report: ImportReport) -> None:
    resumed = f", resumed after row {report.resumed_from}" if report.resumed_from else ""
    console.print(f"[green]✓[/] {report.file.name} → {report.kind}: {report.rows_ok:,} rows "
                  f"imported, {report.rows_rejected:,} rejected{resumed}"
                  f" [dim]({report.encoding or 'xlsx'})[/]")
    for reason, count in list(report.reasons.items())[:5]:
        console.print(f"    [yellow]{count:>6,}[/] × {reason}")
    if report.rejects_file:
        console.print(f"    rejects: {report.rejects_file}")


@app.command()
def stats() -> None:
    """Counts of what the store holds."""
    settings = load_settings()
    result = store_stats(open_store(settings), settings.org)
    table = Table("类型 kind", "记录 records", title=f"库存 store ({settings.org})")
    for kind, count in result.records.items():
        table.add_row(kind, f"{count:,}")
    table.add_row("attachments", f"{result.attachments:,} ({result.attachments_missing:,} missing)")
    console.print(table)
    console.print(f"imports: {result.imports:,} files, {result.rows_rejected:,} rows rejected")
    if result.complaints_by_channel:
        channels = ", ".join(f"{k} {v:,}" for k, v in result.complaints_by_channel.items())
        console.print(f"complaints by channel: {channels}")


@app.command()
def analyze() -> None:
    """Run every installed detector over the whole store."""
    settings = load_settings()
    for run in run_analyze(open_store(settings), settings.org):
        table = Table("finding", "count", title=run.title)
        for label, count in run.findings.items():
            table.add_row(label, f"{count:,}")
        console.print(table)


@export_app.command("records")
def export_records_cmd(
    kind: Annotated[str, typer.Argument(help=f"One of {', '.join(KIND_NAMES)}")],
    out: Annotated[Path, typer.Option(help="Output file: .csv, .jsonl or .xlsx")],
    unmasked: Annotated[bool, typer.Option(help="Write personal data in full")] = False,
) -> None:
    """Export stored records of one kind, personal data masked by default."""
    settings = load_settings()
    if kind not in KIND_NAMES:
        fail(QinglangError(f"unknown kind {kind!r}; one of {', '.join(KIND_NAMES)}"))
    protector = IdNumberProtector(settings.secret_key) if unmasked else None
    try:
        count = export_records(open_store(settings), settings.org, kind, out, unmasked,
                               protector)
    except QinglangError as error:
        fail(error)
    console.print(f"[green]✓[/] {count:,} {kind} → {out}")


@export_app.command("complaints")
def export_complaints_cmd(
    out: Annotated[Path, typer.Option(help="Output file: .csv, .jsonl or .xlsx")],
) -> None:
    """Complaint assessments (formats.md): risk score, outcome, rules fired, explanation."""
    settings = load_settings()
    engine = open_store(settings)
    try:
        count = write_table(out, EXPORT_COLUMNS, assessment_rows(engine, settings.org))
    except QinglangError as error:
        fail(error)
    if count == 0:
        console.print("[yellow]no assessments yet: run `qinglang analyze` first[/]")
    console.print(f"[green]✓[/] {count:,} complaint assessments → {out}")


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the sample exports")] = Path("demo"),
    customers: Annotated[int, typer.Option(min=100)] = 5000,
    seed: Annotated[int, typer.Option()] = 7,
    serve: Annotated[bool, typer.Option(help="End by serving the dashboard")] = True,
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
) -> None:
    """Generate the sample institution, import it, analyse it, report, and serve the dashboard
    with a demo login."""
    console.rule("1. 样例机构 sample institution")
    sample(out=out, customers=customers, seed=seed)
    console.rule("2. 导入 import (posts are scanned as they arrive)")
    import_([out])
    console.rule("3. 分析 analyze")
    analyze()
    console.rule("4. 库存 store")
    stats()
    if serve:
        console.rule("5. 全域监控 dashboard")
        _serve.add("demo", role="admin", password=None, generate=True, display_name="演示",
                   replace=True)
        _serve.serve(host="127.0.0.1", port=port)


# Each engine's commands live in its own module under qinglang/commands/ and are
# registered here, one line each.
from qinglang.commands import rules as _rules  # noqa: E402
app.add_typer(_rules.rules_app, name="rules")
from qinglang.commands import report as _report  # noqa: E402
app.add_typer(_report.report_app, name="report")
from qinglang.commands import score as _score  # noqa: E402
app.command("score")(_score.score)

from qinglang.commands import serve as _serve  # noqa: E402
app.command("serve")(_serve.serve)
app.add_typer(_serve.user_app, name="user")

from qinglang.commands import alliance as _alliance  # noqa: E402
app.add_typer(_alliance.alliance_app, name="alliance")

from qinglang.commands import cases as _cases  # noqa: E402
app.add_typer(_cases.case_app, name="case")
app.add_typer(_cases.audit_app, name="audit")

from qinglang.commands import graph as _graph  # noqa: E402
app.add_typer(_graph.gang_app, name="gang")
app.add_typer(_graph.graph_app, name="graph")
app.command("who")(_graph.who)
export_app.command("gangs")(_graph.export_gangs)

from qinglang.commands import content as _content  # noqa: E402
app.command("scan")(_content.scan)
app.command("train")(_content.train)
app.command("takedown")(_content.takedown)
export_app.command("posts")(_content.export_posts)

from qinglang.commands import findings as _findings  # noqa: E402
app.add_typer(_findings.finding_app, name="finding")


if __name__ == "__main__":
    app()
