"""Incremental gang updates: after a second import only the touched components are regrouped,
and the result is the full rebuild's — same members, same ids — on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from dataclasses import replace

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from conftest import AGENT_PHONE, agent_gang, call
from factories import COMPLAINT_COLUMNS, CUSTOMER_COLUMNS, TEST_KEY, customer, write_csv
from qinglang.cli import app
from qinglang.graph.schema import default_gang_settings
from qinglang.sample import generate
from qinglang.services import gangs as service
from qinglang.services.importing import import_file
from qinglang.store.tables import voice_speakers
from qinglang.store.tables_graph import gang_members, gangs, graph_components

# small stores touch most of their graph: let the update stay incremental whatever its share
ALWAYS_INCREMENTAL = default_gang_settings().model_copy(update={"incremental_max_share": 1e9})


def stored_gangs(engine, org) -> dict[str, tuple]:
    """Every stored gang: its figures and its members with their roles."""
    with engine.connect() as conn:
        members: dict[str, set] = {}
        for gang_id, kind, key, role in conn.execute(select(
                gang_members.c.gang_id, gang_members.c.member_type, gang_members.c.member_key,
                gang_members.c.role).where(gang_members.c.org == org)):
            members.setdefault(gang_id, set()).add((kind, key, role))
        rows = conn.execute(select(gangs).where(gangs.c.org == org)).mappings().all()
    return {r["gang_id"]: (r["kind"], r["score"], r["n_customers"], r["n_complaints"],
                           r["channels"], r["regions"], sorted(r["identifiers"]),
                           frozenset(members[r["gang_id"]])) for r in rows}


def stored_components(engine, org) -> set[frozenset]:
    """The stored components as sets of nodes (their numbers differ from build to build)."""
    with engine.connect() as conn:
        parts: dict[int, set] = {}
        for kind, key, component in conn.execute(select(
                graph_components.c.node_type, graph_components.c.node_key,
                graph_components.c.component).where(graph_components.c.org == org)):
            parts.setdefault(component, set()).add((kind, key))
    return {frozenset(p) for p in parts.values()}


def split_csv(source, first, second, share: float) -> None:
    """The rows of a CSV export in two files: the first `share` of them, then the rest."""
    with source.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header, rows = next(reader), list(reader)
    cut = int(len(rows) * share)
    for path, part in ((first, rows[:cut]), (second, rows[cut:])):
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(part)


# components of more than 10 customers split by Leiden: the part an update reads splits alike
LEIDEN_SPLITS = ALWAYS_INCREMENTAL.model_copy(update={"max_component_customers": 10})


@pytest.mark.parametrize("gang_settings", [ALWAYS_INCREMENTAL, LEIDEN_SPLITS], ids=["components", "leiden"])
def test_incremental_after_a_second_import_equals_a_full_rebuild(engine, settings, tmp_path,
                                                                 gang_settings):
    """The sample institution imported as 92 % of its customers, complaints and calls, then the
    rest; the update after the second import is the full rebuild's, gang for gang."""
    inst = tmp_path / "inst"
    generate(inst, customers=6_000, seed=5)
    settings = replace(settings, batch_rows=2000)
    later = []
    for name in ("customers.csv", "complaints.csv", "calls.csv"):
        split_csv(inst / name, tmp_path / f"a_{name}", tmp_path / f"b_{name}", 0.92)
        import_file(engine, settings, tmp_path / f"a_{name}")
        later.append(tmp_path / f"b_{name}")
    import_file(engine, settings, inst / "letters_gbk.csv")
    first = service.refresh_gangs(engine, settings.org, settings=gang_settings)
    assert first.mode == "full" and first.gangs >= 5
    before = stored_gangs(engine, settings.org)
    for path in later:
        import_file(engine, settings, path)

    update = service.refresh_gangs(engine, settings.org, settings=gang_settings)
    incremental, components = stored_gangs(engine, settings.org), stored_components(engine, settings.org)
    rebuilt = service.refresh_gangs(engine, settings.org, settings=gang_settings, full=True)

    assert update.mode == "incremental" and rebuilt.mode == "full"
    assert (rebuilt.split_components > 0) == (gang_settings is LEIDEN_SPLITS)
    assert 0 < update.nodes < rebuilt.nodes            # it read only part of the graph
    assert stored_gangs(engine, settings.org) == incremental
    assert stored_components(engine, settings.org) == components
    changed = {g for g in incremental if incremental[g] != before.get(g)}
    assert 0 < len(changed) < len(incremental)
    grown = [g for g in changed & set(before) if incremental[g][2] > before[g][2]]
    assert grown                                       # gangs that grew kept their ids


def test_a_gang_that_grows_keeps_its_id_and_the_others_are_not_rewritten(engine, settings, store):
    customers, complaints = agent_gang(1, 3)
    other_customers, other_complaints = agent_gang(20, 3, phone="13655556666")
    store.load(customers + other_customers, complaints + other_complaints)
    service.refresh_gangs(engine, settings.org, settings=ALWAYS_INCREMENTAL)
    before = {g["gang_id"]: g for g in service.list_gangs(engine, settings.org)}
    grown_id = next(g for g, row in before.items() if f"phone:+86{AGENT_PHONE}" in row["identifiers"])

    more_customers, more_complaints = agent_gang(4, 2)
    store.load(more_customers, more_complaints)
    summary = service.refresh_gangs(engine, settings.org, settings=ALWAYS_INCREMENTAL)

    after = {g["gang_id"]: g for g in service.list_gangs(engine, settings.org)}
    assert summary.mode == "incremental" and set(after) == set(before)
    assert after[grown_id]["n_customers"] == 5
    (untouched,) = set(after) - {grown_id}
    assert after[untouched] == before[untouched]        # same row, same updated_at


