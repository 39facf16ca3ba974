"""Customers of the sample institution: names, id numbers, reserved phones, addresses, e-mail
addresses, and the office buildings and switchboards that unrelated people happen to share."""

from __future__ import annotations

from datetime import date

from .clock import HISTORY_DAYS
from .ids import RESERVED, IdBook, PhoneBook, landline, service_number
from .vocab import District, Vocab


class Customer:
    """One customer as the generator knows it while writing its rows."""

    __slots__ = ("index", "cid", "name", "pinyin", "sex", "age", "id_number", "phone",
                 "district", "address", "email", "created_day")


class People:
    """Draws customers and addresses; customer i's id number and phone depend on i only."""

    def __init__(self, r, v: Vocab, clock, n_customers: int):
        self.v, self.clock = v, clock
        self.phones = PhoneBook(r)
        ref = clock.ref
        first = date(ref.year - 66, 1, 1).toordinal()
        self.ids = IdBook(r, v.districts, v.slots, first, date(ref.year - 20, 12, 31).toordinal() - first + 1)
        self.ref_year = ref.year
        n_shared = 3 + n_customers // 4000
        self.office_buildings = [(d, self.building(r, d)) for d in (self.district(r) for _ in range(n_shared))]
        self.switchboards = [landline(r) if k % 3 else service_number(r) for k in range(n_shared)]

    def district(self, r) -> District:
        """A population-weighted district."""
        return self.v.districts[r.choice(self.v.slots)[0]]

    def name(self, r, sex: int) -> tuple[str, str]:
        """(name, pinyin) of a person of the given sex."""
        surname, spy = self.v.surnames.pick(r)
        g = self.v.given[sex]
        a = r.choice(g)
        if r.random() < 0.72:
            b = r.choice(g)
            return surname + a[0] + b[0], spy + a[1] + b[1]
        return surname + a[0], spy + a[1]

    def building(self, r, d: District) -> str:
        """An office building: district, street, building name (without floor and room)."""
        n = self.v.names
        return (f"{d.prefix}{r.choice(n['street_roots'])}{r.choice(n['street_kinds'])}{r.randrange(1, 400)}号"
                f"{r.choice(n['building_heads'])}{r.choice(n['building_tails'])}")

    def room(self, r) -> str:
        """Floor and room in an office building."""
        return f"{r.choice('ABC')}座{r.randrange(3, 40)}{r.randrange(1, 30):02d}室" if r.random() < 0.5 else \
            f"{r.randrange(3, 40)}层{r.randrange(1, 30):02d}室"

    def home(self, r, d: District) -> str:
        """A home address in district d, with estate, building, unit and room."""
        n = self.v.names
        prefix = d.prefix if r.random() < 0.7 else d.prefix[len(d.province):] or d.prefix
        x = r.random()
        if x < 0.12:
            return f"{prefix}{r.choice(n['villages'])}镇{r.choice(n['villages'])}村{r.randrange(1, 12)}组{r.randrange(1, 80)}号"
        street = f"{r.choice(n['street_roots'])}{r.choice(n['street_kinds'])}{r.randrange(1, 400)}号"
        estate = r.choice(n["estate_heads"]) + r.choice(n["estate_tails"])
        b, u, f, rm = r.randrange(1, 30), r.randrange(1, 6), r.randrange(1, 33), r.randrange(1, 5)
        if x < 0.55:
            return f"{prefix}{street}{estate}{b}栋{u}单元{f}{rm:02d}室"
        if x < 0.8:
            return f"{prefix}{street}{estate}{b}号楼{u}单元{f}{rm:02d}"
        return f"{prefix}{estate}{b}幢{f}{rm:02d}室"

    def email(self, r, pinyin: str) -> str:
        """A personal mailbox."""
        domain = r.choice(self.v.names["email_domains"])
        if domain == "qq.com" and r.random() < 0.7:
            return f"{r.randrange(10**5, 10**10)}@qq.com"
        tail = str(r.randrange(1960, 2005)) if r.random() < 0.4 else str(r.randrange(1, 1000))
        return f"{pinyin}{tail if r.random() < 0.8 else ''}@{domain}"

    def customer(self, i: int, r) -> Customer:
        """Customer i: identity from the bijections, the rest from r."""
        c = Customer()
        c.index, c.cid = i, f"CU{i + 1:07d}"
        c.id_number, d_index, c.sex, birth = self.ids.number(i)
        c.age = self.ref_year - date.fromordinal(birth).year
        c.name, c.pinyin = self.name(r, c.sex)
        c.phone = self.phones.mobile(RESERVED + i)
        c.district = self.v.districts[d_index] if r.random() < 0.6 else self.district(r)
        if r.random() < 0.015:
            c.district, building = r.choice(self.office_buildings)
            c.address = building + self.room(r)
        else:
            c.address = self.home(r, c.district)
        c.email = self.email(r, c.pinyin) if r.random() < 0.45 else ""
        c.created_day = r.randrange(400, HISTORY_DAYS) if r.random() < 0.85 else r.randrange(30, 400)
        return c
