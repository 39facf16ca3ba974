"""`qinglang gang …`, `qinglang who`, `qinglang graph export`, `qinglang export gangs`:
the entity graph, its gangs and their agents. Identifiers are masked unless --unmasked."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from qinglang.commands.common import fail, store_of_institution
from qinglang.errors import QinglangError
from qinglang.export.writers import write_table
from qinglang.services import gangs as service

gang_app = typer.Typer(help="团伙 Gangs found in the entity graph.", no_args_is_help=True)
graph_app = typer.Typer(help="关系图 The entity graph.", no_args_is_help=True)
console = Console()
Unmasked = Annotated[bool, typer.Option(help="Show personal identifiers in full")]


def _counts(values: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in list(values.items())[:6])


@gang_app.command("refresh")
def refresh(full: Annotated[bool, typer.Option(
        help="Rebuild the whole graph, not only the part the records imported since touch")] = False,
            ) -> None:
    """Update the gangs from the store (`qinglang analyze` does this too)."""
    engine, org = store_of_institution()
    summary = service.refresh_gangs(engine, org, full=full)
    how = "全量 full rebuild" if summary.mode == "full" else \
        f"增量 incremental, {summary.touched:,} nodes touched by new records"
    console.print(f"[green]✓[/] {summary.gangs:,} 团伙 gangs, {summary.customers:,} customers, "
                  f"{summary.complaints:,} complaints; {how}: graph read {summary.nodes:,} nodes / "
                  f"{summary.edges:,} edges, {summary.hubs:,} hubs cut "
                  f"({sum(summary.seconds.values()):.1f} s)")
    if summary.skipped_sources:
        console.print(f"[yellow]not in the store yet, skipped:[/] {', '.join(summary.skipped_sources)}")


@gang_app.command("list")
def list_(limit: Annotated[int, typer.Option(min=1, help="How many gangs")] = 30) -> None:
    """Gangs by score, highest first."""
    engine, org = store_of_institution()
    table = Table("团伙 gang", "类型 kind", "分 score", "客户 customers", "投诉 complaints",
                  "渠道 channels", "地区 regions", "首次 first", "最近 last",
                  title=f"团伙 gangs ({org})")
    for g in service.list_gangs(engine, org, limit):
        table.add_row(g["gang_id"], g["kind"], str(g["score"]), f"{g['n_customers']:,}",
                      f"{g['n_complaints']:,}", _counts(g["channels"]), str(len(g["regions"])),
                      f"{g['first_seen']:%Y-%m-%d}" if g["first_seen"] else "",
                      f"{g['last_seen']:%Y-%m-%d}" if g["last_seen"] else "")
    console.print(table)


@gang_app.command("show")
def show(gang_id: Annotated[str, typer.Argument(help="Gang id, e.g. QG000001")],
         unmasked: Unmasked = False) -> None:
    """One gang: score explained, members, shared identifiers and its agents."""
    engine, org = store_of_institution()
    try:
        g = service.gang_detail(engine, org, gang_id, unmasked)
    except QinglangError as error:
        fail(error)
    console.print(f"[bold]{g['gang_id']}[/] {g['kind']}  分 score {g['score']}  "
                  f"客户 customers {g['n_customers']}  投诉 complaints {g['n_complaints']}")
    console.print("得分 score: " + ", ".join(f"{k} {v:.1f}" for k, v in g["score_parts"].items()))
    console.print(f"渠道 channels: {_counts(g['channels'])}")
    console.print(f"地区 regions: {_counts(g['regions'])}")
    console.print(f"规则 rules: {_counts(g['rules'])}")
    console.print(f"共用标识 identifiers: {'; '.join(g['identifiers'])}")
    for kind, members in g["members"].items():
        shown = ", ".join(f"{m['key']}" + ("(agent)" if m["role"] == "agent" else "") for m in members[:12])
        more = f" … +{len(members) - 12}" if len(members) > 12 else ""
        console.print(f"[dim]{kind} ({len(members)}):[/] {shown}{more}")
    _print_agents(service.agent_profiles(engine, org, gang_id, 10, unmasked))


@gang_app.command("agents")
def agents(limit: Annotated[int, typer.Option(min=1)] = 20, unmasked: Unmasked = False) -> None:
    """Agent profiles: identifiers acting for many customers, from the top gangs down."""
    engine, org = store_of_institution()
    _print_agents(service.agent_profiles(engine, org, None, limit, unmasked))


def _print_agents(profiles: list[dict]) -> None:
    table = Table("代理标识 agent", "团伙 gang", "客户 customers", "投诉 complaints", "渠道 channels",
                  "地区 regions", "时间 span", "帖子 posts", "诉求 demands", title="代理画像 agent profiles")
    for p in profiles:
        span = f"{p['first_seen']:%Y-%m-%d}…{p['last_seen']:%Y-%m-%d}" if p["first_seen"] else ""
        table.add_row(p["identifier"], p["gang_id"], str(p["customers"]), str(p["complaints"]),
                      _counts(p["channels"]), _counts(p["regions"]), span, str(len(p["posts"])),
                      _counts(p["demands"]))
    console.print(table)


def who(identifier: Annotated[str, typer.Argument(
            help="phone:…, wechat:…, qq:…, voiceprint:…, email:…, customer:… or a bare number / customer id")],
        hops: Annotated[int, typer.Option(min=1, max=4, help="How many links out")] = 2,
        unmasked: Unmasked = False) -> None:
    """Who is linked to an identifier: its k-hop neighbourhood and the gangs in it."""
    engine, org = store_of_institution()
    try:
        view = service.who(engine, org, identifier, hops, unmasked)
    except QinglangError as error:
        fail(error)
    table = Table("跳 hop", "节点 node", "类型 type", "团伙 gang", "", title=f"{view['centre']} ({hops} hops)")
    for node in view["nodes"]:
        table.add_row(str(node["hop"]), node["id"], node["type"], node["gang_id"],
                      "hub (not followed)" if node["hub"] else "")
    console.print(table)
    console.print(f"{len(view['links']):,} links")


@graph_app.command("export")
def export_graph(
    out: Annotated[Path, typer.Option(help="Output file")],
    format: Annotated[str, typer.Option(help="graphml or json")] = "graphml",
    unmasked: Unmasked = False,
) -> None:
    """The linked part of the entity graph, with gang ids, for visual tools."""
    engine, org = store_of_institution()
    try:
        counts = service.export_graph(engine, org, out, format, unmasked)
    except QinglangError as error:
        fail(error)
    console.print(f"[green]✓[/] {counts['nodes']:,} nodes, {counts['links']:,} links → {out}")


def export_gangs(out: Annotated[Path, typer.Option(help="Output file: .csv, .jsonl or .xlsx")],
                 unmasked: Unmasked = False) -> None:
    """Gangs (formats.md): kind, customers, complaint ids, shared identifiers, score."""
    engine, org = store_of_institution()
    try:
        count = write_table(out, service.GANG_EXPORT_COLUMNS, service.gang_export_rows(engine, org, unmasked))
    except QinglangError as error:
        fail(error)
    if count == 0:
        console.print("[yellow]no gangs yet: run `qinglang analyze` first[/]")
    console.print(f"[green]✓[/] {count:,} gangs → {out}")
