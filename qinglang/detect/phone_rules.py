"""Identification rules on phone numbers (domain.md 2.1, 2.3, 2.4, 2.5, 4.4).

The rules on non-reserved numbers read `phone_uses_table`, which the assessment run fills
once (detect.base.refresh_phone_uses) before evaluating them."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from sqlalchemy import Connection, and_, func, select

from qinglang.detect.base import (Hit, built_once, complaints, complaints_of_customers,
                                  customers, hits_for_shared_keys, phone_uses_table)
from qinglang.rules.schema import RuleSet


def regulator_complaint_from_other_number(conn: Connection, org: str,
                                          rules: RuleSet) -> Iterator[Hit]:
    """2.1: a complaint through a regulator channel comes from a number that is not the
    customer's reserved number."""
    query = _regulator_complaints_from_other_numbers(org, tuple(rules.param("2.1", "channels")))
    for complaint_id, number, reserved in conn.execute(query):
        yield Hit(complaint_id, "2.1", {"number": number, "reserved_phone": reserved})


@built_once
def _regulator_complaints_from_other_numbers(org: str, channels: tuple[str, ...]):
    return (
        select(complaints.c.complaint_id, complaints.c.contact_phone, customers.c.reserved_phone)
        .join(customers, and_(customers.c.org == complaints.c.org,
                              customers.c.customer_id == complaints.c.customer_id))
        .where(complaints.c.org == org, complaints.c.channel.in_(channels),
               complaints.c.contact_phone.is_not(None), customers.c.reserved_phone.is_not(None),
               complaints.c.contact_phone != customers.c.reserved_phone)
    )


def customer_with_several_numbers(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """2.3: one customer complains or calls in from several non-reserved numbers."""
    flagged = _customers_with_several_numbers(rules.param("2.3", "min_numbers"))
    numbers = _numbers_by_customer(conn, flagged)
    for complaint_id, customer_id in complaints_of_customers(conn, org, flagged):
        yield Hit(complaint_id, "2.3", {"numbers": numbers[customer_id]})


@built_once
def _customers_with_several_numbers(least: int):
    uses = phone_uses_table
    return (select(uses.c.customer_id).group_by(uses.c.customer_id)
            .having(func.count(uses.c.number.distinct()) >= least))


def number_shared_by_customers(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """2.4: several customers call in or complain from the same non-reserved number."""
    pairs = conn.execute(_customers_on_shared_numbers(rules.param("2.4", "min_customers")))
    return hits_for_shared_keys(conn, org, "2.4", pairs, "numbers")


@built_once
def _customers_on_shared_numbers(least: int):
    uses = phone_uses_table
    shared = (select(uses.c.number).group_by(uses.c.number)
              .having(func.count(uses.c.customer_id.distinct()) >= least))
    return select(uses.c.customer_id, uses.c.number).where(uses.c.number.in_(shared)).distinct()


def number_complaining_for_many(conn: Connection, org: str, rules: RuleSet) -> Iterator[Hit]:
    """2.5: complaints about several customers come from one non-reserved number."""
    rows = conn.execute(_complaints_from_numbers_of_many(
        rules.param("2.5", "min_customers"))).all()
    customers_by_number: dict[str, set] = defaultdict(set)
    for _, number, customer_id in rows:
        customers_by_number[number].add(customer_id)
    for complaint_id, number, _ in rows:
        yield Hit(complaint_id, "2.5", {"number": number,
                                        "customers": len(customers_by_number[number])})


@built_once
def _complaints_from_numbers_of_many(least: int):
    uses = phone_uses_table
    from_complaints = select(uses).where(uses.c.source == "complaint").subquery()
    shared = (select(from_complaints.c.number).group_by(from_complaints.c.number)
              .having(func.count(from_complaints.c.customer_id.distinct()) >= least))
    return select(from_complaints.c.record_id, from_complaints.c.number,
                  from_complaints.c.customer_id).where(from_complaints.c.number.in_(shared))


def number_linked_to_other_complainant(conn: Connection, org: str,
                                       rules: RuleSet) -> Iterator[Hit]:
    """4.4: a number the customer uses is another complainant's reserved number."""
    linked: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for customer_id, number, other_customer in conn.execute(_reserved_numbers_of_others(org)):
        linked[customer_id][number].append(other_customer)
    flagged = list(linked)
    for complaint_id, customer_id in complaints_of_customers(conn, org, flagged):
        yield Hit(complaint_id, "4.4", {"numbers": {n: sorted(o) for n, o in
                                                    linked[customer_id].items()}})


@built_once
def _reserved_numbers_of_others(org: str):
    """(customer, number, other customer) for each number a customer uses that is the
    reserved number of another customer with complaints."""
    uses = phone_uses_table
    other = customers.alias("other")
    complained = select(complaints.c.customer_id).where(complaints.c.org == org)
    return (
        select(uses.c.customer_id, uses.c.number, other.c.customer_id.label("other_customer"))
        .join(other, and_(other.c.org == org, other.c.reserved_phone == uses.c.number,
                          other.c.customer_id != uses.c.customer_id))
        .where(other.c.customer_id.in_(complained)).distinct()
    )


def _numbers_by_customer(conn, flagged) -> dict[str, list[str]]:
    found: dict[str, set] = defaultdict(set)
    for customer_id, number in conn.execute(_numbers_of(flagged)):
        found[customer_id].add(number)
    return {k: sorted(v) for k, v in found.items()}


@built_once
def _numbers_of(flagged):
    uses = phone_uses_table
    return select(uses.c.customer_id, uses.c.number).where(uses.c.customer_id.in_(flagged))
