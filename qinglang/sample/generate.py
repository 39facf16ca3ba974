"""Orchestration: plan the gangs, stream the customers with their complaints and calls, then
write posts, companies, intelligence and the ground truth."""

from __future__ import annotations

import random
from pathlib import Path

from .activity import Activity
from .clock import HISTORY_DAYS, Clock
from .gangs import Planner
from .ids import GANG
from .members import member
from .orgs import write_companies, write_intelligence
from .people import People
from .posts import PostMaker, write_posts
from .text import Composer
from .vocab import vocab
from .voice import Voices
from .writer import Output

IMAGE_CAP = 2000            # image files at most, whatever the number of customers
FORGED_SHARE = 0.6          # of the cap, reserved for the gangs' reused forged proofs
EXTERNAL_PHONES = 900_000_000  # offset, inside the gang range, of other actors' numbers


def generate(out_dir: Path, customers: int, seed: int) -> dict[str, int]:
    """Write a synthetic institution of `customers` customers into `out_dir`; rows per file.

    Same seed and size give byte-identical files (images left in out_dir/attachments by an
    earlier run are removed first). Customers are streamed, never held."""
    out_dir = Path(out_dir)
    for old in (out_dir / "attachments").glob("*.*"):
        old.unlink()
    v, clock = vocab(), Clock(seed)

    def rng(part: str) -> random.Random:
        return random.Random(f"qinglang-sample:{seed}:{customers}:{part}")

    setup = rng("setup")
    people, composer, voices = People(setup, v, clock, customers), Composer(v, clock), Voices(setup)
    n_posts = max(50, customers // 20)
    planner = Planner(rng("gangs"), customers, people, composer, voices, v,
                      forged_budget=int(IMAGE_CAP * FORGED_SHARE), company_budget=max(30, customers // 100) // 2,
                      ad_slots=round(n_posts * 0.45))
    gangs, plans = planner.gangs, planner.members

    out = Output(out_dir)
    genuine_cap = IMAGE_CAP - planner.forged_used
    act = Activity(out, composer, clock, people, voices, v, setup,
                   min(0.05, genuine_cap / max(1.0, customers * 0.85)), genuine_cap)
    r = rng("rows")
    for i in range(customers):
        c = people.customer(i, r)
        m = plans.get(i)
        if m is not None:
            c.created_day = min(HISTORY_DAYS, max(c.created_day, m.gang.start + m.gang.length + r.randrange(30, 500)))
        x = r.random()
        out.row("customers", (c.cid, c.name, c.id_number, act.spell(r, c.phone), c.address, c.email,
                              c.district.province if x < 0.5 else c.district.city,
                              clock.stamp(c.created_day, r.randrange(86400), x),
                              r.choice(v.inst["branches"]), r.choice(v.inst["products"])))
        out.row("truth_customers", (c.cid, m.gang.gid if m else "", "gang_member" if m else "genuine"))
        if m is None:
            act.genuine(c, r)
        else:
            member(act, c, m, r)

    counter = [GANG + EXTERNAL_PHONES]

    def external_phone() -> str:
        counter[0] += 1
        return people.phones.mobile(counter[0])

    write_posts(out, rng("posts"), PostMaker(v, clock, people), gangs, n_posts, clock, external_phone)
    write_companies(out, rng("companies"), people, v, gangs, max(30, customers // 100), clock)
    write_intelligence(out, rng("intel"), people, gangs, max(20, customers // 200), clock, external_phone)
    for g in gangs:
        out.row("truth_gangs", (g.gid, g.kind, len(g.members), ";".join(g.identifiers())))
    return out.close()
