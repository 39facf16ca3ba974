"""The compiled signing and comparing loops (`qinglang.text.kernels`) give what a plain numpy
reading of the same definitions gives, to the bit: normalised code points, slots (each
5-gram's mixed hash picks a slot and keeps its smallest low 32 bits; empty slots of a
signed text take the next filled slot to their right, salted by the distance), marker grams,
band keys, candidate pairs and the pairs that share enough."""

from __future__ import annotations

import numpy as np
import pytest

from qinglang.detect.templates import candidate_pairs
from qinglang.text import shingles
from qinglang.text.shingles import (BANDS, EMPTY, MARKER_EVERY, ROWS, SLOTS, agreement,
                                    band_keys, pair_agreement, pairs_sharing, sign)

MULTIPLIERS = [int(m) for m in shingles._POSITION_MULTIPLIERS]
MASK = (1 << 64) - 1
PHRASES = ["催收人员天天打电话骚扰我的家人", "要求减免罚息和违约金", "本人因经济困难无法按期还款",
           "ＡＢＣ贷款平台", "月利率0.98%，借款52,900元", "身份证号321084********6931",
           "请尽快处理，谢谢！", "我去年十月在手机上看到一个理财广告"]


def _texts(count: int, seed: int) -> list[str]:
    """Texts of varied length sharing phrases, so that slots collide and buckets fill."""
    r = np.random.default_rng(seed)
    return ["".join(r.choice(PHRASES, size=r.integers(0, 9))) for _ in range(count)]


def _mix(value: int) -> int:
    value ^= value >> 30
    value = value * 0xBF58476D1CE4E5B9 & MASK
    value ^= value >> 27
    value = value * 0x94D049BB133111EB & MASK
    return value ^ (value >> 31)


def _plain_normalised(text: str) -> list[int]:
    points = []
    for char in text:
        point = ord(char)
        if 0xFF01 <= point <= 0xFF5E:
            point -= 0xFEE0
        if 0x41 <= point <= 0x5A:
            point += 0x20
        if 0x30 <= point <= 0x39 or point == 0x2A:
            if points and points[-1] == 0x30:
                continue
            point = 0x30
        elif not (0x4E00 <= point <= 0x9FFF or 0x3400 <= point <= 0x4DBF or 0x61 <= point <= 0x7A):
            continue
        points.append(point)
    return points


def _plain_hash(window: list[int]) -> int:
    return _mix(sum(p * m for p, m in zip(window, MULTIPLIERS)) & MASK)


def _plain_signature(text: str, least: int) -> tuple[list[int], int, set[int]]:
    """(slots, 5-grams, marker names) of one text, read straight from the definitions."""
    points = _plain_normalised(text)
    slots = [int(EMPTY)] * SLOTS
    grams = max(len(points) - 4, 0)
    for start in range(grams):
        value = _plain_hash(points[start:start + 5])
        slots[value >> 56] = min(slots[value >> 56], value & 0xFFFFFFFF)
    if grams < max(least, 1):
        return slots, grams, set()
    filled = [k for k in range(SLOTS) if slots[k] != EMPTY]
    dense = []
    for k in range(SLOTS):
        nearest = min((f if f >= k else f + SLOTS) for f in filled)
        salt = (nearest - k) * 0x9E3779B1 & 0xFFFFFFFF
        dense.append(slots[k] if nearest == k else slots[nearest % SLOTS] ^ salt)
    markers = {_plain_hash(points[s:s + 3]) for s in range(len(points) - 2)}
    return dense, grams, {m >> 16 for m in markers if m % MARKER_EVERY == 0}


def test_normalising_folds_width_and_case_and_keeps_one_zero_for_a_run_of_digits():
    texts = ["ＡＢＣ贷款，借款52,900元！", "abc", "", "卡号****1234 end"]
    joined = shingles.normalised_codepoints(texts).tolist()
    expected = []
    for text in texts:
        expected += _plain_normalised(text) + [1]
    assert joined == expected
    assert "".join(map(chr, _plain_normalised("ＡＢＣ贷款，借款52,900元！"))) == "abc贷款借款0元"


