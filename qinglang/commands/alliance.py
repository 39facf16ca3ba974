"""`qinglang alliance …`: the hub (serve, register, rotate-key, audit) and the member side
(contribute, match, sync, withdraw) of alliance intelligence sharing."""

from __future__ import annotations

import os
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Iterator, Optional

import typer
from rich.console import Console
from rich.table import Table

from qinglang.alliance.client import HubClient
from qinglang.alliance.hub import PERIODS
from qinglang.errors import QinglangError
from qinglang.services import alliance as service
from qinglang.settings import load_settings
from qinglang.store.db import open_store

alliance_app = typer.Typer(help="联盟情报共享 Alliance intelligence sharing (private set "
                                "intersection over an OPRF).", no_args_is_help=True)
console = Console()

Hub = Annotated[str, typer.Option("--hub", envvar="QINGLANG_ALLIANCE_HUB",
                                  help="The hub's address, e.g. https://hub.example:8600")]
Token = Annotated[str, typer.Option("--token", envvar="QINGLANG_ALLIANCE_TOKEN",
                                    help="This member's token")]
AdminToken = Annotated[str, typer.Option("--admin-token", envvar="QINGLANG_ALLIANCE_ADMIN_TOKEN",
                                         help="The alliance administrator's token")]
File = Annotated[Optional[Path], typer.Option(
    "--file", help="Indicators in the formats.md 'intelligence' format, instead of the store")]
Workers = Annotated[Optional[int], typer.Option(min=1, help="Processes (default: one a core)")]
ExpiresDays = Annotated[int, typer.Option(min=1, help="Contributions expire after N days")]


@contextmanager
def _reporting_errors() -> Iterator[None]:
    try:
        yield
    except QinglangError as error:
        console.print(f"[bold red]错误 error:[/] {error.message}")
        raise typer.Exit(2)


@alliance_app.command()
def serve(
    home: Annotated[Path, typer.Option(envvar="QINGLANG_ALLIANCE_HOME",
                                       help="The hub's folder: key file, admin token, SQLite")]
    = Path(".qinglang-hub"),
    db_url: Annotated[Optional[str], typer.Option(envvar="QINGLANG_ALLIANCE_DB_URL",
                                                  help="The hub's store (default SQLite)")] = None,
    host: str = "127.0.0.1",
    port: int = 8600,
    k: Annotated[Optional[int], typer.Option(min=1, help="Show counts of institutions only "
                                                         "when at least k agree")] = None,
    quota: Annotated[Optional[int], typer.Option(min=0, help="Evaluations per member and "
                                                             "period")] = None,
    period: Annotated[Optional[str], typer.Option(help=f"Quota period: {', '.join(PERIODS)}")]
    = None,
    workers: Workers = None,
    log_file: Annotated[Optional[Path], typer.Option(help="Write the log here")] = None,
) -> None:
    """Run the hub (FastAPI on uvicorn). The policy options given are stored; the others
    keep their stored values."""
    from qinglang.alliance.server import HubConfig, serve as run

    given = {"k": k, "default_quota": quota, "quota_period": period}
    policy = {name: value for name, value in given.items() if value is not None}
    with _reporting_errors():
        run(HubConfig(home.resolve(), db_url, host, port, policy, workers or os.cpu_count() or 1,
                      log_file))


@alliance_app.command()
def register(
    name: Annotated[str, typer.Argument(help="The member institution's name")],
    hub: Hub, admin_token: AdminToken,
    quota: Annotated[Optional[int], typer.Option(min=0, help="Its own quota")] = None,
) -> None:
    """Register a member; its token is shown once and kept by the hub only as a digest."""
    with _reporting_errors(), HubClient(hub, admin_token) as client:
        token = client.register(name, quota)
    console.print(f"[green]✓[/] member {name} registered; its token (shown once) follows")
    typer.echo(token)


