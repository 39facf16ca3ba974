"""On the sample institution's ground truth (20,000 customers): the gangs recovered match the
planted ones member for member, and genuine customers stay out of gangs."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import replace

import pytest
from sqlalchemy import select

from qinglang.sample import generate
from qinglang.services.gangs import list_gangs, refresh_gangs
from qinglang.services.importing import import_file
from qinglang.store.db import create_store_engine, migrate
from qinglang.store.tables_graph import gang_members

FILES = ("customers.csv", "complaints.csv", "letters_gbk.csv", "calls.csv", "posts.jsonl",
         "companies.csv", "intelligence.csv")


@pytest.fixture(scope="module")
def recovered(tmp_path_factory):
    from factories import TEST_KEY
    from qinglang.settings import Settings

    base = tmp_path_factory.mktemp("truth")
    generate(base / "inst", customers=20_000, seed=5)
    settings = Settings(home=base / "home", db_url=f"sqlite:///{base / 'store.db'}", org="bank",
                        batch_rows=5000, max_field_chars=100_000, secret_key_hex=TEST_KEY)
    engine = create_store_engine(settings.db_url)
    migrate(engine)
    for name in FILES:
        import_file(engine, replace(settings), base / "inst" / name)
    refresh_gangs(engine, settings.org)
    with engine.connect() as conn:
        members = dict(conn.execute(select(gang_members.c.member_key, gang_members.c.gang_id).where(
            gang_members.c.member_type == "customer")).all())
    kinds = {g["gang_id"]: g["kind"] for g in list_gangs(engine, settings.org)}
    with (base / "inst" / "truth" / "customers.csv").open(encoding="utf-8") as f:
        truth = {row["customer_id"]: row["gang_id"] for row in csv.DictReader(f)}
    with (base / "inst" / "truth" / "gangs.csv").open(encoding="utf-8") as f:
        true_kinds = {row["gang_id"]: row["kind"] for row in csv.DictReader(f)}
    return truth, members, kinds, true_kinds


def best_f1(truth: dict[str, str], members: dict[str, str]) -> dict[str, tuple[float, str]]:
    """Each true gang matched to the recovered gang with the best F1 of its customers."""
    true_sets, found_sizes = defaultdict(set), Counter(members.values())
    for customer_id, gang in truth.items():
        if gang:
            true_sets[gang].add(customer_id)
    result = {}
    for gang, customers in true_sets.items():
        overlaps = Counter(members[c] for c in customers if c in members)
        scores = [(2 * n / (len(customers) + found_sizes[g]), g) for g, n in overlaps.items()]
        result[gang] = max(scores, default=(0.0, ""))
    return result


def test_genuine_customers_stay_out_of_gangs(recovered):
    truth, members, _, _ = recovered
    genuine = [c for c, gang in truth.items() if not gang]
    placed = sum(c in members for c in genuine)
    print(f"genuine customers in gangs: {placed} of {len(genuine)}")
    assert placed / len(genuine) < 0.01


def test_planted_gangs_are_recovered_member_for_member(recovered):
    truth, members, _, _ = recovered
    f1 = best_f1(truth, members)
    assert len(f1) == 30
    print("per-gang F1:", sorted(round(score, 3) for score, _ in f1.values()))
    assert min(score for score, _ in f1.values()) >= 0.95


def test_gang_kinds_match_the_planted_kinds(recovered):
    truth, members, kinds, true_kinds = recovered
    matched = [(true_kinds[gang], kinds[found]) for gang, (_, found) in best_f1(truth, members).items()]
    assert sum(a == b for a, b in matched) / len(matched) >= 0.9
