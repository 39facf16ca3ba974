"""Assessing every stored complaint with the identification rules (batch).

Each evaluator runs set-based over the whole store; the hits are gathered per complaint,
judged, and written with their evidence. Assessments are replaced whole, in one transaction,
so a store never holds a mix of two rule-set versions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import chain, islice
from operator import attrgetter
from typing import Iterator

from sqlalchemy import Engine, select

from qinglang.detect import (activity_rules, call_rules, demands, phone_rules, post_rules,
                             template_rules)
from qinglang.detect.findings import finding_hits
from qinglang.detect.base import Evaluator, Hit, complaints, refresh_phone_uses
from qinglang.detect.cues import cycle_collector_paused
from qinglang.detect.voices import refresh_voice_speakers
from qinglang.rules.schema import RuleSet
from qinglang.rules.scoring import Judge
from qinglang.services import audit
from qinglang.store.db import create_store_engine, read_ahead
from qinglang.store.repository import (execute_prepared, prepare_columns, rows_of_org,
                                       rows_replaced, utcnow)
from qinglang.store.tables import assessments, rule_hits
from qinglang.store.tables_graph import gang_members

TEMPLATE_RULES = ("3.2", "4.6")
OWN_TEXT_RULES = ("3.4", "4.8", "4.9")  # decided by the complaint's own text alone
# Rule ids → the evaluator that decides them (one evaluator may decide several at once).
EVALUATORS: dict[tuple[str, ...], Evaluator] = {
    OWN_TEXT_RULES: demands.text_rule_hits,  # one reading of each text
    ("1.2", "2.6", "2.7", "4.1", "4.5"): call_rules.call_flag_hits,
    ("1.5",): call_rules.voiceprint_for_many,
    ("2.1",): phone_rules.regulator_complaint_from_other_number,
    ("2.3",): phone_rules.customer_with_several_numbers,
    ("2.4",): phone_rules.number_shared_by_customers,
    ("2.5",): phone_rules.number_complaining_for_many,
    ("2.8",): post_rules.advertised_number,
    ("3.1",): activity_rules.shared_mailing_building,
    ("4.4",): phone_rules.number_linked_to_other_complainant,
    ("4.7", "5.4"): activity_rules.frequency_and_channels,
    ("5.1",): activity_rules.reused_attachment,
    TEMPLATE_RULES: template_rules.template_hits,
}
PAGE = 5000
TEXT_PARTS = 8  # parts of the own-text rules' work, shared by the two worker processes
OUTCOMES = ("genuine", "review", "agent_driven", "malicious")
EXPORT_COLUMNS = ["complaint_id", "risk_score", "outcome", "rules", "template_id", "gang_id",
                  "explanation"]


@dataclass
class AssessmentSummary:
    ruleset_version: str
    complaints: int
    outcomes: dict[str, int]
    rule_counts: dict[str, int]
    not_evaluated: list[str]


def assess_all(engine: Engine, org: str, ruleset: RuleSet) -> AssessmentSummary:
    with cycle_collector_paused():  # millions of hits and rows, never a reference cycle
        return _assess_all(engine, org, ruleset)


def _assess_all(engine: Engine, org: str, ruleset: RuleSet) -> AssessmentSummary:
    with engine.connect() as conn:
        ids = list(conn.execute(select(complaints.c.complaint_id).where(
            complaints.c.org == org).order_by(complaints.c.complaint_id)).scalars())
    hits = _collect_hits_on_two_cores(engine, org, ruleset, ids)
    with engine.begin() as conn:
        outcomes = _replace_assessments(conn, org, ruleset, ids, hits)
    counts = Counter(map(attrgetter("rule_id"), chain.from_iterable(hits.values())))
    decided = {rule_id for rule_ids in EVALUATORS for rule_id in rule_ids}
    auto = [r.id for r in ruleset.rules if r.mode == "auto"]
    return AssessmentSummary(ruleset.version, len(ids), dict(outcomes), dict(counts),
                             [r for r in auto if r not in decided])


def _replace_assessments(conn, org: str, ruleset: RuleSet, ids: list[str],
                         hits: dict[str, list[Hit]]) -> dict[str, int]:
    """The institution's assessments and rule hits replaced by these; outcome → count.
    Rows are bound a column at a time, a page at a time (no dict a row)."""
    judge = Judge(ruleset)
    with read_ahead(conn.engine, (assessments.name, rule_hits.name)):  # while judging
        verdicts = [judge(hits.get(complaint_id, ())) for complaint_id in ids]
        _write_assessments(conn, org, ruleset, ids, verdicts)
        _write_rule_hits(conn, org, hits)
    return Counter(map(attrgetter("outcome"), verdicts))


def _write_assessments(conn, org: str, ruleset: RuleSet, ids: list[str], verdicts: list
                       ) -> None:
    fixed = {"org": org, "ruleset_version": ruleset.version, "assessed_at": utcnow()}
    with rows_replaced(conn, assessments, org):
        for start in range(0, len(ids), PAGE):
            page = verdicts[start:start + PAGE]
            _write_columns(conn, assessments, fixed, {
                "complaint_id": ids[start:start + PAGE],
                **{name: list(map(attrgetter(name), page)) for name in VERDICT_COLUMNS}})


def _write_rule_hits(conn, org: str, hits: dict[str, list[Hit]]) -> None:
    with rows_replaced(conn, rule_hits, org):
        rows = _hit_rows(hits)
        while page := list(islice(rows, PAGE)):
            complaint_ids, rule_ids, evidence = zip(*page)
            _write_columns(conn, rule_hits, {"org": org}, {
                "complaint_id": complaint_ids, "rule_id": rule_ids, "evidence": evidence})


VERDICT_COLUMNS = ("risk_score", "outcome", "rules", "explanation")


def _write_columns(conn, table, fixed: dict, columns: dict) -> None:
    size = len(columns["complaint_id"])
    execute_prepared(conn, prepare_columns(conn.dialect, table, columns, fixed, size))


def _hit_rows(hits: dict[str, list[Hit]]) -> Iterator[tuple[str, str, dict]]:
    """(complaint id, rule id, evidence) of every hit, in key order."""
    row = attrgetter("complaint_id", "rule_id", "evidence")
    for complaint_id in sorted(hits):
        yield from map(row, sorted(hits[complaint_id], key=attrgetter("rule_id")))


def collect_hits(conn, org: str, ruleset: RuleSet, online: bool = False,
                 skip: tuple[tuple[str, ...], ...] = (), speakers_fresh: bool = False
                 ) -> dict[str, list[Hit]]:
    """Every evaluator's hits by complaint (but those of the rule groups in `skip`). Online
    scoring works from what the last analysis stored: speakers are not recomputed, and
    template clusters — which span customers far from the complaint — are matched by the
    caller instead (services.online)."""
    hits: dict[str, list[Hit]] = defaultdict(list)
    refresh_phone_uses(conn, org)
    if not online and not speakers_fresh:
        refresh_voice_speakers(conn, org, ruleset.param("1.5", "min_cosine"))
    wanted = {rule.id for rule in ruleset.rules if rule.mode == "auto"}
    for rule_ids, evaluate in EVALUATORS.items():
        if (online and rule_ids == TEMPLATE_RULES) or rule_ids in skip:
            continue
        if wanted & set(rule_ids):
            for hit in evaluate(conn, org, ruleset):
                if hit.rule_id in wanted:
                    hits[hit.complaint_id].append(hit)
    for hit in finding_hits(conn, org, ruleset):  # the manual rules: analysts' findings
        hits[hit.complaint_id].append(hit)
    return hits


def _collect_hits_on_two_cores(engine: Engine, org: str, ruleset: RuleSet, ids: list[str]
                               ) -> dict[str, list[Hit]]:
    """`collect_hits` with the rules that read complaint texts evaluated in two worker
    processes while this one evaluates the others.

    Text rules spend their time in Python; the others mostly wait on the store. The template
    clusters are one piece of work, the own-text rules are split by complaint id into parts
    that fill whichever core is free. Each process has its own connection: the template
    worker writes the clusters at its end, this process writes the voice speakers at its start
    (no worker reads either) and then only reads (its scratch table is temporary), so on
    SQLite each waits for the other's lock at most once, for one short write.
    """
    url = engine.url.render_as_string(hide_password=False)
    wanted = {rule.id for rule in ruleset.rules if rule.mode == "auto"}
    work = [(TEMPLATE_RULES, None)] if wanted & set(TEMPLATE_RULES) else []
    if wanted & set(OWN_TEXT_RULES):
        work += [(OWN_TEXT_RULES, part) for part in _id_ranges(ids, TEXT_PARTS)]
    with ProcessPoolExecutor(2) as pool:
        pending = [pool.submit(_text_hits, url, org, ruleset, group, part)
                   for group, part in work]  # the longest first
        with engine.begin() as conn:
            refresh_voice_speakers(conn, org, ruleset.param("1.5", "min_cosine"))
        with engine.connect() as conn:
            hits = collect_hits(conn, org, ruleset, skip=(TEMPLATE_RULES, OWN_TEXT_RULES),
                                speakers_fresh=True)
            conn.rollback()
        for job in pending:
            for complaint_id, rule_id, evidence in job.result():
                hits[complaint_id].append(Hit(complaint_id, rule_id, evidence))
    return hits


def _id_ranges(ids: list[str], parts: int) -> list[tuple[str, str]]:
    """(first, last) ids of up to `parts` consecutive runs of the sorted `ids`."""
    size = -(-len(ids) // parts)
    return [(ids[start], ids[min(start + size, len(ids)) - 1])
            for start in range(0, len(ids), size)] if ids else []


def _text_hits(db_url: str, org: str, ruleset: RuleSet, group: tuple[str, ...],
               between: tuple[str, str] | None) -> list[tuple[str, str, dict]]:
    """The hits of a rule group — of the complaints `between` two ids if given — as plain
    tuples (they cross a process boundary)."""
    engine = create_store_engine(db_url)
    wanted = {rule.id for rule in ruleset.rules if rule.mode == "auto"}
    part = {"between": between} if between else {}
    try:
        with engine.begin() as conn, cycle_collector_paused():
            return [(hit.complaint_id, hit.rule_id, hit.evidence)
                    for hit in EVALUATORS[group](conn, org, ruleset, **part)
                    if hit.rule_id in wanted]
    finally:
        engine.dispose()


def assessment_rows(engine: Engine, org: str, actor: str | None = None) -> Iterator[dict]:
    """formats.md "complaint assessments", in complaint id order."""
    audit.record(engine, org, actor, "export.complaints", org)
    template_of = template_rules.template_ids(engine, org)
    gang_of = _gangs_of_complaints(engine, org)
    for row in rows_of_org(engine, assessments, org, PAGE):
        complaint_id = row["complaint_id"]
        yield {**row, "template_id": template_of.get(complaint_id, ""),
               "gang_id": gang_of.get(complaint_id, "")}


def _gangs_of_complaints(engine: Engine, org: str) -> dict[str, str]:
    with engine.connect() as conn:
        return {key: gang for key, gang in conn.execute(
            select(gang_members.c.member_key, gang_members.c.gang_id).where(
                gang_members.c.org == org, gang_members.c.member_type == "complaint"))}