@alliance_app.command()
def contribute(
    hub: Hub, token: Token, file: File = None, expires_days: ExpiresDays = 365,
    workers: Workers = None,
) -> None:
    """Contribute indicators (the store's intelligence and gang identifiers, or a file)."""
    settings = load_settings()
    engine = open_store(settings)
    with _reporting_errors(), HubClient(hub, token) as client:
        indicators = _indicators(settings, engine, file, expires_days, checked=False)
        with service.workers(workers) as pool:
            stored = service.contribute(engine, settings.org, client, indicators, pool)
    console.print(f"[green]✓[/] {stored:,} indicators contributed"
                  f" ({indicators.refused:,} not valid, left out)")


@alliance_app.command()
def match(hub: Hub, token: Token, file: File = None, workers: Workers = None) -> None:
    """Check the store's identifiers (or a file's) against the pool; matches become
    intelligence records with source 'alliance'."""
    settings = load_settings()
    engine = open_store(settings)
    with _reporting_errors(), HubClient(hub, token) as client:
        indicators = _indicators(settings, engine, file, 365, checked=True)
        with service.workers(workers) as pool:
            report = service.match(engine, settings, client, indicators, pool)
    table = Table("类型 kind", "命中 matched", title=f"联盟比对 alliance match run {report.run_id}")
    for kind, count in sorted(Counter(k.split(":")[0] for k in report.found).items()):
        table.add_row(kind, f"{count:,}")
    console.print(table)
    console.print(f"{report.items:,} items checked, {report.matched:,} in the pool "
                  f"({report.hidden_counts:,} with fewer than k reporting institutions); "
                  f"sent {report.bytes_sent:,} B, received {report.bytes_received:,} B")


@alliance_app.command()
def sync(hub: Hub, token: Token) -> None:
    """Download the pool's compact encoding when it changed."""
    settings = load_settings()
    with _reporting_errors(), HubClient(hub, token) as client:
        entries, epoch, version = service.sync(settings, client)
    console.print(f"[green]✓[/] pool: {entries:,} entries (key epoch {epoch}, version {version})")


@alliance_app.command()
def withdraw(
    hub: Hub, token: Token, file: File = None,
    all_: Annotated[bool, typer.Option("--all", help="Withdraw every contribution")] = False,
    workers: Workers = None,
) -> None:
    """Withdraw this member's own contributions (those in a file, or --all)."""
    settings = load_settings()
    engine = open_store(settings)
    if all_ == (file is not None):
        console.print("[bold red]错误 error:[/] give either --file or --all")
        raise typer.Exit(2)
    with _reporting_errors(), HubClient(hub, token) as client:
        indicators = None if all_ else service.indicators_from_file(settings, file, 365)
        with service.workers(workers) as pool:
            removed = service.withdraw(engine, settings.org, client, indicators, pool)
    console.print(f"[green]✓[/] {removed:,} contributions withdrawn")


@alliance_app.command("rotate-key")
def rotate_key(hub: Hub, admin_token: AdminToken) -> None:
    """Rotate the hub's key; the stored pool is re-keyed and members re-sync."""
    with _reporting_errors(), HubClient(hub, admin_token) as client:
        epoch = client.rotate_key()
    console.print(f"[green]✓[/] the hub's key is now at epoch {epoch}")


@alliance_app.command()
def audit(hub: Hub, admin_token: AdminToken) -> None:
    """Who asked the hub how much (never what)."""
    with _reporting_errors(), HubClient(hub, admin_token) as client:
        rows = client.audit()
    table = Table("成员 member", "操作 action", "结果 outcome", "请求 requests", "条目 items",
                  "最近 last", title="联盟审计 alliance audit")
    for row in rows:
        table.add_row(row["member"], row["action"], row["outcome"], f"{row['requests']:,}",
                      f"{row['items']:,}", row["last_at"])
    console.print(table)


def _indicators(settings, engine, file: Path | None, expires_days: int,
                checked: bool) -> service.Indicators:
    if file is not None:
        return service.indicators_from_file(settings, file, expires_days)
    return service.indicators_from_store(engine, settings.org, expires_days, checked=checked)