def test_a_changed_phone_takes_a_customer_out_of_its_gang(engine, settings, store):
    customers, complaints = agent_gang(1, 4)
    store.load(customers, complaints)
    service.refresh_gangs(engine, settings.org, settings=ALWAYS_INCREMENTAL)
    (gang,) = service.list_gangs(engine, settings.org)
    assert gang["n_customers"] == 4

    # customer 4's complaint is filed again from the customer's own number
    store.load(complaints=[{**complaints[3], "contact_phone": customer(4)["reserved_phone"]}])
    summary = service.refresh_gangs(engine, settings.org, settings=ALWAYS_INCREMENTAL)

    (after,) = service.list_gangs(engine, settings.org)
    assert summary.mode == "incremental"
    assert after["gang_id"] == gang["gang_id"] and after["n_customers"] == 3


def test_a_change_to_much_of_the_graph_falls_back_to_the_full_rebuild(engine, settings, store):
    customers, complaints = agent_gang(1, 3)
    other_customers, other_complaints = agent_gang(10, 3, phone="13655556666")
    store.load(customers + other_customers, complaints + other_complaints)
    service.refresh_gangs(engine, settings.org)
    new_customers, new_complaints = agent_gang(20, 3, phone="13522223333")
    store.load(new_customers, new_complaints)
    assert service.refresh_gangs(engine, settings.org).mode == "incremental"   # touches no gang
    grow_a, grow_a_complaints = agent_gang(4, 1)
    grow_b, grow_b_complaints = agent_gang(13, 1, phone="13655556666")
    store.load(grow_a + grow_b, grow_a_complaints + grow_b_complaints)
    summary = service.refresh_gangs(engine, settings.org)     # two gangs of three: over 0.5
    assert summary.mode == "full" and summary.gangs == 3


def test_nothing_imported_changes_nothing(engine, settings, store):
    customers, complaints = agent_gang(1, 3)
    store.load(customers, complaints)
    service.refresh_gangs(engine, settings.org)
    before = service.list_gangs(engine, settings.org)
    summary = service.refresh_gangs(engine, settings.org)
    assert summary.mode == "incremental" and summary.touched == 0 and summary.gangs == 1
    assert service.list_gangs(engine, settings.org) == before


@pytest.mark.parametrize("change", ["declarations", "full"])
def test_new_settings_or_a_request_rebuild_in_full(engine, settings, store, change):
    customers, complaints = agent_gang(1, 3)
    store.load(customers, complaints)
    service.refresh_gangs(engine, settings.org)
    changed = default_gang_settings().model_copy(update={"version": "other"})
    summary = service.refresh_gangs(engine, settings.org, settings=changed) if change == "declarations" \
        else service.refresh_gangs(engine, settings.org, full=True)
    assert summary.mode == "full" and summary.gangs == 1


def test_the_refresh_command_says_how_it_updated(tmp_path, monkeypatch):
    monkeypatch.setenv("QINGLANG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("QINGLANG_DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("QINGLANG_SECRET_KEY", TEST_KEY)
    runner = CliRunner()
    customers, complaints = agent_gang(1, 3)
    for name, columns, rows in (("customers", CUSTOMER_COLUMNS, customers),
                                ("complaints", COMPLAINT_COLUMNS, complaints)):
        assert runner.invoke(app, ["import", str(write_csv(tmp_path / f"{name}.csv", columns, rows))]).exit_code == 0
    outputs = [runner.invoke(app, ["gang", "refresh", *args]) for args in ((), (), ("--full",))]
    assert all(r.exit_code == 0 for r in outputs), [r.output for r in outputs]
    first, again, forced = (r.output for r in outputs)
    assert "1 团伙 gangs" in first and "full rebuild" in first
    assert "incremental, 0 nodes touched" in again
    assert "full rebuild" in forced


def test_speakers_the_call_engine_matches_update_gangs_incrementally(engine, settings, store):
    """voice_speakers has no import id: its new and changed rows are told by their hashes."""
    store.load([customer(i) for i in range(1, 5)],
               calls=[call(i, f"C{i:05d}", f"1590000{i:04d}", voiceprint=f"VP{i}") for i in range(1, 5)])

    def speakers(mapping):
        with engine.begin() as conn:
            conn.execute(voice_speakers.delete())
            conn.execute(voice_speakers.insert(), [{"org": settings.org, "voice_key": k, "speaker_id": v}
                                                   for k, v in mapping.items()])
        summary = service.refresh_gangs(engine, settings.org, settings=ALWAYS_INCREMENTAL)
        found = stored_gangs(engine, settings.org)
        service.refresh_gangs(engine, settings.org, settings=ALWAYS_INCREMENTAL, full=True)
        assert stored_gangs(engine, settings.org) == found
        return summary, found

    alone = {f"VP{i}": f"VP{i}" for i in range(1, 5)}
    assert speakers(alone)[0].gangs == 0
    summary, found = speakers({**alone, "VP1": "S1", "VP2": "S1", "VP3": "S1"})
    assert summary.mode == "incremental" and summary.gangs == 1
    (gang,) = found.values()
    assert gang[2] == 3 and "speaker:S1" not in gang[6]
    summary, _ = speakers({**alone, "VP1": "S1", "VP2": "S1"})          # VP3 matched no more
    assert summary.mode == "incremental" and summary.gangs == 0
