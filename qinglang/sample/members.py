"""Rows of a gang member: the planned complaints (template letters, call-centre records,
shared phones, office mailing addresses, reused forged proofs) and the calls that carry the
voice and phone signals (a gang voice speaking for several customers, forwarded reserved
numbers, failed identity checks, denied callbacks)."""

from __future__ import annotations

from .gangs import LABEL, MemberPlan
from .images import draw_document, variant


def member(act, c, m: MemberPlan, r) -> None:
    """Complaints and calls of customer c, who belongs to gang m.gang."""
    for day, channel, role, phone, kind, template, original, planted in m.complaints:
        _complaint(act, c, m, r, day, channel, role, phone, kind, template, original, planted)
    _calls(act, c, m, r)


def _complaint(act, c, m, r, day, channel, role, phone, kind, template, original, planted) -> None:
    g, comp = m.gang, act.composer
    slots = comp.slots(r, name=c.name, idmask=f"{c.id_number[:6]}********{c.id_number[-4:]}",
                       idtail=c.id_number[-4:], firm=g.firm, lawyer=r.choice(g.lawyers),
                       phone=act.spell(r, m.phone), relation=r.choice(("妻子", "丈夫", "哥哥", "母亲", "姐姐")),
                       hospital=c.district.city + r.choice(act.v.gangs["hospitals"]))
    if template is None:
        text = comp.record(r, g.kind, slots)
        if channel == "hotline":
            text = "来电记录：" + text
    else:
        text = comp.instance(r, template, slots, role, letter=channel == "letter")
        if channel == "hotline":
            text = "客户来电反映：" + text
    if kind == "reserved":
        number = act.spell(r, c.phone)
    else:
        number = act.spell(r, phone) if phone else ""
    mailing = g.office + m.room if channel == "letter" else ""
    email = m.email if channel in ("online", "letter", "regulator") else ""
    demands = ";".join(r.sample(act.v.gangs[g.kind]["demand_field"], r.randrange(2, 4))) \
        if channel in ("regulator", "hotline", "petition") else ""
    cid = act.next_complaint_id()
    files = ""
    if original is not None:
        oid, seed, img_kind = g.originals[original]
        img, quality = variant(draw_document(seed, img_kind, c.pinyin.upper()), r)
        files = act.attach(r, day, img, quality, cid, oid)
    act.complaint(r, c, cid, day, channel, number, email, mailing, role, text, demands, files,
                  (LABEL[g.kind], g.gid, template.tid if template else "", planted))


def _calls(act, c, m: MemberPlan, r) -> None:
    g, comp, voices = m.gang, act.composer, act.voices
    slots = comp.slots(r, name=c.name, firm=g.firm)
    vp, base = m.speaker
    span = range(max(0, g.start - 5), g.start + g.length)
    own_base = voices.base(r)
    own_vp = voices.vp_id(c.index)

    def speaker_call(number, direction, forwarded, role, check, text):
        act.call(r, c, r.choice(span), act.spell(r, number), direction, forwarded, vp, voices.sample(base, r),
                 check, None, role, text)

    text = comp.transcript(r, slots, "gang_in", g.kind, m.call_role)
    if m.background:
        text += r.choice(act.v.calls["background"])
    check = "fail" if m.id_fail else r.choice(("not_done", "not_done", "pass"))
    speaker_call(m.phone, "in", False, m.call_role, check, text)
    if m.burners:
        speaker_call(m.burners[0], "in", False, m.call_role, check, comp.transcript(r, slots, "gang_in", g.kind, m.call_role))
    if m.forwarded:
        speaker_call(c.phone, "out", True, "self", "fail", comp.transcript(r, slots, "forwarded"))
    if m.denied or m.agent_callback:
        key = "callback_denied" if m.denied else "callback_agent"
        act.call(r, c, r.choice(span), act.spell(r, c.phone), "out", False, own_vp, voices.sample(own_base, r),
                 "pass", m.denied, "self", comp.transcript(r, slots, key))
    if g.kind == "anti_collection_group":
        act.call(r, c, r.choice(span), act.spell(r, c.phone), "in", False, own_vp, voices.sample(own_base, r),
                 "pass", None, "self", comp.transcript(r, slots, "gang_self_in"))
    for _ in range(r.randrange(0, 3)):
        act.call(r, c, r.randrange(min(365, c.created_day)), act.spell(r, c.phone), "out", False, "", "",
                 "not_done", None, "", comp.transcript(r, slots, "genuine_out"))
