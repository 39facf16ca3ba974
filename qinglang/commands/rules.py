"""`qinglang rules …`: the rule sets as data, and backtesting a change on the stored data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from qinglang.errors import QinglangError
from qinglang.rules.schema import load_ruleset
from qinglang.services.backtest import diff_rulesets
from qinglang.settings import load_settings
from qinglang.store.db import open_store

rules_app = typer.Typer(help="Identification rule sets (YAML): compare versions on the store.",
                        no_args_is_help=True)
console = Console()
DEFAULT = "default"


def _ruleset(name: str):
    return load_ruleset(None if name == DEFAULT else Path(name))


@rules_app.command("diff")
def diff(
    old: Annotated[str, typer.Argument(help="Rule-set YAML file, or 'default'")],
    new: Annotated[str, typer.Argument(help="Rule-set YAML file, or 'default'")],
) -> None:
    """Evaluate two rule-set versions on the stored data: which outcomes change, and why."""
    settings = load_settings()
    try:
        result = diff_rulesets(open_store(settings), settings.org, _ruleset(old), _ruleset(new))
    except QinglangError as error:
        console.print(f"[bold red]错误 error:[/] {error.message}")
        raise typer.Exit(2)
    console.print(f"规则集 rule sets {result.old_version} → {result.new_version}: "
                  f"{result.changed:,} of {result.complaints:,} complaints change outcome")
    moves = Table("旧 old", "新 new", "投诉 complaints", title="结论变化 outcome changes")
    for (before, after), count in sorted(result.transitions.items()):
        if before != after:
            moves.add_row(before, after, f"{count:,}")
    console.print(moves)
    causes = Table("规则 rule", "变化的投诉 changed", "命中 fired old → new", "例 examples",
                   title="原因 causes")
    for cause, count in result.causes.most_common():
        fired = f"{result.fired_old[cause]:,} → {result.fired_new[cause]:,}"
        causes.add_row(cause, f"{count:,}", fired, ", ".join(result.examples[cause]))
    console.print(causes)
