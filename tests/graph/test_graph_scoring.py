"""Gang score and kind: pure functions of the gathered facts, weights from gangs.yaml."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from qinglang.graph.schema import default_gang_settings
from qinglang.graph.scoring import GangFacts, gang_kind, gang_score, score_parts

SETTINGS = default_gang_settings()


def test_a_bigger_busier_gang_scores_higher_within_0_100():
    small = GangFacts(customers=3, complaints=3, channels=Counter(regulator=3))
    big = GangFacts(customers=80, complaints=400, channels=Counter(regulator=200, letter=100, hotline=100),
                    regions=Counter(广东省=40, 湖南省=40), rules=Counter({"2.5": 100, "4.7": 50, "3.1": 10}),
                    first_seen=datetime(2024, 1, 1), last_seen=datetime(2024, 6, 1), reported=2)
    assert 0 <= gang_score(small, SETTINGS) < gang_score(big, SETTINGS) <= 100
    parts = score_parts(big, SETTINGS)
    assert parts["customers"] == SETTINGS.score["customers"].cap
    assert parts["rules"] == 3 * SETTINGS.score["rules"].per


def test_kinds_follow_the_claimed_roles_and_channels():
    def kind(**counts):
        return gang_kind(GangFacts(roles=Counter(counts.pop("roles", {})),
                                   channels=Counter(counts.pop("channels", {}))), SETTINGS)

    assert kind(roles={"lawyer": 5, "agent": 3, "self": 4}) == "agent_firm"
    assert kind(roles={"family": 4, "self": 6}, channels={"regulator": 10}) == "debt_evasion_ring"
    assert kind(roles={"self": 10}, channels={"letter": 2, "regulator": 8}) == "debt_evasion_ring"
    assert kind(roles={"self": 9, "unknown": 1}, channels={"hotline": 10}) == "anti_collection_group"
    assert kind(roles={"unknown": 9, "self": 1}, channels={"hotline": 10}) == "unknown"
    assert kind() == "unknown"
