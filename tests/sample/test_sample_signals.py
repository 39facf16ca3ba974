"""The planted signals are really in the output, and the truth files agree with the data."""

from __future__ import annotations

import random
import re
import unicodedata
from collections import defaultdict

from PIL import Image


def _gang_ids(sample, kind: str) -> dict[str, set[str]]:
    out = {}
    for g in sample.truth["gangs"]:
        out[g["gang_id"]] = {i.split(":", 1)[1] for i in g["identifiers"].split(";") if i.startswith(kind + ":")}
    return out


def _members(sample) -> dict[str, str]:
    return {row["customer_id"]: row["gang_id"] for row in sample.truth["customers"] if row["gang_id"]}


def test_each_gang_phone_speaks_for_three_customers_with_other_reserved_phones(sample):
    reserved = {c["customer_id"]: sample.phone(c["reserved_phone"]) for c in sample.customers}
    users = defaultdict(set)
    for c in sample.complaints:
        if c["contact_phone"] and c["customer_id"]:
            number = sample.phone(c["contact_phone"])
            if number != reserved[c["customer_id"]]:
                users[number].add(c["customer_id"])
    members = _members(sample)
    for gid, phones in _gang_ids(sample, "phone").items():
        assert phones
        for phone in phones:
            customers = users[phone.removeprefix("+86")]
            assert len(customers) >= 3, (gid, phone)
            assert {members.get(c) for c in customers} == {gid}


def test_each_gang_voiceprint_speaks_for_three_customers(sample):
    speakers = defaultdict(set)
    for c in sample.calls:
        if c["voiceprint_id"]:
            speakers[c["voiceprint_id"]].add(c["customer_id"])
    for gid, vps in _gang_ids(sample, "voiceprint").items():
        assert vps
        for vp in vps:
            assert len(speakers[vp]) >= 3, (gid, vp)
    genuine_max = max(len(v) for k, v in speakers.items() if not any(k in s for s in _gang_ids(sample, "voiceprint").values()))
    assert genuine_max <= 1


def _grams(text: str) -> set[str]:
    text = re.sub(r"\s", "", text)
    return {text[i:i + 4] for i in range(len(text) - 3)}


def _jaccard(a: str, b: str) -> float:
    x, y = _grams(a), _grams(b)
    return len(x & y) / max(1, len(x | y))


