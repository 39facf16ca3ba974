"""The OPRF, the canonical indicators, the pool bundle, the hub's rules and its key file."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from qinglang.alliance import keys, member, oprf
from qinglang.alliance.bundle import Bundle, PoolEntry, encode
from qinglang.alliance.client import HubClient, HubError
from qinglang.alliance.hub import Contribution, Hub
from qinglang.alliance.hub_app import create_app
from qinglang.alliance.hub_store import open_hub_store
from qinglang.alliance.indicators import canonical
from qinglang.errors import InvalidValue

PHONE_SPELLINGS = ["13800138000", "+86 138-0013-8000", "008613800138000", "(+86)138 0013 8000",
                   "１３８００１３８０００", "phone:13800138000", " 138.0013.8000 "]


def test_every_spelling_of_an_identifier_blinds_to_one_point():
    keys_ = {canonical("phone", raw) for raw in PHONE_SPELLINGS}
    assert keys_ == {"phone:+8613800138000"}
    assert len({oprf.hash_to_points([canonical("wechat", w)])
                for w in ("ZX_abc123", "zx_abc123 ", "ｚｘ_ａｂｃ１２３")}) == 1
    assert canonical("email", "Agent.Li@Fawu-Law.COM") == "email:agent.li@fawu-law.com"
    assert canonical("domain", "https://WWW.fawu123.top/x?y=1") == "domain:fawu123.top"
    assert canonical("company", "91350100m000100y43") == "company:91350100M000100Y43"
    assert canonical("voiceprint", "VP-00AB12") == canonical("voiceprint", "vp-00ab12")
    # the same digits as a QQ number and as a phone number are different indicators
    assert oprf.hash_to_points([canonical("qq", "13800138000")]) != oprf.hash_to_points(
        [canonical("phone", "13800138000")])


def test_invalid_indicators_are_refused_without_repeating_them():
    with pytest.raises(InvalidValue) as refused:
        canonical("wechat", "9bad-handle")
    assert "9bad" not in refused.value.message
    with pytest.raises(InvalidValue):
        canonical("fax", "12345")


def test_unblinding_gives_the_keyed_point_and_the_blinded_one_says_nothing():
    key, r = oprf.new_key(), oprf.new_key()
    h1 = oprf.hash_to_points(["phone:+8613800138000"])
    blinded = oprf.multiply_points(r, h1)
    evaluated = oprf.multiply_points(key, blinded)
    assert blinded not in (h1, oprf.multiply_points(key, h1))
    assert oprf.multiply_points(oprf.invert(r), evaluated) == oprf.multiply_points(key, h1)


def test_what_is_not_a_point_is_refused():
    with pytest.raises(oprf.ProtocolError):
        oprf.multiply_points(oprf.new_key(), b"\xff" * 32)
    with pytest.raises(oprf.ProtocolError):
        oprf.multiply_points(oprf.new_key(), b"\x01" * 33)


def _entry(point, institutions, categories=("agent_rights",)):
    return PoolEntry(point, institutions, 0.7, frozenset(categories), date(2024, 1, 2),
                     date(2024, 3, 4))


def test_the_bundle_opens_only_for_points_held_and_hides_counts_below_k():
    points = [oprf.hash_to_points([f"qq:{10000 + i}"]) for i in range(300)]
    entries = [_entry(p, i % 4, ("agent_rights", "fraud") if i % 2 else ("fraud",))
               for i, p in enumerate(points)]
    data = encode(iter(entries), ["fraud", "agent_rights"], version=7, epoch=3, k=3)
    assert not any(p in data for p in points)
    bundle = Bundle(data)
    assert (len(bundle), bundle.epoch, bundle.version) == (300, 3, 7)
    outsider = oprf.hash_to_points(["qq:99999"])
    found = bundle.lookup([points[3], outsider, points[2], points[5]])
    assert set(found) == {0, 2, 3}
    assert found[0].institutions == 3 and found[0].categories == ("agent_rights", "fraud")
    assert found[2].institutions is None  # 2 < k
    assert found[3].institutions is None  # 1 < k
    assert found[3].first_seen == date(2024, 1, 2) and found[3].last_seen == date(2024, 3, 4)


def test_an_interrupted_rotation_is_finished_or_dropped_by_the_store_epoch(tmp_path):
    old, new = keys.HubKey(4, oprf.new_key()), keys.HubKey(5, oprf.new_key())
    keys.write_key(keys.key_path(tmp_path), old)
    keys.write_key(keys.next_key_path(tmp_path), new)
    assert keys.settle_key(tmp_path, 4) == old  # the store was not re-keyed: drop the next
    assert not keys.next_key_path(tmp_path).exists()
    keys.write_key(keys.next_key_path(tmp_path), new)
    assert keys.settle_key(tmp_path, 5) == new  # it was: the next key becomes the key
    assert os.stat(keys.key_path(tmp_path)).st_mode & 0o777 == 0o600


@pytest.fixture
def hub_app(tmp_path):
    hub = Hub(open_hub_store(f"sqlite:///{tmp_path / 'hub.db'}"), tmp_path, "admin",
              {"k": 2, "default_quota": 10})
    client = TestClient(create_app(hub))

    def connect(token):
        return HubClient("http://hub", token, transport=client._transport)

    return hub, connect


FACTS = Contribution(b"", "agent_rights", 0.9, date(2024, 1, 1), date(2024, 2, 1),
                     datetime.now() + timedelta(days=30))


def test_tokens_are_needed_and_stored_only_as_digests(hub_app):
    hub, connect = hub_app
    with pytest.raises(HubError) as refused:
        connect("not-the-admin").register("bank-a", None)
    assert refused.value.http_status == 401
    token = connect("admin").register("bank-a", None)
    with hub.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT token_sha256 FROM hub_members").scalar()
    assert token not in stored and len(stored) == 64
    assert connect(token).policy()["k"] == 2
    with pytest.raises(HubError):
        connect(token + "x").policy()


def test_points_from_before_a_rotation_are_refused(hub_app, tmp_path):
    hub, connect = hub_app
    member_client = connect(connect("admin").register("bank-a", None))
    items = ["phone:+8613800138000"]
    (_, epoch, points), = member.oprf_points(member_client, items, member.Workers())
    connect("admin").rotate_key()
    with pytest.raises(HubError) as refused:
        member_client.contribute(epoch, [Contribution(points[0], "x", 1.0, date.today(),
                                                      date.today(), datetime(2030, 1, 1))])
    assert refused.value.http_status == 409
    assert member.contribute(member_client, items, [FACTS], member.Workers()) == 1


def test_expired_contributions_leave_the_pool(hub_app, tmp_path):
    hub, connect = hub_app
    client = connect(connect("admin").register("bank-a", 100))
    expired = Contribution(b"", "fraud", 0.5, date(2024, 1, 1), date(2024, 1, 1),
                           datetime.now() - timedelta(seconds=1))
    member.contribute(client, ["qq:12345", "qq:23456"], [FACTS, expired], member.Workers())
    found = member.match(client, ["qq:12345", "qq:23456"], tmp_path / "pool.bin",
                         member.Workers())
    assert set(found) == {0}


def test_worker_processes_give_the_same_points_in_the_same_order():
    items = [f"qq:{100000 + i}" for i in range(2_500)]
    scalar = oprf.new_key()
    alone = oprf.multiply_points(scalar, oprf.hash_to_points(items))
    with oprf.worker_pool(2) as executor:
        blinded = oprf.blind_items(executor, 2, scalar, items)
        assert blinded == alone
        assert oprf.map_points(executor, 2, oprf.invert(scalar), blinded) == \
            oprf.hash_to_points(items)
