"""The graph is declared as data: strict loading, a new source adds edges without code, a
declared source whose table is missing is skipped, and too-big components are split."""

from __future__ import annotations

import pytest
import yaml
from sqlalchemy import Column, MetaData, String, Table, insert, inspect

from conftest import agent_gang, call
from factories import customer
from qinglang.errors import InputError
from qinglang.graph.build import build_graph
from qinglang.graph.communities import find_groups
from qinglang.graph.schema import default_gang_settings, load_declarations
from qinglang.services import gangs as service

SHIPPED = load_declarations().model_dump(exclude_none=True)


def _write(tmp_path, data) -> object:
    path = tmp_path / "edges.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return path


@pytest.mark.parametrize("breakage", [
    lambda d: d["sources"][0]["edges"][0].update(colum="x"),
    lambda d: d["sources"][0]["edges"][0].update(node="telegram"),
    lambda d: d["sources"][0]["edges"][0].update(weight=3),
    lambda d: d["sources"][0]["edges"][0].update(node_column="kind"),
    lambda d: d["nodes"]["phone"].update(hub_degree=1),
])
def test_a_wrong_declaration_fails_loudly(tmp_path, breakage):
    data = yaml.safe_load(yaml.safe_dump(SHIPPED))
    breakage(data)
    with pytest.raises(InputError):
        load_declarations(_write(tmp_path, data))


def _post_contacts(engine):
    """The content engine's table, made here when it has not landed yet."""
    if not inspect(engine).has_table("post_contacts"):
        Table("post_contacts", MetaData(), Column("org", String(64)), Column("post_id", String(256)),
              Column("indicator_type", String(16)), Column("indicator_value", String(256))).create(engine)
    return Table("post_contacts", MetaData(), autoload_with=engine)


def test_post_contacts_join_an_advertised_handle_to_the_gang(engine, settings, store):
    store.load(*agent_gang(1, 3))
    table = _post_contacts(engine)
    with engine.begin() as conn:
        conn.execute(insert(table), [
            {"org": settings.org, "post_id": "P1", "indicator_type": "phone", "indicator_value": "+8613700001111"},
            {"org": settings.org, "post_id": "P1", "indicator_type": "wechat", "indicator_value": "tingxi_daili"},
            {"org": settings.org, "post_id": "P2", "indicator_type": "wechat", "indicator_value": "tingxi_daili"},
            {"org": settings.org, "post_id": "P2", "indicator_type": "url", "indicator_value": "https://x.cn/a"},
        ])
    summary = service.refresh_gangs(engine, settings.org)
    assert "post_contacts" not in summary.skipped_sources
    (gang,) = service.list_gangs(engine, settings.org)
    assert gang["identifiers"] == ["phone:+8613700001111", "wechat:tingxi_daili"]


def test_a_declared_source_without_its_table_is_skipped(engine, settings, store, tmp_path):
    data = yaml.safe_load(yaml.safe_dump(SHIPPED))
    data["sources"].append({"table": "not_yet_there", "anchor": {"node": "post", "column": "post_id"},
                            "edges": [{"column": "x", "node": "phone", "strength": "strong", "weight": 1.0}]})
    store.load(*agent_gang(1, 3))
    graph, skipped = build_graph(engine, settings.org, load_declarations(_write(tmp_path, data)))
    assert "not_yet_there" in skipped
    assert graph.find("phone", "+8613700001111") is not None


def test_a_changed_declaration_changes_the_edges_without_code(engine, settings, store, tmp_path):
    """The shipped declarations keep e-mails weak; declared strong, a shared one joins."""
    data = yaml.safe_load(yaml.safe_dump(SHIPPED))
    store.load([customer(i, email="family@example.com") for i in range(1, 4)])
    decl = load_declarations(_write(tmp_path, data))
    assert find_groups(build_graph(engine, settings.org, decl)[0], default_gang_settings()).n_groups == 0
    email = next(e for e in data["sources"][0]["edges"] if e["column"] == "email")
    email["strength"] = "strong"
    decl = load_declarations(_write(tmp_path, data))
    assert find_groups(build_graph(engine, settings.org, decl)[0], default_gang_settings()).n_groups == 1


def test_a_component_too_big_is_split_by_leiden(engine, settings, store):
    """Two dense gangs bridged by one customer who called both agents: with a small maximum
    component size Leiden (CPM) parts them again."""
    gang_a, gang_b = agent_gang(1, 8), agent_gang(20, 8, phone="13600002222")
    bridge = [call(1, "C00001", "13600002222")]
    store.load(gang_a[0] + gang_b[0], gang_a[1] + gang_b[1], bridge)
    graph, _ = build_graph(engine, settings.org)
    whole = find_groups(graph, default_gang_settings())
    assert whole.n_groups == 1 and whole.split_components == 0
    small = default_gang_settings().model_copy(update={"max_component_customers": 10})
    parted = find_groups(graph, small)
    assert parted.n_groups == 2 and parted.split_components == 1
    customers = graph.nodes_of_type("customer")
    keys = list(graph.keys[graph.type_code("customer")])
    group = {keys[i]: int(parted.group[node]) for i, node in enumerate(customers)}
    assert len({group[f"C{i:05d}"] for i in range(2, 9)}) == 1
    assert len({group[f"C{i:05d}"] for i in range(20, 28)}) == 1
    assert group["C00002"] != group["C00020"]
