"""`qinglang finding add|list|withdraw`: analysts' findings on the manual rules (1.1, 1.3, 1.4,
3.3, 4.3, 5.7 …). Notes are shown with phone and id numbers masked unless --unmasked."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from qinglang.commands.common import fail, store_of_institution
from qinglang.errors import QinglangError
from qinglang.services import findings as service

finding_app = typer.Typer(help="人工认定 Analysts' findings on the manual rules.",
                          no_args_is_help=True)
console = Console()


@finding_app.command("add")
def add(
    complaint_id: Annotated[str, typer.Argument(help="The complaint the finding is about")],
    rule: Annotated[str, typer.Option(help="A manual rule id, e.g. 3.3")],
    note: Annotated[str, typer.Option(help="What the analyst found")],
    by: Annotated[Optional[str], typer.Option(help="Who found it (default: QINGLANG_USER "
                                                   "or the login name)")] = None,
    rescore: Annotated[bool, typer.Option(help="Score the complaint again now, without "
                                               "a full `qinglang analyze`")] = False,
) -> None:
    """Record a finding: it counts as a hit of its rule when the complaint is scored."""
    engine, org = store_of_institution()
    try:
        finding_id = service.add_finding(engine, org, by, complaint_id, rule, note)
        console.print(f"[green]✓[/] 认定 finding {finding_id}: {complaint_id} rule {rule}")
        if rescore:
            _show_rescore(engine, org, by, complaint_id)
    except QinglangError as error:
        fail(error)


@finding_app.command("withdraw")
def withdraw(
    finding_id: Annotated[int, typer.Argument(min=1, help="The finding's number")],
    reason: Annotated[str, typer.Option(help="Why it is withdrawn")],
    by: Annotated[Optional[str], typer.Option(help="Who withdraws it")] = None,
    rescore: Annotated[bool, typer.Option(help="Score its complaint again now")] = False,
) -> None:
    """Withdraw a finding; it stays on record, marked withdrawn, and no longer counts."""
    engine, org = store_of_institution()
    try:
        complaint_id = service.withdraw_finding(engine, org, by, finding_id, reason)
        console.print(f"[green]✓[/] 撤回 withdrawn finding {finding_id} ({complaint_id})")
        if rescore:
            _show_rescore(engine, org, by, complaint_id)
    except QinglangError as error:
        fail(error)


@finding_app.command("list")
def list_(
    complaint: Annotated[Optional[str], typer.Option(help="Only this complaint's findings")]
    = None,
    unmasked: Annotated[bool, typer.Option(help="Show notes in full (audited)")] = False,
) -> None:
    """Findings, oldest first, withdrawn ones marked."""
    engine, org = store_of_institution()
    table = Table("编号 id", "投诉 complaint", "规则 rule", "说明 note", "认定人 by", "时间 at",
                  "状态 status", title=f"人工认定 findings ({org})")
    for f in service.list_findings(engine, org, complaint, unmasked):
        status = (f"撤回 withdrawn by {f['withdrawn_by']}: {f['withdrawal_reason']}"
                  if f["withdrawn"] else "有效 standing")
        table.add_row(str(f["finding_id"]), f["complaint_id"], f["rule_id"], f["note"],
                      f["added_by"], f"{f['added_at']:%Y-%m-%d %H:%M}", status)
    console.print(table)


def _show_rescore(engine, org: str, actor: str | None, complaint_id: str) -> None:
    verdict = service.rescore(engine, org, actor, complaint_id).verdict
    console.print(f"重新评分 rescored {complaint_id}: risk {verdict.risk_score} "
                  f"{verdict.outcome} [{verdict.rules}] {verdict.explanation}")
