"""Identification rules on calls about a customer (domain.md 1.2, 1.5, 2.6, 2.7, 4.1, 4.5).

A call speaks about a customer, not about one complaint: a hit found on a customer's calls is
reported on each of that customer's complaints, with the calls as evidence.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from sqlalchemy import Connection, select

from qinglang.detect.base import (IDS, Hit, built_once, calls, complaints,
                                  complaints_of_customers, hits_for_shared_keys)
from qinglang.detect.voices import voice_key_of_call
from qinglang.rules.schema import RuleSet
from qinglang.store.tables import voice_speakers


# What a call must record to count for each rule, given the roles 2.7 names.
CALL_FLAGS = {
    # 1.2: the reserved number was call-forwarded, yet the caller insists on being the customer
    "1.2": lambda call, roles: call.forwarded and call.claimed_role == "self",
    # 2.6: calling the reserved number back, the person there denied complaining
    "2.6": lambda call, roles: call.callback_denied,
    # 2.7: a call about the customer claims the role of agent or lawyer
    "2.7": lambda call, roles: call.claimed_role in roles,
    # 4.1: the caller failed identity verification
    "4.1": lambda call, roles: call.identity_check == "fail",
    # 4.5: the caller claims to be family and fails identity verification
    "4.5": lambda call, roles: call.claimed_role == "family" and call.identity_check == "fail",
}


def call_flag_hits(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """1.2, 2.6, 2.7, 4.1 and 4.5 from one pass over the calls that record any of their
    facts; 2.7 also when the complaint itself claims the role of agent or lawyer."""
    roles = tuple(sorted(rules.param("2.7", "roles")))
    found: dict[tuple[str, str], dict] = {}
    for complaint_id, role in conn.execute(_complaints_claiming(org, roles)):
        found[complaint_id, "2.7"] = {"complaint_role": role}
    calls_of = _flagged_calls(conn, org, roles)
    customers = sorted({c for by_customer in calls_of.values() for c in by_customer})
    for complaint_id, customer_id in complaints_of_customers(conn, org, customers):
        for rule_id, by_customer in calls_of.items():
            if customer_id in by_customer:
                found.setdefault((complaint_id, rule_id), {})["calls"] = sorted(
                    by_customer[customer_id])
    return (Hit(complaint_id, rule_id, evidence)
            for (complaint_id, rule_id), evidence in found.items())


@built_once
def _complaints_claiming(org: str, roles: tuple[str, ...]):
    return select(complaints.c.complaint_id, complaints.c.claimed_role).where(
        complaints.c.org == org, complaints.c.claimed_role.in_(roles))


def _flagged_calls(conn: Connection, org: str, roles: tuple[str, ...]
                   ) -> dict[str, dict[str, list[str]]]:
    """rule id → customer → the ids of the calls about them that count for the rule."""
    calls_of: dict[str, dict[str, list[str]]] = {rule_id: defaultdict(list)
                                                 for rule_id in CALL_FLAGS}
    for call in conn.execute(_calls_recording_a_flag(org, roles)):
        for rule_id, counts in CALL_FLAGS.items():
            if counts(call, roles):
                calls_of[rule_id][call.customer_id].append(call.call_id)
    return calls_of


@built_once
def _calls_recording_a_flag(org: str, roles: tuple[str, ...]):
    return select(
        calls.c.customer_id, calls.c.call_id, calls.c.forwarded, calls.c.claimed_role,
        calls.c.callback_denied, calls.c.identity_check).where(
        calls.c.org == org, calls.c.customer_id.is_not(None),
        calls.c.forwarded.is_(True) | calls.c.callback_denied.is_(True)
        | calls.c.claimed_role.in_(roles) | (calls.c.identity_check == "fail"))


WHOLE_TABLE_KEYS = 50_000


def voiceprint_for_many(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """1.5: one speaker — a voiceprint id, or ids and unenrolled calls whose embeddings match
    (detect.voices) — speaks on calls about several customers. The speakers are looked up by
    key and counted here: a join on the computed voice key leaves SQLite no index to use."""
    calls_with_voice = conn.execute(_calls_with_voice(org)).all()
    speaker_of = _speakers_of(conn, org, sorted({key for _, key in calls_with_voice}))
    customers_of: dict[str, set] = defaultdict(set)
    for customer_id, key in calls_with_voice:
        if key in speaker_of:
            customers_of[speaker_of[key]].add(customer_id)
    least = rules.param("1.5", "min_customers")
    pairs = [(customer_id, speaker) for speaker, customers in customers_of.items()
             if len(customers) >= least for customer_id in customers]
    return hits_for_shared_keys(conn, org, "1.5", pairs, "voiceprints")


@built_once
def _calls_with_voice(org: str):
    return select(calls.c.customer_id, voice_key_of_call()).where(
        calls.c.org == org, calls.c.customer_id.is_not(None),
        calls.c.voiceprint_id.is_not(None) | calls.c.voiceprint.is_not(None))


def _speakers_of(conn: Connection, org: str, keys: list[str]) -> dict[str, str]:
    """Speakers of some voice keys: looked up in slices for a few (online scoring), read
    whole when they are most of the table (batch analysis)."""
    if len(keys) > WHOLE_TABLE_KEYS:
        return dict(conn.execute(_speakers(org)).all())
    found: dict[str, str] = {}
    for start in range(0, len(keys), 5000):
        found.update(conn.execute(_speakers(org, listed=True),
                                  {"ids": keys[start:start + 5000]}).all())
    return found


@built_once
def _speakers(org: str, listed: bool = False):
    """(voice key, speaker) of every key, or of the keys bound to IDS."""
    query = select(voice_speakers.c.voice_key, voice_speakers.c.speaker_id).where(
        voice_speakers.c.org == org)
    return query.where(voice_speakers.c.voice_key.in_(IDS)) if listed else query
