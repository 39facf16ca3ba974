"""Identification rules on phone numbers (domain.md 2.1, 2.3, 2.4, 2.5, 4.4).

The rules on non-reserved numbers read `phone_uses_table`, which the assessment run fills
once (detect.base.refresh_phone_uses) before evaluating them."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from sqlalchemy import Connection, and_, func, select

from qinglang.detect.base import (Hit, complaints, complaints_of_customers, customers,
                                  hits_for_shared_keys, phone_uses_table)
from qinglang.rules.schema import RuleSet


def regulator_complaint_from_other_number(conn: Connection, org: str,
                                          rules: RuleSet) -> Iterator[Hit]:
    """2.1: a complaint through a regulator channel comes from a number that is not the
    customer's reserved number."""
    query = (
        select(complaints.c.complaint_id, complaints.c.contact_phone, customers.c.reserved_phone)
        .join(customers, and_(customers.c.org == complaints.c.org,
                              customers.c.customer_id == complaints.c.customer_id))
        .where(complaints.c.org == org,
               complaints.c.channel.in_(rules.param("2.1", "channels")),
               complaints.c.contact_phone.is_not(None), customers.c.reserved_phone.is_not(None),
               complaints.c.contact_phone != customers.c.reserved_phone)
    )
    for complaint_id, number, reserved in conn.execute(query):
        yield Hit(complaint_id, "2.1", {"number": number, "reserved_phone": reserved})


def customer_with_several_numbers(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """2.3: one customer complains or calls in from several non-reserved numbers."""
    uses = phone_uses_table
    flagged = (select(uses.c.customer_id).group_by(uses.c.customer_id)
               .having(func.count(uses.c.number.distinct()) >= rules.param("2.3", "min_numbers")))
    numbers = _numbers_by_customer(conn, uses, flagged)
    for complaint_id, customer_id in complaints_of_customers(conn, org, flagged):
        yield Hit(complaint_id, "2.3", {"numbers": numbers[customer_id]})


def number_shared_by_customers(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """2.4: several customers call in or complain from the same non-reserved number."""
    uses = phone_uses_table
    shared = (select(uses.c.number).group_by(uses.c.number)
              .having(func.count(uses.c.customer_id.distinct())
                      >= rules.param("2.4", "min_customers")))
    pairs = conn.execute(select(uses.c.customer_id, uses.c.number)
                         .where(uses.c.number.in_(shared)).distinct())
    return hits_for_shared_keys(conn, org, "2.4", pairs, "numbers")


def number_complaining_for_many(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """2.5: complaints about several customers come from one non-reserved number."""
    uses = phone_uses_table
    from_complaints = select(uses).where(uses.c.source == "complaint").subquery()
    shared = (select(from_complaints.c.number).group_by(from_complaints.c.number)
              .having(func.count(from_complaints.c.customer_id.distinct())
                      >= rules.param("2.5", "min_customers")))
    query = select(from_complaints.c.record_id, from_complaints.c.number,
                   from_complaints.c.customer_id).where(from_complaints.c.number.in_(shared))
    rows = conn.execute(query).all()
    customers_by_number: dict[str, set] = defaultdict(set)
    for _, number, customer_id in rows:
        customers_by_number[number].add(customer_id)
    for complaint_id, number, _ in rows:
        yield Hit(complaint_id, "2.5", {"number": number,
                                        "customers": len(customers_by_number[number])})


def number_linked_to_other_complainant(conn: Connection, org: str,
                                       rules: RuleSet) -> Iterator[Hit]:
    """4.4: a number the customer uses is another complainant's reserved number."""
    uses = phone_uses_table
    other = customers.alias("other")
    complained = select(complaints.c.customer_id).where(complaints.c.org == org)
    links = (
        select(uses.c.customer_id, uses.c.number, other.c.customer_id.label("other_customer"))
        .join(other, and_(other.c.org == org, other.c.reserved_phone == uses.c.number,
                          other.c.customer_id != uses.c.customer_id))
        .where(other.c.customer_id.in_(complained)).distinct()
    )
    linked: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for customer_id, number, other_customer in conn.execute(links):
        linked[customer_id][number].append(other_customer)
    flagged = list(linked)
    for complaint_id, customer_id in complaints_of_customers(conn, org, flagged):
        yield Hit(complaint_id, "4.4", {"numbers": {n: sorted(o) for n, o in
                                                    linked[customer_id].items()}})


def _numbers_by_customer(conn, uses, flagged) -> dict[str, list[str]]:
    found: dict[str, set] = defaultdict(set)
    query = select(uses.c.customer_id, uses.c.number).where(uses.c.customer_id.in_(flagged))
    for customer_id, number in conn.execute(query):
        found[customer_id].add(number)
    return {k: sorted(v) for k, v in found.items()}
