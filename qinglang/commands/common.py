"""What every command module shares: printing an error without personal data and leaving
with status 2, and opening the configured store."""

from __future__ import annotations

import typer
from rich.console import Console
from sqlalchemy import Engine

from qinglang.errors import QinglangError
from qinglang.settings import load_settings
from qinglang.store.db import open_store

console = Console()


def fail(error: QinglangError) -> None:
    console.print(f"[bold red]错误 error:[/] {error.message}")
    raise typer.Exit(2)


def store_of_institution() -> tuple[Engine, str]:
    """The configured store, migrated, and the institution (QINGLANG_ORG) commands act for."""
    settings = load_settings()
    return open_store(settings), settings.org
