"""The referral report's content (报案材料), worked out once from the case and its evidence and
then set as HTML and as PDF.

Everything comes from the case's stored evidence snapshots and its event log — never from the
live records — so the same case gives the same report however the store changed since. Export
events are left out, and the report is dated by the case's last other event, so exporting
twice gives the same bytes. Personal numbers and handles are masked unless asked otherwise.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime

from qinglang.disposal.amounts import AmountTotal, amounts_in, totals
from qinglang.disposal.diagram import KIND_LABELS_ZH, Diagram, layout
from qinglang.model.case import (
    EVENT_LABELS_ZH, EVIDENCE_LABELS_ZH, CaseStatus, EventKind, EvidenceKind,
)
from qinglang.model.values.masking import FULLY_MASKED, mask_email, mask_phone
from qinglang.cases.view import CaseView

CHANNELS_ZH = {"regulator": "监管转办", "hotline": "热线", "letter": "信函", "petition": "信访",
               "police": "公安", "online": "网络平台", "other": "其他"}
SOURCES_ZH = {"gang": "团伙", "complaints": "投诉", "customers": "客户", "posts": "网络内容"}
PHONE_IN_TEXT = re.compile(r"\+?86\d{9,11}|\b1[3-9]\d{9}\b")
IDENTIFIER_KINDS = set(KIND_LABELS_ZH)


@dataclass(frozen=True)
class Identifier:
    kind: str
    shown: str
    customers: frozenset[str]
    records: int
    first_seen: str
    last_seen: str


@dataclass
class Report:
    case_id: int
    title: str
    dated: datetime
    masked: bool
    summary: list[tuple[str, str]]
    timeline: list[tuple[str, str]]
    diagram: Diagram
    rules: list[tuple[str, str, int, list[str]]]
    identifiers: list[Identifier]
    amounts: list[AmountTotal]
    evidence: list[dict]
    notes: list[str] = field(default_factory=list)


def mask_handle(value: str) -> str:
    """'tin***' for a WeChat id, QQ number or account: the first three characters stay."""
    return value[:3] + "***" if len(value) > 3 else FULLY_MASKED


def shown_value(kind: str, value: str, masked: bool) -> str:
    if not masked or kind in ("domain", "company", "voiceprint"):
        return value
    if kind == "phone":
        return mask_phone(value)
    if kind == "email":
        return mask_email(value)
    if kind == "address":  # "adcode:street…" as the gang engine keys it: the district stays
        return value.split(":", 1)[0] + "****"
    return mask_handle(value)


def build_report(view: CaseView, masked: bool = True) -> Report:
    case = view.case
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for item in view.evidence:
        by_kind[item["kind"]].append(item["content"])
    identifiers = _identifiers(by_kind, masked)
    events = [e for e in view.events if e["kind"] != EventKind.EXPORTED]
    dated = max(e["at"] for e in events) if events else case["opened_at"]
    centre = case["gang_id"] or f"案件{case['case_id']}"
    diagram = layout(centre, [(f"{i.kind}:{i.shown}", f"{KIND_LABELS_ZH[i.kind]} {i.shown}",
                               i.customers) for i in identifiers])
    return Report(
        case_id=case["case_id"], title=case["title"], dated=dated, masked=masked,
        summary=_summary(case, by_kind, identifiers, len(view.evidence)),
        timeline=_timeline(events, by_kind), diagram=diagram,
        rules=_rules(by_kind[EvidenceKind.RULE_HIT], masked), identifiers=identifiers,
        amounts=totals(_amounts(by_kind)), evidence=view.evidence)


def _summary(case: dict, by_kind: dict, identifiers: list[Identifier],
             evidence: int) -> list[tuple[str, str]]:
    complaints = by_kind[EvidenceKind.COMPLAINT]
    received = sorted(c["received_at"] for c in complaints if c.get("received_at"))
    channels = Counter(c.get("channel") for c in complaints)
    lines = [
        ("案件编号", str(case["case_id"])), ("案件名称", case["title"]),
        ("状态", CaseStatus(case["status"]).label_zh),
        ("立案依据", f"{SOURCES_ZH[case['source']]}：{'、'.join(case['source_ids'][:8])}"
                     + (" 等" if len(case["source_ids"]) > 8 else "")),
        ("立案人", case["opened_by"]), ("承办人", case["assignee"] or "未指派"),
        ("立案时间", _day(case["opened_at"])),
        ("涉及客户", f"{len(by_kind[EvidenceKind.CUSTOMER])} 人"),
        ("投诉", f"{len(complaints)} 件" + (f"（{received[0][:10]} 至 {received[-1][:10]}）"
                                             if received else "")),
        ("投诉渠道", "，".join(f"{CHANNELS_ZH.get(k, k)} {v}" for k, v in sorted(
            channels.items(), key=lambda kv: (-kv[1], str(kv[0])))) or "无"),
        ("通话记录", f"{len(by_kind[EvidenceKind.CALL])} 通"),
        ("网络内容", f"{len(by_kind[EvidenceKind.POST])} 条"),
        ("共用号码/账号", f"{sum(1 for i in identifiers if len(i.customers) > 1)} 个"
                        f"（涉及号码/账号共 {len(identifiers)} 个）"),
        ("证据", f"{evidence} 项"),
    ]
    for gang in by_kind[EvidenceKind.GANG]:
        info = gang["gang"]
        lines.insert(4, ("团伙", f"{info.get('gang_id')}（类型 {info.get('kind')}，评分 "
                                 f"{info.get('score')}）"))
    return lines


def _day(value) -> str:
    return value.isoformat(" ", "minutes") if isinstance(value, datetime) else str(value)[:16]


def _timeline(events: list[dict], by_kind: dict) -> list[tuple[str, str]]:
    """Case events in their order, complaints by month, posts by time; oldest first."""
    lines = [(e["at"].isoformat(), f"{EVENT_LABELS_ZH[EventKind(e['kind'])]}：{_event_text(e)}")
             for e in events]
    months: dict[str, Counter] = defaultdict(Counter)
    for complaint in by_kind[EvidenceKind.COMPLAINT]:
        if complaint.get("received_at"):
            months[complaint["received_at"][:7]][complaint.get("channel")] += 1
    for month, channels in months.items():
        detail = "，".join(f"{CHANNELS_ZH.get(k, k)} {v}" for k, v in sorted(channels.items(),
                                                                            key=str))
        lines.append((month, f"收到投诉 {sum(channels.values())} 件（{detail}）"))
    for post in by_kind[EvidenceKind.POST]:
        if post.get("published_at"):
            lines.append((post["published_at"],
                          f"{post.get('platform')} 发布内容 {post['post_id']}"))
    order = sorted(range(len(lines)), key=lambda i: (lines[i][0], i))  # stable within a time
    return [(lines[i][0][:16].replace("T", " "), lines[i][1]) for i in order]


def _event_text(event: dict) -> str:
    detail = event["detail"]
    kind = EventKind(event["kind"])
    if kind is EventKind.STATUS_CHANGED:
        text = (f"{CaseStatus(detail['from']).label_zh} → {CaseStatus(detail['to']).label_zh}")
        return text + (f"（{detail['reason']}）" if detail.get("reason") else "")
    if kind is EventKind.OPENED:
        return f"{detail.get('title')}，证据 {detail.get('evidence')} 项（{event['actor']}）"
    if kind is EventKind.COMMENT:
        return f"{detail.get('text')}（{event['actor']}）"
    if kind is EventKind.ASSIGNED:
        return f"承办人 {detail.get('assignee')}"
    if kind is EventKind.EVIDENCE_ADDED:
        return f"{detail.get('count')} 项（{event['actor']}）"
    return detail.get("reason") or event["actor"]


def _identifiers(by_kind: dict, masked: bool) -> list[Identifier]:
    """Numbers, handles and addresses the complaints, calls, posts and gang point at; a
    customer's own reserved number is not among them."""
    reserved = {c["customer_id"]: c.get("reserved_phone") for c in by_kind[EvidenceKind.CUSTOMER]}
    uses: dict[tuple[str, str], list[tuple[str | None, str]]] = defaultdict(list)
    named: set[tuple[str, str]] = set()  # found by a detector in a post or a gang: always kept

    def use(kind: str, value, customer: str | None, when) -> None:
        if value and (kind != "phone" or reserved.get(customer) != value):
            uses[(kind, str(value))].append((customer, str(when or "")[:10]))
            if customer is None:
                named.add((kind, str(value)))

    for c in by_kind[EvidenceKind.COMPLAINT]:
        use("phone", c.get("contact_phone"), c.get("customer_id"), c.get("received_at"))
        use("email", c.get("contact_email"), c.get("customer_id"), c.get("received_at"))
    for c in by_kind[EvidenceKind.CALL]:
        use("phone", c.get("caller_number"), c.get("customer_id"), c.get("started_at"))
        use("voiceprint", c.get("voiceprint_id"), c.get("customer_id"), c.get("started_at"))
    for post in by_kind[EvidenceKind.POST]:
        for contact in (post.get("scan") or {}).get("contacts", []):
            kind, value = _contact(contact)
            if kind in IDENTIFIER_KINDS:
                use(kind, value, None, post.get("published_at"))
    for gang in by_kind[EvidenceKind.GANG]:
        for member in gang["members"]:
            if member["member_type"] in IDENTIFIER_KINDS:
                use(member["member_type"], member["member_key"], None, "")
    found = []
    for (kind, value), seen in uses.items():
        customers = frozenset(c for c, _ in seen if c)
        days = sorted(d for _, d in seen if d)
        if len(customers) > 1 or (kind, value) in named:
            found.append(Identifier(kind, shown_value(kind, value, masked), customers,
                                    len(seen), days[0] if days else "", days[-1] if days else ""))
    found.sort(key=lambda i: (-len(i.customers), -i.records, i.kind, i.shown))
    return _numbered_when_alike(found)


