"""Labelled texts for training and evaluation: the FBS SMS corpus and sample-generator posts.

FBS SMS (../shared/data/fbs_sms, read in place, never copied; cite Zhang et al., "Lies in the
Air: Characterizing Fake-base-station Spam Ecosystem in China", CCS 2020) is word-segmented
and anonymised: the spaces are removed and every placeholder is rendered into a realistic
value (a valid mobile number, a link, a WeChat id…) chosen by a generator seeded with the
message itself, so the same file always gives the same texts and the contacts they carry.

A fifth of the messages is held out, chosen by a hash of the message's opening (placeholders
and digits removed), so that variants of one campaign, which share their opening, stay on one
side; nothing is tuned on that part. The same key groups the training texts into campaigns
for cross-validation (training.py), so that no fold is judged on variants of what it was
trained on.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from qinglang.errors import InputError

FINANCIAL = {
    "AD:Loan": "loan_intermediary",
    "FR:Phishing(Bank)": "bank_impersonation",
    "IL:Fake_ID_and_invoice": "fake_documents",
    "FR:Financial": "investment_fraud",
}
"""FBS labels that are financial black/gray activity, and the category each stands for."""

HELD_OUT_SHARE = 5  # one in five
CAMPAIGN_KEY_CHARS = 12
_PLACEHOLDER = re.compile(r"CELLPHONE|HOTLINE|PHONE|URL|NAME|PLACE|DIGIT|WECHAT|QQ")
_NOT_KEY = re.compile(r"[\sA-Z0-9]+")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
_PLACES = ("北京", "上海", "广州", "深圳", "成都", "杭州", "武汉", "西安", "南京", "重庆", "长沙")
_HOSTS = ("abc", "icbc-vip", "xyk", "dai", "jf", "fuwu", "kefu", "hd", "bank", "cx")
_TLDS = ("com", "cn", "net", "top", "cc", "vip", "xyz")


@dataclass(frozen=True)
class LabelledText:
    text: str
    is_black_gray: bool
    category: str | None
    source: str                      # "fbs_sms" or "sample"
    contacts: tuple[str, ...] = field(default=())   # indicators rendered into the text
    campaign: str = ""                               # campaign_key; "" when unknown


def fbs_messages(path: Path) -> list[tuple[str, str]]:
    """(label, message with placeholders) of a train.tsv, spaces removed."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    rows = []
    with path.open(encoding="utf-8") as handle:
        next(handle, None)
        for line in handle:
            label, _, text = line.rstrip("\n").partition("\t")
            if text:
                rows.append((label, text.replace(" ", "")))
    return rows


def campaign_key(message: str) -> str:
    """The opening of a message, placeholders, digits and Latin capitals removed: variants of
    one campaign share it."""
    return _NOT_KEY.sub("", message)[:CAMPAIGN_KEY_CHARS]


def is_held_out(message: str) -> bool:
    key = campaign_key(message)
    return hashlib.sha256(key.encode("utf-8")).digest()[0] % HELD_OUT_SHARE == 0


def fbs_corpus(path: Path, held_out: bool) -> list[LabelledText]:
    """The tuning part (held_out=False) or the held-out part of FBS SMS, rendered."""
    out = []
    for label, message in fbs_messages(path):
        if is_held_out(message) != held_out:
            continue
        text, contacts = render(message)
        out.append(LabelledText(text, label in FINANCIAL, FINANCIAL.get(label), "fbs_sms",
                                tuple(contacts), campaign_key(message)))
    return out


def render(message: str) -> tuple[str, list[str]]:
    """The message with each placeholder replaced, and the indicators it now carries."""
    rng = random.Random(hashlib.sha256(message.encode("utf-8")).hexdigest())
    contacts: list[str] = []

    def value(match: re.Match) -> str:
        text, indicator = _render_one(match.group(), rng)
        if indicator:
            contacts.append(indicator)
        return text

    return _PLACEHOLDER.sub(value, message), list(dict.fromkeys(contacts))


def _render_one(kind: str, rng: random.Random) -> tuple[str, str | None]:
    if kind == "CELLPHONE":
        number = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        return number, f"phone:+86{number}"
    if kind in ("PHONE", "HOTLINE"):
        number = f"400{rng.randrange(2, 10)}{rng.randrange(10**6):06d}"
        return f"{number[:3]}-{number[3:6]}-{number[6:]}", f"phone:+86{number}"
    if kind == "URL":
        host = f"{rng.choice(_HOSTS)}{rng.randrange(10, 999)}.{rng.choice(_TLDS)}"
        return f"{rng.choice(('http://', 'https://', 'www.', ''))}{host}/{rng.randrange(10**4)}", \
            f"domain:{host}"
    if kind == "WECHAT":
        handle = f"{rng.choice('abcdefghjkmnpqrstwxyz')}{rng.choice(_HOSTS).replace('-', '')}" \
                 f"{rng.randrange(1000, 99999)}"
        return f"微信{handle}", f"wechat:{handle}"
    if kind == "QQ":
        number = str(rng.randrange(10**5, 3 * 10**9))
        return f"QQ{number}", f"qq:{number}"
    if kind == "NAME":
        return rng.choice(_SURNAMES) + rng.choice(_GIVEN), None
    if kind == "PLACE":
        return rng.choice(_PLACES), None
    return str(rng.randrange(1, 10 ** rng.randrange(1, 5))), None


def sample_posts(folder: Path) -> list[LabelledText]:
    """Posts of a `qinglang sample` folder with their truth (truth/posts.csv)."""
    posts, truth = folder / "posts.jsonl", folder / "truth" / "posts.csv"
    if not posts.is_file() or not truth.is_file():
        raise InputError(f"{folder}: not a sample folder (posts.jsonl and truth/posts.csv)")
    with truth.open(encoding="utf-8-sig", newline="") as handle:
        labels = {row["post_id"]: row for row in csv.DictReader(handle)}
    out = []
    with posts.open(encoding="utf-8") as handle:
        for line in handle:
            post = json.loads(line)
            row = labels[post["post_id"]]
            out.append(LabelledText(
                post["text"], row["is_black_gray"] == "1", row["category"] or None, "sample",
                tuple(c for c in row["contacts"].split(";") if c), campaign_key(post["text"])))
    return out
