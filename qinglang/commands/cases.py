"""`qinglang case …` and `qinglang audit …`: cases, evidence, referral packages, the audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from qinglang.errors import QinglangError
from qinglang.model.case import EVENT_LABELS_ZH, CaseSource, CaseStatus, EventKind
from qinglang.services import audit
from qinglang.services import cases as service
from qinglang.settings import Settings, load_settings
from qinglang.store.db import open_store

case_app = typer.Typer(help="Cases: open from a gang, customers, complaints or posts; work "
                            "them; export police referral packages.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log of every action.",
                        no_args_is_help=True)
console = Console()


def _store() -> tuple[Settings, object]:
    settings = load_settings()
    return settings, open_store(settings)


def _vault(settings: Settings) -> Path:
    return settings.home / "evidence"


def _ids(raw: str) -> list[str]:
    """Comma- or space-separated ids, or @FILE with one id a line."""
    if raw.startswith("@"):
        raw = Path(raw[1:]).read_text("utf-8")
    return [part for part in raw.replace(",", " ").split() if part]


def _run(action):
    try:
        return action()
    except QinglangError as error:
        console.print(f"[bold red]错误 error:[/] {error.message}")
        raise typer.Exit(2) from None


@case_app.command("open")
def open_(
    title: Annotated[str, typer.Option(help="案件名称 the case's title")],
    gang: Annotated[Optional[str], typer.Option(help="A gang id")] = None,
    complaints: Annotated[Optional[str], typer.Option(help="Complaint ids (a,b or @file)")] = None,
    customers: Annotated[Optional[str], typer.Option(help="Customer ids (a,b,c or @file)")] = None,
    posts: Annotated[Optional[str], typer.Option(help="Post ids (a,b,c or @file)")] = None,
    agent: Annotated[Optional[str], typer.Option(
        help="An agent's identifier, e.g. phone:+8613800138000 or wechat:abc")] = None,
) -> None:
    """Open a case with every piece of evidence its source leads to."""
    given = {CaseSource.GANG: gang, CaseSource.COMPLAINTS: complaints,
             CaseSource.CUSTOMERS: customers, CaseSource.POSTS: posts, CaseSource.AGENT: agent}
    chosen = [(source, raw) for source, raw in given.items() if raw]
    if len(chosen) != 1:
        console.print("[red]give exactly one of --gang, --complaints, --customers, --posts, "
                      "--agent[/]")
        raise typer.Exit(2)
    source, raw = chosen[0]
    settings, engine = _store()
    case_id = _run(lambda: service.open_case(engine, settings.org, settings.user, source,
                                             _ids(raw), title, _vault(settings)))
    view = service.case_view(engine, settings.org, case_id)
    console.print(f"[green]✓[/] 立案 case {case_id} opened: {title} — "
                  f"{len(view.evidence):,} evidence items")


@case_app.command("list")
def list_(status: Annotated[Optional[str], typer.Option(help="Only cases in this status")] = None
          ) -> None:
    """Cases, newest first."""
    settings, engine = _store()
    rows = _run(lambda: service.list_cases(engine, settings.org, status))
    table = Table("编号 id", "名称 title", "状态 status", "承办 assignee", "证据 evidence",
                  "立案 opened", title=f"案件 cases ({settings.org})")
    for row in rows:
        table.add_row(str(row["case_id"]), row["title"], CaseStatus(row["status"]).label_zh,
                      row["assignee"] or "", f"{row['evidence']:,}",
                      row["opened_at"].isoformat(" ", "minutes"))
    console.print(table)


@case_app.command("show")
def show(case_id: int) -> None:
    """A case: its summary, event log and evidence by kind."""
    settings, engine = _store()
    view = _run(lambda: service.case_view(engine, settings.org, case_id))
    case = view.case
    console.print(f"[bold]案件 {case_id}[/] {case['title']} · {view.status.label_zh} "
                  f"({view.status.value}) · 承办 {case['assignee'] or '未指派'} · "
                  f"next: {', '.join(sorted(s.value for s in view.status.allowed_next)) or '—'}")
    events = Table("#", "时间 at", "事件 event", "人 actor", "detail", title="事件 events")
    for event in view.events:
        events.add_row(str(event["seq"]), event["at"].isoformat(" ", "seconds"),
                       EVENT_LABELS_ZH[EventKind(event["kind"])], event["actor"],
                       ", ".join(f"{k}={v}" for k, v in event["detail"].items()))
    console.print(events)
    counts: dict[str, int] = {}
    for item in view.evidence:
        counts[item["kind"]] = counts.get(item["kind"], 0) + 1
    console.print("证据 evidence: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))


@case_app.command("assign")
def assign(case_id: int, assignee: str) -> None:
    """Give the case to an investigator."""
    settings, engine = _store()
    _run(lambda: service.assign(engine, settings.org, settings.user, case_id, assignee))
    console.print(f"[green]✓[/] case {case_id} → {assignee}")


@case_app.command("status")
def status(case_id: int, new: str,
           reason: Annotated[Optional[str], typer.Option(help="Why (required to dismiss)")] = None
           ) -> None:
    """Move the case: new → investigating → referred / taken_down → closed, or dismissed."""
    settings, engine = _store()
    target = _run(lambda: service.change_status(engine, settings.org, settings.user, case_id,
                                                new, reason))
    console.print(f"[green]✓[/] case {case_id}: {target.label_zh} ({target.value})")


@case_app.command("comment")
def comment(case_id: int, text: str) -> None:
    """Add a comment to the case's event log."""
    settings, engine = _store()
    _run(lambda: service.comment(engine, settings.org, settings.user, case_id, text))
    console.print(f"[green]✓[/] comment added to case {case_id}")