def _numbered_when_alike(identifiers: list[Identifier]) -> list[Identifier]:
    """Masking can make two identifiers look the same: number them so they stay apart."""
    alike = Counter((i.kind, i.shown) for i in identifiers)
    seen: Counter = Counter()
    numbered = []
    for i in identifiers:
        if alike[(i.kind, i.shown)] > 1:
            seen[(i.kind, i.shown)] += 1
            i = replace(i, shown=f"{i.shown} #{seen[(i.kind, i.shown)]}")
        numbered.append(i)
    return numbered


def _contact(contact: dict) -> tuple[str, str]:
    """A row of the content engine's `post_contacts`."""
    return contact["indicator_type"], contact["indicator_value"]


def _rules(hits: list[dict], masked: bool) -> list[tuple[str, str, int, list[str]]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for hit in hits:
        grouped[hit["rule_id"]].append(hit)
    lines = []
    for rule_id in sorted(grouped, key=lambda r: tuple(int(p) for p in r.split("."))):
        found = grouped[rule_id]
        examples = sorted({_evidence_text(h["evidence"], masked) for h in found})[:3]
        lines.append((rule_id, found[0]["rule_title"], len(found), examples))
    return lines


def _evidence_text(evidence: dict, masked: bool) -> str:
    """'number +86 130****9405; customers 15' — counts in brackets, lists joined."""
    parts = []
    for key, value in sorted(evidence.items()):
        if isinstance(value, dict):
            value = "、".join(f"{k}（{v}）" for k, v in sorted(value.items()))
        elif isinstance(value, list):
            value = "、".join(map(str, value))
        parts.append(f"{key} {value}")
    text = "；".join(parts)
    return PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group()), text) if masked else text


def _amounts(by_kind: dict) -> list:
    found = []
    for c in by_kind[EvidenceKind.COMPLAINT]:
        found += amounts_in(c.get("text") or "", c["complaint_id"])
    for c in by_kind[EvidenceKind.CALL]:
        found += amounts_in(c.get("transcript") or "", c["call_id"])
    for p in by_kind[EvidenceKind.POST]:
        found += amounts_in(p.get("text") or "", p["post_id"])
    return found


def evidence_label(kind: str) -> str:
    return EVIDENCE_LABELS_ZH[EvidenceKind(kind)]