@pytest.mark.parametrize("least", [1, 35])
def test_signatures_equal_a_plain_reading_of_the_definitions(least):
    texts = _texts(60, seed=least) + ["短", "ab", "一二三四五"]
    found = sign(texts, least, chunk=17)  # several chunks
    for row, text in enumerate(texts):
        slots, grams, markers = _plain_signature(text, least)
        assert found.slots[row].tolist() == slots
        assert found.shingles[row] == grams
        assert set(found.markers[found.markers[:, 1] == row, 0].tolist()) <= markers
    assert not (found.slots[found.shingles >= max(least, 1)] == EMPTY).any()


def test_a_chunk_keeps_every_marker_row_of_a_marker_in_up_to_three_texts_and_three_of_others():
    texts = _texts(80, seed=3)
    found = sign(texts, 10, chunk=40)
    plain = [_plain_signature(t, 10)[2] for t in texts]
    for start in (0, 40):
        rows = found.markers[(found.markers[:, 1] >= start) & (found.markers[:, 1] < start + 40)]
        holders: dict[int, set[int]] = {}
        for text in range(start, start + 40):
            for marker in plain[text]:
                holders.setdefault(marker, set()).add(text)
        kept: dict[int, list[int]] = {}
        for marker, text in rows.tolist():
            kept.setdefault(marker, []).append(text)
        assert kept == {m: sorted(h)[:3] for m, h in holders.items()}


def test_band_keys_hash_each_band_of_slots_with_its_salt():
    found = sign(_texts(20, seed=5), 1)
    keys = band_keys(found).view(np.uint64)
    for row in range(20):
        for band in range(BANDS):
            key = int(shingles._BAND_SALT[band])
            for slot in found.slots[row, band * ROWS:(band + 1) * ROWS].tolist():
                key = _mix(key ^ slot)
            assert int(keys[row, band]) == key


def _plain_candidates(keys: np.ndarray, signed: np.ndarray) -> tuple[set, list]:
    """Each signed text with the first and the previous text of every (band, key) bucket it
    is in; and every key's first and latest text over all bands."""
    pairs, ends = set(), {}
    for band in range(keys.shape[1]):
        seen: dict[int, list[int]] = {}
        for text in np.flatnonzero(signed).tolist():
            bucket = seen.setdefault(int(keys[text, band]), [])
            if bucket:
                pairs |= {(text, bucket[0]), (text, bucket[-1])}
            bucket.append(text)
        for key, texts in seen.items():
            first, last = ends.get(key, (texts[0], texts[-1]))
            ends[key] = (min(first, texts[0]), max(last, texts[-1]))
    return pairs, sorted((key, *ends[key]) for key in ends)


def test_candidate_pairs_and_bucket_rows_equal_a_plain_reading():
    found = sign(_texts(300, seed=7), 20)
    keys = band_keys(found)
    signed = found.shingles >= 20
    candidates, buckets = candidate_pairs(keys, signed)
    pairs, ends = _plain_candidates(keys, signed)
    assert candidates.tolist() == sorted(candidates.tolist())
    assert {(k >> 32, k & 0xFFFFFFFF) for k in candidates.tolist()} == pairs
    assert buckets.tolist() == [list(row) for row in ends]


def test_a_key_found_in_two_bands_is_one_bucket_with_its_first_and_latest_text():
    keys = np.array([[5, 1], [2, 5], [7, 8], [9, 7]], dtype=np.int64)
    candidates, buckets = candidate_pairs(keys, np.ones(4, dtype=bool))
    assert buckets.tolist() == [[1, 0, 0], [2, 1, 1], [5, 0, 1], [7, 2, 3], [8, 2, 2],
                                [9, 3, 3]]
    assert candidates.tolist() == []  # no band holds two texts under one key


def test_pairs_sharing_keep_exactly_the_pairs_a_full_comparison_keeps():
    found = sign(_texts(400, seed=11), 20)
    candidates, _ = candidate_pairs(band_keys(found), found.shingles >= 20)
    pairs = np.unique(np.stack([candidates >> 32, candidates & 0xFFFFFFFF], axis=1), axis=0)
    agree = pair_agreement(found.slots, pairs)
    assert agree.tolist() == agreement(found.slots[pairs[:, 0]], found.slots[pairs[:, 1]]).tolist()
    shared = agree / (1 + agree) * (found.shingles[pairs[:, 0]] + found.shingles[pairs[:, 1]])
    kept, kept_agree = pairs_sharing(found, candidates, 20)
    assert 0 < len(kept) < len(pairs)
    assert kept.tolist() == pairs[shared >= 20].tolist()
    assert kept_agree.tolist() == agree[shared >= 20].tolist()
