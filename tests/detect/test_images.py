"""Perceptual hashes see through the alterations of a reused proof (re-saved, cropped,
rescaled) and keep different documents apart — on the sample institution's proofs."""

from __future__ import annotations

import csv
import itertools

import pytest
from PIL import Image

from qinglang.detect.images import near_pairs, perceptual_hashes, within
from qinglang.sample import generate


@pytest.fixture(scope="module")
def proofs(tmp_path_factory):
    out = tmp_path_factory.mktemp("inst")
    generate(out, customers=1500, seed=8)
    with (out / "truth" / "attachments.csv").open(encoding="utf-8") as handle:
        truth = {r["file"]: r["source_image"] for r in csv.DictReader(handle)}
    hashes = {name: perceptual_hashes(out / "attachments" / name) for name in truth}
    return truth, hashes


def test_copies_of_one_proof_and_only_they_are_near_pairs(proofs):
    truth, hashes = proofs
    names = sorted(n for n in truth if hashes[n])
    found = {(names[i], names[j]) for i, j in near_pairs(
        [hashes[n][0] for n in names], [hashes[n][1] for n in names], 14, 40)}
    same = {(a, b) for a, b in itertools.combinations(names, 2)
            if truth[a] and truth[a] == truth[b]}
    assert len(same) > 20
    assert found == same


def test_one_probe_finds_its_copies(proofs):
    truth, hashes = proofs
    names = sorted(n for n in truth if hashes[n])
    probe = next(n for n in names if truth[n])
    near = within([hashes[n][0] for n in names], [hashes[n][1] for n in names],
                  *hashes[probe], 14, 40)
    assert {names[i] for i in near} == {n for n in names if truth[n] == truth[probe]}


def test_what_is_not_an_image_has_no_hash(tmp_path):
    (tmp_path / "letter.pdf").write_bytes(b"%PDF-1.4 not an image")
    (tmp_path / "broken.png").write_bytes(b"\\x89PNG\\r\\n\\x1a\\n garbage")
    Image.new("RGB", (4, 4), "white").save(tmp_path / "blank.png")
    assert perceptual_hashes(tmp_path / "letter.pdf") is None
    assert perceptual_hashes(tmp_path / "broken.png") is None
    assert perceptual_hashes(tmp_path / "blank.png") is not None
