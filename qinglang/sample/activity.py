"""Rows of one customer's complaints and calls: the shared writing machinery (ids, spellings,
attachments, voices) and the activity of genuine customers, who are the large majority and
include the hard negatives: fee and collection grievances, repeat complaints about an
unresolved issue, family members of elderly customers, second phones, shared switchboards."""

from __future__ import annotations

from .clock import spell_bool
from .ids import FAMILY, SECOND, spell_mobile
from .images import draw_genuine, save
from .vocab import Weighted
from .voice import FAMILY as FAMILY_VOICE

GENUINE_CHANNELS = Weighted(("hotline", "online", "regulator", "letter", "petition", "police", "other"),
                            (36, 22, 24, 5, 2, 1, 10))
COMPLAINT_COUNTS = Weighted((0, 1, 2, 3, 4, 5), (42, 38, 13, 4, 2, 1))
CALL_COUNTS = Weighted((0, 1, 2, 3, 4, 5), (15, 30, 25, 15, 10, 5))
HANDLER_IDS = 60


class Activity:
    """Writes complaints, letters, calls, attachments and their truth rows; numbers them."""

    def __init__(self, out, composer, clock, people, voices, vocab, r, genuine_image_p: float, genuine_image_cap: int):
        self.out, self.composer, self.clock, self.people, self.voices, self.v = \
            out, composer, clock, people, voices, vocab
        self.genuine_image_p, self.genuine_image_cap = genuine_image_p, genuine_image_cap
        self.n_complaints = self.n_calls = self.n_images = self.n_genuine_images = 0
        self.handlers = [f"{people.name(r, r.randrange(2))[0]}(K{r.randrange(1000, 9999)})" for _ in range(HANDLER_IDS)]

    # numbering and spelling ----------------------------------------------------------
    def stamp(self, r, day: int) -> str:
        """A time on `day`, mostly in office hours, in a random spelling."""
        return self.clock.stamp(day, self.clock.office_second(r), r.random())

    def next_complaint_id(self) -> str:
        self.n_complaints += 1
        return f"TS{self.n_complaints:08d}"

    def complaint(self, r, c, cid, day, channel, phone, email, mailing, role, text, demands, files,
                  truth: tuple[str, str, str, str], known: bool = True) -> None:
        """Write one complaint (letters to the GB18030 file) and its truth row; an unknown
        customer leaves customer_id empty in the data (the truth keeps it)."""
        row = (cid, c.cid if known else "", self.stamp(r, day), channel, phone, email, mailing, role, text, demands, files,
               r.choice(self.handlers))
        self.out.row("letters" if channel == "letter" else "complaints", row)
        self.out.row("truth_complaints", (cid, c.cid, *truth))

    def call(self, r, c, day, number, direction, forwarded, vp, vector, check, denied, role, transcript) -> None:
        """Write one call; `denied` None leaves callback_denied empty."""
        self.n_calls += 1
        x = r.random()
        row = (f"CL{self.n_calls:09d}", c.cid, self.clock.stamp(day, r.randrange(8 * 3600, 21 * 3600), r.random(), 0.3, 0.1),
               number, direction, spell_bool(forwarded, x), vp, vector, check,
               "" if denied is None else spell_bool(denied, x), role, transcript, str(r.randrange(15, 900)))
        self.out.row("calls", row)

    def attach(self, r, day: int, img, quality, complaint_id: str, source: str) -> str:
        """Save an image delivered with complaint `complaint_id`; returns its file name."""
        self.n_images += 1
        n, stamp = self.n_images, self.clock.compact[day]
        x = r.random()
        ext = "png" if quality is None else "jpg"
        if x < 0.35:
            name = f"微信图片_{stamp}{r.randrange(100000, 240000)}_{n}.{ext}"
        elif x < 0.6:
            name = f"IMG_{stamp}_{n:05d}.{ext}"
        elif x < 0.8:
            name = f"mmexport{1600000000000 + n * 7919}.{ext}"
        else:
            name = f"扫描件_{n}.{ext}"
        save(img, self.out.attachments / name, quality)
        self.out.row("truth_attachments", (name, complaint_id, source))
        return name

    def spell(self, r, number: str) -> str:
        """A mobile number in a random real-world spelling."""
        return spell_mobile(number, r.random())

    # genuine customers ------------------------------------------------------------------
    def genuine(self, c, r) -> None:
        """Complaints and calls of a genuine customer."""
        n = COMPLAINT_COUNTS.pick(r)
        horizon = min(365, c.created_day - 1)
        if n:
            self._genuine_complaints(c, r, n, horizon)
        voices: dict[int, list[float]] = {}
        for _ in range(CALL_COUNTS.pick(r)):
            self._genuine_call(c, r, horizon, voices)

    def _category(self, c, r) -> str:
        cat = self.v.categories.pick(r)
        return cat if cat != "elderly" or c.age >= 62 else "fee"

    def _genuine_complaints(self, c, r, n: int, horizon: int) -> None:
        cat = self._category(c, r)
        day = r.randrange(horizon)
        burst = n >= 4 and r.random() < 0.6        # an unresolved issue, complained about again and again
        for k in range(n):
            if k:
                if r.random() < 0.3 and not burst:
                    cat = self._category(c, r)
                day = max(0, day - (r.randrange(1, 8) if burst else r.randrange(3, 60)))
            family = self.v.genuine["categories"][cat].get("family", False)
            channel = GENUINE_CHANNELS.pick(r)
            slots = self.composer.slots(r, name=c.name)
            text, demands = self.composer.genuine(r, cat, slots, repeat=k > 0 and r.random() < 0.7,
                                                  family=family and r.random() < 0.6)
            text = self._channel_prefix(r, channel, text)
            phone, role = self._genuine_contact(c, r, family)
            email = c.email if c.email and channel in ("online", "letter") and r.random() < 0.5 else ""
            mailing = c.address if channel == "letter" else ""
            cid = self.next_complaint_id()
            files = ""
            if self.n_genuine_images < self.genuine_image_cap and r.random() < self.genuine_image_p:
                self.n_genuine_images += 1
                img = draw_genuine(r.randrange(2**31))
                files = self.attach(r, day, img, None if r.random() < 0.5 else r.randrange(70, 95), cid, "")
            known = channel not in ("regulator", "online") or r.random() > 0.02
            self.complaint(r, c, cid, day, channel, phone, email, mailing, role, text, demands, files,
                           ("genuine", "", "", ""), known)

    def _channel_prefix(self, r, channel: str, text: str) -> str:
        g = self.v.genuine
        if channel == "hotline" and r.random() < 0.6:
            return r.choice(g["hotline_prefixes"]) + text
        if channel == "regulator" and r.random() < 0.5:
            return r.choice(g["regulator_prefixes"]) + text
        return text

    def _genuine_contact(self, c, r, family: bool) -> tuple[str, str]:
        if family:
            return self.spell(r, self.people.phones.mobile(FAMILY + c.index)), "family"
        x = r.random()
        role = "self" if r.random() < 0.88 else ("unknown" if r.random() < 0.85 else "")
        if x < 0.74:
            return self.spell(r, c.phone), role
        if x < 0.83:
            return self.spell(r, self.people.phones.mobile(SECOND + c.index)), role
        if x < 0.85:
            return r.choice(self.people.switchboards), role
        return "", role

    def _genuine_call(self, c, r, horizon: int, voices: dict) -> None:
        day, comp = r.randrange(max(1, horizon)), self.composer
        if r.random() < 0.55:
            x = r.random()
            if x < 0.06 and c.age >= 62:
                number, role, key, speaker = self.people.phones.mobile(FAMILY + c.index), "family", "family_in", FAMILY_VOICE + c.index
            elif x < 0.14:
                number, role, key, speaker = self.people.phones.mobile(SECOND + c.index), "self", "second_phone_in", c.index
            else:
                number, role, key, speaker = c.phone, "self", "genuine_in", c.index
            number = r.choice(self.people.switchboards) if 0.14 <= x < 0.16 else self.spell(r, number)
            y = r.random()
            check = "pass" if y < 0.8 else "not_done" if y < 0.94 else "fail"
            with_vp = r.random() < 0.75
            direction, forwarded, denied = "in", False, None
        else:
            number, role, key, speaker = self.spell(r, c.phone), "self" if r.random() < 0.7 else "", "genuine_out", c.index
            check = "pass" if r.random() < 0.6 else "not_done"
            with_vp = r.random() < 0.35
            direction, forwarded, denied = "out", r.random() < 0.01, (False if r.random() < 0.3 else None)
        vp = vector = ""
        if with_vp:
            base = voices.get(speaker) or voices.setdefault(speaker, self.voices.base(r))
            vp, vector = self.voices.vp_id(speaker), self.voices.sample(base, r)
        self.call(r, c, day, number, direction, forwarded, vp, vector, check, denied, role,
                  comp.transcript(r, comp.slots(r, name=c.name), key))
