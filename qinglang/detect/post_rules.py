"""Identification rule on black/gray content (domain.md 2.8).

The content engine stores the contacts behind every post it scanned (`post_contacts`) and
whether the post is black/gray (`post_assessments`). A number a customer complained or called
from that is not their reserved number, advertised in such a post, is an agent's number: the
rule reads `phone_uses_table` (filled by detect.base.refresh_phone_uses) joined to those
tables, so with no scanned posts it finds nothing and costs one empty join.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from sqlalchemy import Connection, and_, select

from qinglang.detect.base import Hit, built_once, complaints_of_customers, phone_uses_table
from qinglang.rules.schema import RuleSet
from qinglang.store.tables_content import post_assessments, post_contacts


def advertised_number(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """2.8: a non-reserved number used for the customer appears among the contacts of a
    black/gray post. A complaint made from such a number carries the hit; so does, if calls
    are among the rule's sources, every complaint of a customer such a number called about."""
    complaint_numbers: dict[str, str] = {}
    call_numbers: dict[str, set[str]] = defaultdict(set)
    posts_of: dict[str, set[str]] = defaultdict(set)
    advertised = _advertised(org, tuple(rules.param("2.8", "sources")))
    for customer_id, number, source, record_id, post_id in conn.execute(advertised):
        posts_of[number].add(post_id)
        if source == "complaint":
            complaint_numbers[record_id] = number
        else:
            call_numbers[customer_id].add(number)
    found: dict[str, set[str]] = defaultdict(set)
    for complaint_id, number in complaint_numbers.items():
        found[complaint_id].add(number)
    for complaint_id, customer_id in complaints_of_customers(conn, org, list(call_numbers)):
        found[complaint_id] |= call_numbers[customer_id]
    for complaint_id, numbers in found.items():
        yield Hit(complaint_id, "2.8", _evidence(numbers, posts_of))


@built_once
def _advertised(org: str, sources: tuple[str, ...]):
    """(customer_id, number, source, record_id, post_id) of every non-reserved use (from
    `sources`: complaint, call) of a number that a black/gray post gives as a contact."""
    uses = phone_uses_table
    return (
        select(uses.c.customer_id, uses.c.number, uses.c.source, uses.c.record_id,
               post_contacts.c.post_id)
        .join(post_contacts, and_(post_contacts.c.org == org,
                                  post_contacts.c.indicator_type == "phone",
                                  post_contacts.c.indicator_value == uses.c.number))
        .join(post_assessments, and_(post_assessments.c.org == post_contacts.c.org,
                                     post_assessments.c.post_id == post_contacts.c.post_id))
        .where(uses.c.source.in_(sources), post_assessments.c.is_black_gray.is_(True))
    )


def _evidence(numbers: set[str], posts_of: dict[str, set[str]]) -> dict:
    """The strongest number first (most posts), with the posts advertising each."""
    ranked = sorted(numbers, key=lambda n: (-len(posts_of[n]), n))
    return {"number": ranked[0], "posts": sorted(posts_of[ranked[0]]),
            "advertised": {n: sorted(posts_of[n]) for n in ranked}}
