"""Cases (案件): what an investigator works, from first clue to referral or take-down.

The allowed moves of a case are a property of its status, so no caller can skip a step:
new → investigating → referred / taken_down → closed, and dismissal (with a reason) from any
open state.
"""

from __future__ import annotations

from enum import StrEnum

from qinglang.errors import QinglangError


class InvalidTransition(QinglangError):
    """A status change that the case's current status does not allow."""

    http_status = 409
    code = "invalid_transition"


class CaseStatus(StrEnum):
    NEW = "new"
    INVESTIGATING = "investigating"
    REFERRED = "referred"
    TAKEN_DOWN = "taken_down"
    CLOSED = "closed"
    DISMISSED = "dismissed"

    @property
    def label_zh(self) -> str:
        return _LABELS_ZH[self]

    @property
    def allowed_next(self) -> frozenset[CaseStatus]:
        return _ALLOWED[self]

    @property
    def is_open(self) -> bool:
        return bool(self.allowed_next)

    @classmethod
    def parse(cls, value: CaseStatus | str) -> CaseStatus:
        try:
            return cls(value)
        except ValueError:
            known = ", ".join(s.value for s in cls)
            raise InvalidTransition(f"unknown case status {value!r}; one of {known}") from None

    def transition_to(self, new: CaseStatus | str, reason: str | None = None) -> CaseStatus:
        """The new status if this one may move to it; a dismissal must say why."""
        target = CaseStatus.parse(new)
        if target not in self.allowed_next:
            allowed = ", ".join(sorted(s.value for s in self.allowed_next)) or "none (final)"
            raise InvalidTransition(f"a case that is {self.value} cannot become {target.value};"
                                    f" allowed: {allowed}")
        if target in _NEEDS_REASON and not (reason and reason.strip()):
            raise InvalidTransition(f"a case can only become {target.value} with a reason")
        return target


_LABELS_ZH = {
    CaseStatus.NEW: "新建", CaseStatus.INVESTIGATING: "调查中", CaseStatus.REFERRED: "已报案",
    CaseStatus.TAKEN_DOWN: "已下架", CaseStatus.CLOSED: "已结案", CaseStatus.DISMISSED: "已驳回",
}
_ALLOWED: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.NEW: frozenset({CaseStatus.INVESTIGATING, CaseStatus.DISMISSED}),
    CaseStatus.INVESTIGATING: frozenset({CaseStatus.REFERRED, CaseStatus.TAKEN_DOWN,
                                         CaseStatus.DISMISSED}),
    CaseStatus.REFERRED: frozenset({CaseStatus.CLOSED}),
    CaseStatus.TAKEN_DOWN: frozenset({CaseStatus.REFERRED, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
    CaseStatus.DISMISSED: frozenset(),
}
_NEEDS_REASON = frozenset({CaseStatus.DISMISSED})


class EventKind(StrEnum):
    """What can happen to a case; its event log only ever grows."""

    OPENED = "opened"
    ASSIGNED = "assigned"
    EVIDENCE_ADDED = "evidence_added"
    COMMENT = "comment"
    STATUS_CHANGED = "status_changed"
    REFERRED = "referred"
    TAKEN_DOWN = "taken_down"
    EXPORTED = "exported"


EVENT_LABELS_ZH = {
    EventKind.OPENED: "立案", EventKind.ASSIGNED: "指派", EventKind.EVIDENCE_ADDED: "补充证据",
    EventKind.COMMENT: "备注", EventKind.STATUS_CHANGED: "状态变更", EventKind.REFERRED: "报案",
    EventKind.TAKEN_DOWN: "下架", EventKind.EXPORTED: "导出材料",
}
# The status whose reaching is also recorded as an event of its own kind.
EVENT_FOR_STATUS = {CaseStatus.REFERRED: EventKind.REFERRED,
                    CaseStatus.TAKEN_DOWN: EventKind.TAKEN_DOWN}


class CaseSource(StrEnum):
    """What a case was opened from."""

    GANG = "gang"
    COMPLAINTS = "complaints"
    CUSTOMERS = "customers"
    POSTS = "posts"
    AGENT = "agent"  # one identifier's agent profile: the customers it acts for


class EvidenceKind(StrEnum):
    COMPLAINT = "complaint"
    CALL = "call"
    POST = "post"
    CUSTOMER = "customer"
    ATTACHMENT = "attachment"
    RULE_HIT = "rule_hit"
    GANG = "gang"
    MANUAL = "manual"


EVIDENCE_LABELS_ZH = {
    EvidenceKind.COMPLAINT: "投诉", EvidenceKind.CALL: "通话", EvidenceKind.POST: "网络内容",
    EvidenceKind.CUSTOMER: "客户", EvidenceKind.ATTACHMENT: "附件",
    EvidenceKind.RULE_HIT: "规则命中", EvidenceKind.GANG: "团伙", EvidenceKind.MANUAL: "人工发现",
}
