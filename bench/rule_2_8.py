"""Rule 2.8 (non-reserved number advertised in black/gray posts) against the sample
institution's ground truth, with each choice of the rule's `sources` parameter.

    .venv/bin/python -m bench.rule_2_8 --customers 20000 --seed 41

Generates the institution, imports its records and posts (importing posts runs the content
engine, so the contacts are the ones it extracted, not the truth's), scores every complaint,
and compares the 2.8 hits with truth/complaints.csv (planted_rules). Also: how many of the
phones the truth's black/gray posts advertise the content engine recovered, the evaluator's
CPU time, and whether online scoring gives each 2.8 complaint the batch evidence.
Writes bench/results/rule_2_8.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
FILES = ("customers.csv", "complaints.csv", "letters_gbk.csv", "calls.csv", "posts.jsonl")
SOURCES = (["complaint"], ["complaint", "call"])


def with_sources(ruleset, sources: list[str]):
    data = ruleset.model_dump()
    for rule in data["rules"]:
        if rule["id"] == "2.8":
            rule["params"] = {**rule["params"], "sources": sources}
    return type(ruleset).model_validate(data)


def score(found: set[str], truth: set[str]) -> dict:
    right = len(found & truth)
    return {"planted": len(truth), "found": len(found), "true_positives": right,
            "precision": round(right / len(found), 4) if found else None,
            "recall": round(right / len(truth), 4) if truth else None}


def run(customers: int, seed: int, work: Path) -> dict:
    from sqlalchemy import select

    from qinglang.detect.base import refresh_phone_uses
    from qinglang.detect.post_rules import advertised_number
    from qinglang.rules.schema import default_ruleset
    from qinglang.sample import generate
    from qinglang.services.assess import assess_all
    from qinglang.services.importing import import_file
    from qinglang.services.online import score_stored
    from qinglang.settings import Settings
    from qinglang.store.db import create_store_engine, migrate
    from qinglang.store.tables import rule_hits
    from qinglang.store.tables_content import post_assessments, post_contacts

    out = work / "inst"
    generate(out, customers=customers, seed=seed)
    settings = Settings(home=work / "home", db_url=f"sqlite:///{work / 'store.db'}",
                        org="bench", batch_rows=5000, max_field_chars=100_000,
                        secret_key_hex="11" * 32)
    engine = create_store_engine(settings.db_url)
    migrate(engine)
    for name in FILES:
        import_file(engine, settings, out / name)
    with (out / "truth" / "complaints.csv").open(encoding="utf-8") as handle:
        truth = {r["complaint_id"] for r in csv.DictReader(handle)
                 if "2.8" in r["planted_rules"].split(";")}
    with (out / "truth" / "posts.csv").open(encoding="utf-8") as handle:
        advertised = {c for r in csv.DictReader(handle) if r["is_black_gray"] == "1"
                      for c in r["contacts"].split(";") if c.startswith("phone:")}
    ruleset = default_ruleset()
    result = {"customers": customers, "seed": seed,
              "default_sources": ruleset.param("2.8", "sources")}
    with engine.connect() as conn:
        extracted = {f"phone:{v}" for (v,) in conn.execute(
            select(post_contacts.c.indicator_value).join(
                post_assessments, (post_assessments.c.org == post_contacts.c.org)
                & (post_assessments.c.post_id == post_contacts.c.post_id))
            .where(post_contacts.c.indicator_type == "phone",
                   post_assessments.c.is_black_gray.is_(True)))}
        result["advertised_phones"] = {"truth": len(advertised),
                                       "extracted_from_black_gray": len(extracted & advertised)}
        refresh_phone_uses(conn, settings.org)
        for sources in SOURCES:
            cpu = time.process_time()
            found = {h.complaint_id for h in advertised_number(conn, settings.org,
                                                                with_sources(ruleset, sources))}
            result["+".join(sources)] = {**score(found, truth),
                                         "cpu_s": round(time.process_time() - cpu, 3)}
        conn.rollback()
    assess_all(engine, settings.org, ruleset)
    with engine.connect() as conn:
        batch = {r.complaint_id: r.evidence for r in conn.execute(
            select(rule_hits).where(rule_hits.c.rule_id == "2.8"))}
    same = sum({h.rule_id: h.evidence for h in score_stored(engine, settings.org, c, ruleset).hits
                }.get("2.8") == evidence for c, evidence in batch.items())
    result["online_equals_batch"] = {"complaints": len(batch), "same_2_8_evidence": same}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=41)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-2.8-") as work:
        result = run(args.customers, args.seed, Path(work))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "rule_2_8.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
