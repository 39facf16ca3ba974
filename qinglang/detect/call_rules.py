"""Identification rules on calls about a customer (domain.md 1.2, 1.5, 2.6, 2.7, 4.1, 4.5).

A call speaks about a customer, not about one complaint: a hit found on a customer's calls is
reported on each of that customer's complaints, with the calls as evidence.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from sqlalchemy import Connection, and_, func, select
from sqlalchemy.sql import ColumnElement

from qinglang.detect.base import (Hit, calls, complaints, complaints_of_customers,
                                  hits_for_shared_keys)
from qinglang.detect.voices import voice_key_of_call
from qinglang.rules.schema import RuleSet
from qinglang.store.tables import voice_speakers


def forwarded_yet_claims_self(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """1.2: the reserved number was call-forwarded, yet the caller insists on being the customer."""
    return _hits_from_calls(conn, org, "1.2",
                            (calls.c.forwarded.is_(True)) & (calls.c.claimed_role == "self"))


def callback_denied(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """2.6: calling the reserved number back, the person there denied complaining."""
    return _hits_from_calls(conn, org, "2.6", calls.c.callback_denied.is_(True))


def identity_check_failed(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """4.1: the caller failed identity verification."""
    return _hits_from_calls(conn, org, "4.1", calls.c.identity_check == "fail")


def family_without_proof(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """4.5: the caller claims to be family and fails identity verification."""
    return _hits_from_calls(conn, org, "4.5",
                            (calls.c.claimed_role == "family") & (calls.c.identity_check == "fail"))


def agent_or_lawyer(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """2.7: the complaint, or a call about its customer, claims the role of agent or lawyer."""
    roles = rules.param("2.7", "roles")
    own = select(complaints.c.complaint_id, complaints.c.claimed_role).where(
        complaints.c.org == org, complaints.c.claimed_role.in_(roles))
    found = {complaint_id: {"complaint_role": role} for complaint_id, role in conn.execute(own)}
    for hit in _hits_from_calls(conn, org, "2.7", calls.c.claimed_role.in_(roles)):
        found.setdefault(hit.complaint_id, {}).update(hit.evidence)
    return (Hit(complaint_id, "2.7", evidence) for complaint_id, evidence in found.items())


WHOLE_TABLE_KEYS = 50_000


def voiceprint_for_many(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """1.5: one speaker — a voiceprint id, or ids and unenrolled calls whose embeddings match
    (detect.voices) — speaks on calls about several customers. The speakers are looked up by
    key and counted here: a join on the computed voice key leaves SQLite no index to use."""
    calls_with_voice = conn.execute(select(calls.c.customer_id, voice_key_of_call()).where(
        calls.c.org == org, calls.c.customer_id.is_not(None),
        calls.c.voiceprint_id.is_not(None) | calls.c.voiceprint.is_not(None))).all()
    speaker_of = _speakers_of(conn, org, sorted({key for _, key in calls_with_voice}))
    customers_of: dict[str, set] = defaultdict(set)
    for customer_id, key in calls_with_voice:
        if key in speaker_of:
            customers_of[speaker_of[key]].add(customer_id)
    least = rules.param("1.5", "min_customers")
    pairs = [(customer_id, speaker) for speaker, customers in customers_of.items()
             if len(customers) >= least for customer_id in customers]
    return hits_for_shared_keys(conn, org, "1.5", pairs, "voiceprints")


def _speakers_of(conn: Connection, org: str, keys: list[str]) -> dict[str, str]:
    """Speakers of some voice keys: looked up in slices for a few (online scoring), read
    whole when they are most of the table (batch analysis)."""
    if len(keys) > WHOLE_TABLE_KEYS:
        return dict(conn.execute(select(voice_speakers.c.voice_key, voice_speakers.c.speaker_id)
                                 .where(voice_speakers.c.org == org)).all())
    found: dict[str, str] = {}
    for start in range(0, len(keys), 5000):
        found.update(conn.execute(select(voice_speakers.c.voice_key, voice_speakers.c.speaker_id)
                                  .where(voice_speakers.c.org == org,
                                         voice_speakers.c.voice_key.in_(keys[start:start + 5000]))
                                  ).all())
    return found


def _hits_from_calls(conn: Connection, org: str, rule_id: str,
                     condition: ColumnElement[bool]) -> Iterator[Hit]:
    matching = conn.execute(select(calls.c.customer_id, calls.c.call_id).where(
        calls.c.org == org, calls.c.customer_id.is_not(None), condition)).all()
    calls_by_customer: dict[str, list[str]] = defaultdict(list)
    for customer_id, call_id in matching:
        calls_by_customer[customer_id].append(call_id)
    for complaint_id, customer_id in complaints_of_customers(conn, org, list(calls_by_customer)):
        yield Hit(complaint_id, rule_id, {"calls": sorted(calls_by_customer[customer_id])})
