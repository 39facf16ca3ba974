"""Small stores written the way institutions export, for the graph and gang tests."""

from __future__ import annotations

from dataclasses import replace

import pytest

from factories import COMPLAINT_COLUMNS, CUSTOMER_COLUMNS, complaint, customer, write_csv
from qinglang.services.importing import import_file

CALL_COLUMNS = ["call_id", "customer_id", "started_at", "caller_number", "direction",
                "voiceprint_id", "claimed_role"]
AGENT_PHONE = "13700001111"


def call(i: int, customer_id: str, number: str, voiceprint: str = "") -> dict:
    return {"call_id": f"CL{i:06d}", "customer_id": customer_id, "started_at": "2024-06-05 10:00:00",
            "caller_number": number, "direction": "in", "voiceprint_id": voiceprint,
            "claimed_role": "agent"}


class StoreWriter:
    """Writes customers, complaints and calls to CSV files and imports them."""

    def __init__(self, engine, settings, tmp_path):
        self.engine, self.settings, self.dir = engine, replace(settings, batch_rows=500), tmp_path
        self.n = 0

    def load(self, customers=(), complaints=(), calls=()) -> None:
        self.n += 1
        for kind, columns, rows in (("customers", CUSTOMER_COLUMNS, customers),
                                    ("complaints", COMPLAINT_COLUMNS, complaints),
                                    ("calls", CALL_COLUMNS, calls)):
            if rows:
                path = write_csv(self.dir / f"{kind}_{self.n}.csv", columns, list(rows))
                import_file(self.engine, self.settings, path)


@pytest.fixture
def store(engine, settings, tmp_path):
    return StoreWriter(engine, settings, tmp_path)


def agent_gang(first: int, size: int, phone: str = AGENT_PHONE, role: str = "agent"):
    """`size` customers from number `first` on, each with a complaint from one agent phone."""
    customers = [customer(i) for i in range(first, first + size)]
    complaints = [complaint(i, contact_phone=phone, claimed_role=role) for i in range(first, first + size)]
    return customers, complaints
