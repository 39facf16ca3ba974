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


def test_an_import_and_its_rejected_rows_are_listed_without_values_only_to_its_institution(
        client, as_role):
    rows = list(csv.DictReader(io.StringIO(_customers_csv(range(10, 16)).decode())))
    for bad in (rows[1], rows[4]):
        bad["reserved_phone"] = "phone-13812345678x"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CUSTOMER_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    done = client.post("/api/v1/imports", headers=as_role("analyst"),
                       files={"file": ("customers.csv", out.getvalue().encode())}).json()
    assert (done["rows_ok"], done["rows_rejected"]) == (4, 2)
    path = f"/api/v1/imports/{done['import_id']}/rejects"
    page = client.get(path, params={"limit": 1}, headers=as_role("viewer"))
    assert page.status_code == 200
    body = page.json()
    assert (body["total"], len(body["items"])) == (2, 1)
    first = body["items"][0]
    assert (first["row_number"], first["column"]) == (3, "reserved_phone")  # the header is row 1
    rest = client.get(path, params={"offset": 1}, headers=as_role("viewer")).json()["items"]
    assert [r["row_number"] for r in rest] == [6]
    assert "13812345678" not in page.text
    newest = client.get("/api/v1/imports", headers=as_role("viewer")).json()["items"][0]
    assert (newest["import_id"], newest["status"], newest["rows_rejected"]) == (
        done["import_id"], "complete", 2)
    theirs = client.get("/api/v1/imports", headers=as_role("viewer", ORGS[1])).json()["items"]
    assert done["import_id"] not in {i["import_id"] for i in theirs}
    other = client.get(path, headers=as_role("viewer", ORGS[1]))
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/imports/999999/rejects",
                      headers=as_role("viewer")).status_code == 404
