"""A sample institution generated once for the content tests, with a seed the shipped model was
not trained on (it was trained on seed 101), and the FBS SMS corpus when ../shared is there."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from qinglang.sample import generate

CUSTOMERS, SEED = 4000, 7   # 200 posts
FBS = Path(__file__).resolve().parents[3] / "shared" / "data" / "fbs_sms" / "train.tsv"


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("content-sample")
    generate(out, customers=CUSTOMERS, seed=SEED)
    return out


@pytest.fixture(scope="session")
def truth(sample_dir) -> dict[str, dict]:
    with open(sample_dir / "truth" / "posts.csv", encoding="utf-8", newline="") as handle:
        return {row["post_id"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="session")
def fbs() -> Path:
    if not FBS.is_file():
        pytest.skip("../shared/data/fbs_sms is not beside the repository")
    return FBS


@pytest.fixture(scope="session")
def fbs_path() -> Path:
    """Where the FBS SMS file is, whether or not it is there."""
    return FBS