@case_app.command("add-evidence")
def add_evidence(
    case_id: int,
    record: Annotated[Optional[str], typer.Option(help="KIND:ID of a stored record")] = None,
    file: Annotated[Optional[Path], typer.Option(help="A file (screenshot, recording…)")] = None,
    note: Annotated[str, typer.Option(help="What it shows")] = "",
) -> None:
    """Add a stored record or a manual finding (a note, optionally with a file)."""
    settings, engine = _store()
    parsed = tuple(record.split(":", 1)) if record else None
    if parsed is not None and len(parsed) != 2:
        console.print("[red]--record is KIND:ID, e.g. complaints:T00001[/]")
        raise typer.Exit(2)
    added = _run(lambda: service.add_evidence(engine, settings.org, settings.user, case_id,
                                              _vault(settings), parsed, file, note))
    console.print(f"[green]✓[/] {len(added)} evidence item(s) added to case {case_id}")


@case_app.command("export")
def export(
    case_id: int,
    out: Annotated[Path, typer.Option(help="Folder for the package")],
    unmasked: Annotated[bool, typer.Option(help="Personal data in full (for the police)")] = False,
) -> None:
    """Write the police referral package: report.pdf, report.html, evidence, manifest (ZIP)."""
    settings, engine = _store()
    package = _run(lambda: service.export_package(engine, settings.org, settings.user, case_id,
                                                  out, _vault(settings), unmasked))
    console.print(f"[green]✓[/] {package.path} ({len(package.manifest['files'])} files)\n"
                  f"    sha256 {package.sha256}")


@case_app.command("takedown")
def takedown(case_id: int,
             out: Annotated[Path, typer.Option(help="Folder for the request files")]) -> None:
    """Write take-down requests for the case's posts, one file per platform."""
    settings, engine = _store()
    written = _run(lambda: service.export_takedowns(engine, settings.org, settings.user,
                                                    case_id, out))
    for path in written:
        console.print(f"[green]✓[/] {path}")


@audit_app.command("verify")
def verify(anchor: Annotated[Optional[str], typer.Option(
        help="SEQ:HASH of a head noted earlier: also catches entries cut from the end")] = None
           ) -> None:
    """Check the whole chain; say where an entry was edited, deleted or reordered."""
    settings, engine = _store()
    report = audit.verify(engine, _run(lambda: audit.parse_anchor(anchor)) if anchor else None)
    for problem in report.problems:
        console.print(f"[bold red]✗ {problem.kind}[/] {problem.message}")
    head = f"{report.head_seq}:{report.head_hash}"
    if report.ok:
        console.print(f"[green]✓[/] 审计日志完整 audit log intact: {report.entries:,} entries, "
                      f"head {head}")
        return
    console.print(f"[red]审计日志被篡改 audit log tampered: {len(report.problems)} problem(s) "
                  f"in {report.entries:,} entries[/]")
    raise typer.Exit(1)


@audit_app.command("show")
def show_audit(
    actor: Annotated[Optional[str], typer.Option(help="Only this user's actions")] = None,
    action: Annotated[Optional[str], typer.Option(help="Only actions starting with this")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
) -> None:
    """The newest entries of this institution's audit log."""
    settings, engine = _store()
    table = Table("#", "时间 at", "人 actor", "操作 action", "对象 target", "detail",
                  title=f"审计日志 audit log ({settings.org})", expand=True)
    for entry in audit.entries(engine, settings.org, actor, action, limit):
        table.add_row(str(entry.seq), entry.at.isoformat(" ", "seconds"), entry.actor,
                      entry.action, entry.target,
                      ", ".join(f"{k}={v}" for k, v in entry.detail.items()))
    console.print(table)