def test_complaints_of_one_template_share_structure(sample):
    truth = sample.truth_by("complaints", "complaint_id")
    by_template = defaultdict(list)
    for c in sample.complaints:
        if truth[c["complaint_id"]]["template_id"]:
            by_template[truth[c["complaint_id"]]["template_id"]].append(c)
    assert len(by_template) >= 5
    within, across = [], []
    templates = sorted(by_template)
    for k, tid in enumerate(templates):
        rows = by_template[tid]
        pairs = [(a, b) for a, b in zip(rows, rows[1:]) if a["customer_id"] != b["customer_id"]]
        within += [_jaccard(a["text"], b["text"]) for a, b in pairs]
        other = by_template[templates[k - 1]]
        across += [_jaccard(a["text"], b["text"]) for a, b in zip(rows, other)]
        assert len({c["customer_id"] for c in rows}) >= 2 or len(rows) < 2
    assert sum(within) / len(within) > 0.35
    assert sum(within) / len(within) > 4 * sum(across) / len(across)
    assert min(within) > max(0.15, sorted(across)[len(across) // 2])


def test_planted_rules_are_backed_by_the_rows(sample):
    truth = sample.truth_by("complaints", "complaint_id")
    by_customer = defaultdict(list)
    for c in sample.complaints:
        by_customer[c["customer_id"]].append(c)
    calls = defaultdict(list)
    for c in sample.calls:
        calls[c["customer_id"]].append(c)
    checked = defaultdict(int)
    for c in sample.complaints:
        t = truth[c["complaint_id"]]
        rules = set(t["planted_rules"].split(";")) - {""}
        if t["label"] == "genuine":
            assert not rules and not t["gang_id"] and not t["template_id"]
            continue
        mine = by_customer[c["customer_id"]]
        if "4.7" in rules:
            days = sorted(sample.time(x["received_at"]) for x in mine)
            assert any((days[k + 3] - days[k]).days <= 31 for k in range(len(days) - 3))
        if "5.4" in rules:
            assert len({x["channel"] for x in mine}) >= 3
        if "2.6" in rules:
            assert any(sample.bool(x["callback_denied"]) for x in calls[c["customer_id"]])
        if "4.1" in rules:
            assert any(x["identity_check"] == "fail" for x in calls[c["customer_id"]])
        if "1.2" in rules:
            assert any(sample.bool(x["forwarded"]) or x["claimed_role"] == "self" for x in calls[c["customer_id"]])
        if "2.7" in rules:
            assert c["claimed_role"] in ("agent", "lawyer") or any(
                x["claimed_role"] in ("agent", "lawyer") or "委托" in x["transcript"] for x in calls[c["customer_id"]])
        if "5.1" in rules:
            assert c["attachments"]
        if "3.1" in rules:
            assert c["mailing_address"] or c["contact_email"]
        for rule in rules:
            checked[rule] += 1
    assert {"1.2", "1.5", "2.1", "2.3", "2.4", "2.5", "2.6", "2.7", "3.1", "3.2", "3.4", "4.1", "4.5",
            "4.6", "4.7", "4.8", "4.9", "5.1", "5.4"} <= set(checked)


def test_gang_letters_come_from_one_building(sample):
    truth = sample.truth_by("complaints", "complaint_id")
    buildings = defaultdict(set)
    for c in sample.complaints:
        gid = truth[c["complaint_id"]]["gang_id"]
        if gid and c["channel"] == "letter":
            buildings[gid].add(re.sub(r"([ABC]座)?\d+(层)?\d*室$", "", c["mailing_address"]))
    assert buildings
    assert all(len(b) == 1 for b in buildings.values())


def _ahash(path) -> list[bool]:
    img = Image.open(path).convert("L").resize((8, 8))
    pixels = [img.getpixel((x, y)) for y in range(8) for x in range(8)]
    mean = sum(pixels) / 64
    return [p > mean for p in pixels]


def test_forged_proofs_are_reused_across_customers_and_genuine_images_differ(sample):
    truth = sample.truth_by("complaints", "complaint_id")
    groups = defaultdict(list)
    for a in sample.truth["attachments"]:
        assert (sample.dir / "attachments" / a["file"]).is_file()
        groups[a["source_image"]].append(a)
    reused = {k: v for k, v in groups.items() if k and len({truth[a["complaint_id"]]["customer_id"] for a in v}) >= 3}
    assert reused
    genuine = [_ahash(sample.dir / "attachments" / a["file"]) for a in groups[""][:40]]
    distance = lambda a, b: sum(x != y for x, y in zip(a, b))  # noqa: E731
    for files in reused.values():
        hashes = [_ahash(sample.dir / "attachments" / a["file"]) for a in files[:10]]
        assert max(distance(hashes[0], h) for h in hashes) <= 16
    genuine_d = [distance(a, b) for a, b in zip(genuine, genuine[1:])]
    assert sum(genuine_d) / len(genuine_d) > 10
    assert len({(sample.dir / "attachments" / a["file"]).read_bytes() for a in next(iter(reused.values()))}) > 1


def _plain(text: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text))


def test_posts_truth_matches_the_texts(sample):
    truth = sample.truth_by("posts", "post_id")
    black = [p for p in sample.posts if truth[p["post_id"]]["is_black_gray"] == "1"]
    benign = [p for p in sample.posts if truth[p["post_id"]]["is_black_gray"] == "0"]
    assert black and benign
    assert {truth[p["post_id"]]["level"] for p in black} == {"1", "2"}
    assert all(truth[p["post_id"]]["level"] == "" and truth[p["post_id"]]["category"] == "" for p in benign)
    styles = {s for p in black for s in truth[p["post_id"]]["obfuscation"].split(";") if s}
    assert {"separator", "pinyin", "initials", "homophone", "traditional", "fullwidth"} <= styles
    for p in black:
        for contact in truth[p["post_id"]]["contacts"].split(";"):
            kind, value = contact.split(":", 1)
            text = unicodedata.normalize("NFKC", p["text"]).lower()
            if kind == "phone":
                assert value[3:] in _plain(p["text"])
            else:
                assert value in text, (contact, p["text"])
    warnings = [p["text"] for p in benign if re.search("反催收|征信修复|停息挂账|代理退保|债务优化", p["text"])]
    assert warnings, "benign posts use the same words as the ads"


def test_advertised_gang_phones_appear_in_posts(sample):
    truth = sample.truth_by("complaints", "complaint_id")
    post_contacts = {c for row in sample.truth["posts"] for c in row["contacts"].split(";")}
    for c in sample.complaints:
        if "2.8" in truth[c["complaint_id"]]["planted_rules"].split(";"):
            assert "phone:+86" + sample.phone(c["contact_phone"]) in post_contacts


def test_companies_truth_names_squatters_and_gang_firms(sample):
    truth = sample.truth_by("companies", "credit_code")
    names = {c["credit_code"]: c["name"] for c in sample.companies}
    squatters = [code for code, t in truth.items() if t["squats_brand"]]
    assert squatters and all(truth[c]["squats_brand"] in names[c] for c in squatters)
    gang_firms = {code for code, t in truth.items() if t["gang_id"]}
    gang_codes = {v for ids in _gang_ids(sample, "company").values() for v in ids}
    assert gang_firms and gang_firms == gang_codes
    intel = {i["indicator"] for i in sample.intelligence}
    handles = {v.removeprefix("+86") for kind in ("phone", "wechat", "company") for ids in _gang_ids(sample, kind).values() for v in ids}
    assert intel & handles and intel - {"+86" + h for h in handles} - handles


def test_genuine_complaints_are_varied_like_real_ones(sample):
    """Real customers with the same problem rarely write near-identical texts, and some write a
    line while others write a long account: so must the sample's genuine customers, or a
    template detector tuned on it learns to ignore short texts."""
    truth = sample.truth_by("complaints", "complaint_id")
    genuine = [c for c in sample.complaints if truth[c["complaint_id"]]["label"] == "genuine"]
    lengths = sorted(len(c["text"]) for c in genuine)
    assert lengths[len(lengths) // 10] < 80 and lengths[len(lengths) * 9 // 10] > 150
    assert lengths[-1] > 250
    assert len({c["text"] for c in genuine}) == len(genuine)
    grams = [_grams(c["text"]) for c in genuine]
    probes = random.Random(5).sample(range(len(genuine)), min(300, len(genuine)))
    close = sum(len(grams[a] & grams[b]) / len(grams[a] | grams[b]) >= 0.5
                for a in probes for b in range(len(genuine))
                if genuine[a]["customer_id"] != genuine[b]["customer_id"])
    assert close <= 2, f"{close} near-identical pairs of genuine complaints"
