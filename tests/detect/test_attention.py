"""Escalation, threat and tone cues are flagged for a person to read — never scored."""

from __future__ import annotations

from qinglang.detect.demands import attention_flags


def flags(text: str) -> dict[str, list[str]]:
    return attention_flags([text])[0]


def test_the_writers_own_threats_are_flagged_by_kind():
    assert set(flags("再不解决我就去上访，还要发到抖音曝光你们")) == {"petition", "media"}
    assert set(flags("被你们逼得活不下去了，大不了一死了之")) == {"self_harm"}
    assert set(flags("我们几百个受害者已经建了维权群，准备集体投诉")) == {"mass_complaint"}
    assert set(flags("我已经向银保监会投诉，下一步会起诉你们")) == {"legal_action"}
    assert set(flags("你们这些吸血鬼，丧尽天良")) == {"hostile_tone"}
    assert flags("三天了还没处理！！气死我了！") == {"agitated_tone": ["3×!"]}


def test_quoted_threats_denials_and_warnings_are_not_the_writers_escalation():
    assert flags("催收说要起诉我，还威胁要报警抓我") == {}
    assert flags("我不会起诉的，只希望把事情说清楚") == {}
    assert flags("利滚利，还款压力很大，请协商分期") == {}
    assert flags("谨防冒充媒体记者的诈骗电话") == {}

