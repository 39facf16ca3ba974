"""A hub and members as separate processes on loopback: who learns what, and what the hub
keeps. Every member runs the `qinglang alliance` CLI in its own process with its own store."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from hub_processes import ADMIN, add_member, qinglang, write_intelligence
from qinglang.alliance import oprf
from qinglang.alliance.indicators import canonical
from qinglang.alliance.keys import read_key

pytestmark = pytest.mark.slow

A_ROWS = [
    ("13800138000", "phone", "agent_rights", "bank-a", "2024-01-05", "2024-03-01", "0.9"),
    ("zx_abc123", "wechat", "fraud", "bank-a", "2024-02-01", "2024-02-20", "0.7"),
    ("123456789", "qq", "agent_rights", "bank-a", "2024-01-01", "2024-01-02", "0.6"),
    ("91350100M000100Y43", "company", "agent_rights", "bank-a", "", "", ""),
    ("VP-00AB12", "voiceprint", "agent_rights", "bank-a", "", "", ""),
]
B_ROWS = [
    ("+86 138-0013-8000", "phone", "agent_rights", "bank-b", "2023-12-24", "2024-04-01", "0.8"),
    ("ZX_ABC123", "wechat", "anti_collection", "bank-b", "2024-01-15", "2024-05-01", "0.95"),
    ("https://www.fawu123.top/a", "domain", "credit_repair", "bank-b", "", "", ""),
    ("vp-00ab12", "voiceprint", "agent_rights", "bank-b", "", "", ""),
    ("Agent.Li@Fawu-Law.COM", "email", "agent_rights", "bank-b", "", "", ""),
]
C_ROWS = [
    ("008613800138000", "phone"), ("zx_abc123", "wechat"), ("123456789", "qq"),
    ("fawu123.top", "domain"), ("13900139000", "phone"), ("91350100m000100y43", "company"),
    ("VP-00ab12", "voiceprint"),
]
# Further spellings of the same identifiers, for the search of the hub's store and log.
MORE_SPELLINGS = ["+8613800138000", "8613800138000", "138 0013 8000", "138-0013-8000",
                  "１３８００１３８０００", "zx_ABC123", "fawu123.top", "www.fawu123.top",
                  "agent.li@fawu-law.com", "vp-00ab12", "91350100m000100y43"]


def _rows(rows):
    return [row + ("",) * (7 - len(row)) for row in rows]


@pytest.fixture(scope="module")
def scenario(hub):
    hub_process, tmp = hub
    a = add_member(hub_process, tmp, "bank-a", through_cli=True)
    b, c = (add_member(hub_process, tmp, name) for name in ("bank-b", "bank-c"))
    a.run("contribute", "--file", str(write_intelligence(tmp / "a.csv", A_ROWS)))
    b.run("contribute", "--file", str(write_intelligence(tmp / "b.csv", B_ROWS)))
    checked = write_intelligence(tmp / "c.csv", _rows(C_ROWS))
    c.run("match", "--file", str(checked))
    return {"hub": hub_process, "tmp": tmp, "a": a, "b": b, "c": c, "checked": checked}


def _alliance_records(store: Path) -> dict[str, dict]:
    import json

    with sqlite3.connect(store) as db:
        rows = db.execute("SELECT indicator_key, category, source, first_seen, last_seen, attrs "
                          "FROM intelligence").fetchall()
    return {key: {"category": category, "source": source, "first_seen": first,
                  "last_seen": last, **json.loads(attrs)["alliance"]}
            for key, category, source, first, last, attrs in rows}


def _dump(path: Path) -> bytes:
    """Every byte of a SQLite store: the file (free pages included) and its WAL, plus each
    value of each table rendered as text, raw and hex."""
    data = bytearray()
    for part in (path, path.with_name(path.name + "-wal")):
        if part.exists():
            data += part.read_bytes()
    with sqlite3.connect(path) as db:
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    if isinstance(value, bytes):
                        data += value + value.hex().encode()
                    else:
                        data += str(value).encode()
    return bytes(data)


def _needles(spellings: list[str]) -> dict[str, bytes]:
    """Each spelling, its canonical form and bare value, their SHA-256 and MD5 (hex and raw),
    and the unkeyed hash-to-curve point H1 (raw and hex)."""
    values: set[str] = set(spellings)
    for raw, kind in [(r[0], r[1]) for r in A_ROWS + B_ROWS + C_ROWS]:
        key = canonical(kind, raw)
        values |= {key, key.split(":", 1)[1]}
    needles = {}
    for value in values:
        encoded = value.encode()
        needles[value] = encoded
        for name in ("sha256", "md5"):
            digest = hashlib.new(name, encoded).digest()
            needles[f"{name}({value}) raw"] = digest
            needles[f"{name}({value}) hex"] = digest.hex().encode()
            needles[f"{name}({value}) HEX"] = digest.hex().upper().encode()
        point = oprf.hash_to_points([value])
        needles[f"H1({value})"] = point
        needles[f"H1({value}) hex"] = point.hex().encode()
    return needles


def test_each_member_learns_only_its_own_matches_with_counts_from_k(scenario):
    found = _alliance_records(scenario["c"].store)
    assert set(found) == {"phone:+8613800138000", "wechat:zx_abc123", "qq:123456789",
                          "domain:fawu123.top", "company:91350100M000100Y43",
                          "voiceprint:vp-00ab12"}
    # two institutions agree (k = 2): the count is shown
    assert found["phone:+8613800138000"]["institutions"] == 2
    assert found["wechat:zx_abc123"]["institutions"] == 2
    assert found["voiceprint:vp-00ab12"]["institutions"] == 2
    assert sorted(found["wechat:zx_abc123"]["categories"]) == ["anti_collection", "fraud"]
    assert found["phone:+8613800138000"]["first_seen"].startswith("2023-12-23 16:00")
    assert found["phone:+8613800138000"]["last_seen"].startswith("2024-03-31 16:00")
    assert found["wechat:zx_abc123"]["confidence"] == 0.95
    # one institution only: in the pool, but no count
    for key in ("qq:123456789", "domain:fawu123.top", "company:91350100M000100Y43"):
        assert found[key]["institutions"] is None
    assert found["domain:fawu123.top"]["categories"] == ["credit_repair"]
    assert all(r["source"] == "alliance" for r in found.values())
    # the member learns nothing of what it did not ask about, nor who reported anything
    assert "email:agent.li@fawu-law.com" not in found
    c_store = _dump(scenario["c"].store)
    for reporter in (b"bank-a", b"bank-b"):
        assert reporter not in c_store


def test_the_hub_audits_how_much_each_member_asked_never_what(scenario):
    with scenario["hub"].admin() as admin:
        rows = admin.audit()
    evaluated = {r["member"]: r["items"] for r in rows
                 if r["action"] == "evaluate" and r["outcome"] == "ok"}
    assert evaluated["bank-a"] == 5 and evaluated["bank-b"] == 5 and evaluated["bank-c"] == 7
    contributed = {r["member"]: r["items"] for r in rows if r["action"] == "contribute"}
    assert contributed == {"bank-a": 5, "bank-b": 5}


def test_the_hub_tables_and_log_hold_no_identifier_nor_a_plain_hash_of_one(scenario):
    hub = scenario["hub"]
    haystacks = {"hub store": _dump(hub.db), "hub log": hub.log.read_bytes()}
    assert b"action=evaluate" in haystacks["hub log"]  # the log is the one the hub writes
    spellings = [r[0] for r in A_ROWS + B_ROWS + C_ROWS] + MORE_SPELLINGS
    for label, needle in _needles(spellings).items():
        for where, haystack in haystacks.items():
            assert needle not in haystack, f"{label} found in the {where}"


def test_a_stolen_hub_store_without_the_key_confirms_no_guess(scenario, tmp_path):
    stolen = sqlite3.connect(tmp_path / "stolen.db")
    with sqlite3.connect(scenario["hub"].db) as source:
        source.backup(stolen)  # the whole store, its write-ahead log included
    with stolen as db:
        points = {bytes(p) for (p,) in db.execute("SELECT point FROM hub_pool")}
    assert len(points) == 7  # phone, wechat, qq, company, voiceprint, domain, e-mail
    members = [canonical("phone", "13800138000"), canonical("wechat", "zx_abc123")]
    outsider = [canonical("phone", "13900139000")]
    for guess in members + outsider:
        h1 = oprf.hash_to_points([guess])
        guesses = {h1, hashlib.sha256(guess.encode()).digest(),
                   oprf.multiply_points(oprf.new_key(), h1)}  # any key but the hub's
        assert not guesses & points
    # the same test with the key the hub keeps apart does confirm: the check can fail
    key = read_key(scenario["hub"].home / "hub.key")
    assert all(oprf.multiply_points(key.scalar, oprf.hash_to_points([g])) in points
               for g in members)
    assert oprf.multiply_points(key.scalar, oprf.hash_to_points(outsider)) not in points


def test_evaluations_beyond_the_quota_are_refused_and_audited(scenario):
    hub, tmp = scenario["hub"], scenario["tmp"]
    small = add_member(hub, tmp, "bank-small", quota=5)
    done = small.run("match", "--file", str(scenario["checked"]), check=False)
    assert done.returncode == 2
    assert "quota" in done.stdout
    with hub.admin() as admin:
        refused = [r for r in admin.audit()
                   if r["member"] == "bank-small" and r["outcome"] == "refused"]
    assert refused and refused[0]["items"] == 7
    assert _alliance_records_or_empty(small.store) == {}


def _alliance_records_or_empty(store: Path) -> dict:
    return _alliance_records(store) if store.exists() else {}


def test_a_member_withdraws_its_own_contributions_only(scenario):
    hub, tmp, a, c = scenario["hub"], scenario["tmp"], scenario["a"], scenario["c"]
    w = add_member(hub, tmp, "bank-w")
    own = write_intelligence(tmp / "w.csv", _rows([("555666777", "qq", "fraud")]))
    w.run("contribute", "--file", str(own))
    both = write_intelligence(tmp / "w-check.csv", _rows([("555666777", "qq"),
                                                          ("13800138000", "phone")]))
    c.run("match", "--file", str(both))
    assert "qq:555666777" in _alliance_records(c.store)
    # withdrawing what another member reported removes nothing of theirs
    w.run("withdraw", "--file", str(write_intelligence(
        tmp / "w-other.csv", _rows([("13800138000", "phone")]))))
    w.run("withdraw", "--file", str(own))
    fresh = add_member(hub, tmp, "bank-fresh")
    fresh.run("match", "--file", str(both))
    seen = _alliance_records(fresh.store)
    assert "qq:555666777" not in seen
    assert seen["phone:+8613800138000"]["institutions"] == 2
    a.run("withdraw", "--all")
    fresh.run("match", "--file", str(both))
    assert _alliance_records(fresh.store)["phone:+8613800138000"]["institutions"] is None


def test_matches_keep_working_after_key_rotation(scenario):
    hub, tmp = scenario["hub"], scenario["tmp"]
    d = add_member(hub, tmp, "bank-d")
    d.run("match", "--file", str(scenario["checked"]))
    seen_before = _without_run(_alliance_records(d.store))
    assert "phone:+8613800138000" in seen_before
    with sqlite3.connect(hub.db) as db:
        before = {bytes(p) for (p,) in db.execute("SELECT point FROM hub_pool")}
    done = qinglang("alliance", "rotate-key", "--hub", hub.url, "--admin-token",
                    ADMIN, env=d.env)
    assert "epoch 2" in done.stdout
    with sqlite3.connect(hub.db) as db:
        after = {bytes(p) for (p,) in db.execute("SELECT point FROM hub_pool")}
    assert len(after) == len(before) and not after & before
    assert read_key(hub.home / "hub.key").epoch == 2
    d.run("match", "--file", str(scenario["checked"]))  # its cached pool is of epoch 1
    assert _without_run(_alliance_records(d.store)) == seen_before


def _without_run(records: dict[str, dict]) -> dict[str, dict]:
    return {key: {k: v for k, v in r.items() if k != "run"} for key, r in records.items()}
