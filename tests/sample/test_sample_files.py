"""Files of the generated sample: columns, encodings, proportions, determinism and speed."""

from __future__ import annotations

import hashlib
import json

import pytest

from qinglang.sample import generate


REQUIRED = {
    "customers.csv": {"customer_id", "name", "id_number", "reserved_phone", "address", "email", "region", "created_at"},
    "complaints.csv": {"complaint_id", "customer_id", "received_at", "channel", "contact_phone", "contact_email",
                       "mailing_address", "claimed_role", "text", "demands", "attachments"},
    "calls.csv": {"call_id", "customer_id", "started_at", "caller_number", "direction", "forwarded", "voiceprint_id",
                  "voiceprint", "identity_check", "callback_denied", "claimed_role", "transcript"},
    "companies.csv": {"credit_code", "name", "registered_at", "address", "business_scope", "legal_representative"},
    "intelligence.csv": {"indicator", "kind", "category", "source", "first_seen", "last_seen", "confidence"},
}
ENCODING = {"complaints.csv": "utf-8-sig"}


def _digest(directory) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_required_and_extra_columns(sample, name):
    with open(sample.dir / name, encoding=ENCODING.get(name, "utf-8")) as f:
        header = f.readline().strip().split(",")
    assert header == [h.lower() for h in header]
    assert REQUIRED[name] <= set(header)
    assert set(header) - REQUIRED[name], "the institution exports at least one extra column"


def test_letters_are_gb18030_with_the_complaint_columns(sample):
    read_csv = sample.read_csv
    raw = (sample.dir / "letters_gbk.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    letters = read_csv(sample.dir / "letters_gbk.csv", "gb18030")
    assert letters and all(row["channel"] == "letter" for row in letters)
    with open(sample.dir / "complaints.csv", encoding="utf-8-sig") as f:
        complaint_header = f.readline()
    assert raw.decode("gb18030").splitlines()[0] == complaint_header.strip()
    assert not any(row["channel"] == "letter" for row in read_csv(sample.dir / "complaints.csv", "utf-8-sig"))


def test_complaints_have_a_bom_and_customers_do_not(sample):
    assert (sample.dir / "complaints.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert not (sample.dir / "customers.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_posts_are_json_lines(sample):
    lines = (sample.dir / "posts.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(sample.posts) >= 50
    for line in lines:
        post = json.loads(line)
        assert post["post_id"] and post["text"]
        assert post["platform"] in {"douyin", "kuaishou", "xiaohongshu", "weibo", "wechat", "bilibili", "sms"}
    assert any(not line.isascii() for line in lines), "Chinese is written as is, not escaped"
    assert "\\u" not in "".join(lines)


def test_counts_and_proportions(sample):
    c, N = sample.counts, sample.n
    assert c["customers.csv"] == len(sample.customers) == N
    assert 0.8 * N <= len(sample.complaints) <= 1.3 * N
    assert c["complaints.csv"] + c["letters_gbk.csv"] == len(sample.complaints) == c["truth/complaints.csv"]
    assert 1.6 * N <= len(sample.calls) <= 2.4 * N
    assert len(sample.posts) >= 50 and len(sample.companies) >= 30 and len(sample.intelligence) >= 20
    assert 0 < c["attachments/"] <= 2000
    assert c["attachments/"] == len(sample.truth["attachments"])


def test_genuine_is_the_large_majority(sample):
    roles = [row["role"] for row in sample.truth["customers"]]
    assert roles.count("genuine") / len(roles) >= 0.9
    labels = [row["label"] for row in sample.truth["complaints"]]
    assert set(labels) == {"genuine", "agent_driven", "malicious"}
    assert labels.count("genuine") / len(labels) >= 0.75


def test_at_least_five_gangs_of_several_kinds(sample):
    gangs = sample.truth["gangs"]
    assert len(gangs) >= 5
    assert {g["kind"] for g in gangs} == {"agent_firm", "anti_collection_group", "debt_evasion_ring"}
    members = [row for row in sample.truth["customers"] if row["gang_id"]]
    for g in gangs:
        assert int(g["n_customers"]) == sum(1 for m in members if m["gang_id"] == g["gang_id"]) >= 3


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    generate(tmp_path / "a", 400, 5)
    generate(tmp_path / "b", 400, 5)
    generate(tmp_path / "c", 400, 6)
    a, b, c = (_digest(tmp_path / x) for x in "abc")
    assert a == b
    assert a["customers.csv"] != c["customers.csv"]
    assert a["complaints.csv"] != c["complaints.csv"]


def test_regenerating_into_the_same_directory_gives_the_same_bytes(tmp_path):
    generate(tmp_path, 300, 8)
    first = _digest(tmp_path)
    generate(tmp_path, 300, 8)
    assert _digest(tmp_path) == first


def test_two_thousand_customers_take_a_few_seconds(sample):
    assert sample.seconds < 8.0
