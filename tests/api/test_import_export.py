"""Importing through the API lands in the caller's institution; exports are files."""

from __future__ import annotations

import csv
import io

from api_seed import ORGS
from factories import CUSTOMER_COLUMNS, customer
from qinglang.services.stats import store_stats


def _customers_csv(ids: range) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CUSTOMER_COLUMNS)
    writer.writeheader()
    writer.writerows(customer(i, customer_id=f"NEW{i}") for i in ids)
    return out.getvalue().encode("utf-8")


def test_an_analyst_imports_a_file_into_their_institution(client, as_role, store):
    before = store_stats(store, ORGS[1]).records["customers"]
    response = client.post("/api/v1/imports", headers=as_role("analyst"),
                           files={"file": ("customers.csv", _customers_csv(range(4)))})
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["rows_ok"], body["rows_rejected"]) == ("customers", 4, 0)
    assert store_stats(store, ORGS[0]).records["customers"] == 3 + 4
    assert store_stats(store, ORGS[1]).records["customers"] == before


def test_assessments_export_as_csv_and_xlsx(client, as_role):
    headers = as_role("viewer")
    response = client.get("/api/v1/exports/assessments", headers=headers)
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["complaint_id"], r["outcome"]) for r in rows] == [
        ("AT0", "genuine"), ("AT1", "agent_driven"), ("AT2", "malicious")]
    xlsx = client.get("/api/v1/exports/assessments", params={"format": "xlsx"}, headers=headers)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_regulator_report_excludes_the_flagged_complaints(client, as_role):
    headers = as_role("viewer")
    report = client.get("/api/v1/reports/complaints", params={"period": "2024-06"},
                        headers=headers)
    assert report.status_code == 200
    assert report.json()["exclusions"] == 2  # AT1 agent-driven, AT2 malicious
    book = client.get("/api/v1/reports/complaints/workbook", params={"period": "2024"},
                      headers=headers)
    assert book.status_code == 200 and book.content[:2] == b"PK"
    bad = client.get("/api/v1/reports/complaints", params={"period": "June"}, headers=headers)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_input"
