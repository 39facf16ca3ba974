"""`qinglang serve`: the API and the 全域监控 dashboard; `qinglang user`: accounts and tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from qinglang.errors import QinglangError
from qinglang.services import accounts
from qinglang.settings import load_settings
from qinglang.store.db import open_store

console = Console()
user_app = typer.Typer(help="Accounts of the institution (QINGLANG_ORG) and their API tokens.",
                       no_args_is_help=True)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(
        min=1, help="Server processes: requests are scored on as many cores")] = 1,
) -> None:
    """Serve the REST API (/api/v1, spec at /api/openapi.json) and the dashboard (/)."""
    import uvicorn

    from qinglang.services import online

    settings = load_settings()
    engine = open_store(settings)           # migrated once, before the processes start
    online.read_scoring_indexes(engine)
    engine.dispose()
    console.print(f"全域监控 dashboard: [bold]http://{host}:{port}/[/]  ·  "
                  f"OpenAPI: http://{host}:{port}/api/openapi.json  ·  institution {settings.org}"
                  f"  ·  {workers} process(es)")
    uvicorn.run("qinglang.api.app:app_from_environment", factory=True, host=host, port=port,
                workers=workers, log_level="warning")


@user_app.command("add")
def add(
    username: Annotated[str, typer.Argument()],
    role: Annotated[str, typer.Option(help=" / ".join(accounts.ROLES))] = "analyst",
    password: Annotated[Optional[str], typer.Option(
        help="Leave out to be asked (or to have one generated with --generate)")] = None,
    generate: Annotated[bool, typer.Option(help="Generate a password and print it once")] = False,
    display_name: Annotated[Optional[str], typer.Option()] = None,
    replace: Annotated[bool, typer.Option(
        help="If the account exists, give it this password and role and enable it")] = False,
) -> None:
    """Add an account to the institution."""
    if generate:
        password = accounts.generate_password()
    elif password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    settings = load_settings()
    engine = open_store(settings)
    if replace and username in {a["username"] for a in accounts.list_accounts(engine,
                                                                              settings.org)}:
        _run(accounts.reset_account, engine, settings.org, username, password, role)
    else:
        _run(accounts.add_account, engine, settings.org, username, password, role,
             display_name)
    console.print(f"[green]✓[/] {username} ({role}) @ {settings.org}")
    if generate:
        console.print(f"password: [bold]{password}[/]")


@user_app.command("list")
def list_() -> None:
    """The institution's accounts."""
    settings = load_settings()
    table = Table("username", "role", "name", "disabled", title=f"账号 accounts ({settings.org})")
    for account in accounts.list_accounts(open_store(settings), settings.org):
        table.add_row(account["username"], account["role"], account["display_name"] or "",
                      "yes" if account["disabled"] else "")
    console.print(table)


@user_app.command("token")
def token(
    username: Annotated[str, typer.Argument()],
    label: Annotated[str, typer.Option(help="What the token is for")] = "api",
    days: Annotated[Optional[int], typer.Option(min=1, help="Lifetime; default until revoked")]
    = None,
) -> None:
    """Issue an API token for an account; it is printed once and stored only hashed."""
    settings = load_settings()
    lifetime = timedelta(days=days) if days else None
    issued = _run(accounts.issue_token, open_store(settings), settings.org, username, label,
                  lifetime)
    console.print(issued.secret, highlight=False, soft_wrap=True)


@user_app.command("disable")
def disable(username: Annotated[str, typer.Argument()]) -> None:
    """Disable an account and revoke its tokens."""
    settings = load_settings()
    engine = open_store(settings)
    _run(accounts.set_disabled, engine, settings.org, username, True)
    revoked = accounts.revoke_tokens_of(engine, settings.org, username)
    console.print(f"[green]✓[/] {username} disabled, {revoked} token(s) revoked")


def _run(action, *args):
    try:
        return action(*args)
    except QinglangError as error:
        console.print(f"[bold red]错误 error:[/] {error.message}")
        raise typer.Exit(2) from None
