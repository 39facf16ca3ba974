"""Training: a model round-trips through its file, the file holds no text, and the held-out
split of FBS SMS is fixed by the messages themselves."""

from __future__ import annotations

import numpy as np

from qinglang.content.corpus import (
    campaign_key, fbs_corpus, fbs_messages, is_held_out, render, sample_posts,
)
from qinglang.content.engine import ContentEngine
from qinglang.content.model import DEFAULT_MODEL, load_model
from qinglang.content.training import campaign_folds, design, train


def test_a_trained_model_round_trips_and_holds_no_text(sample_dir, tmp_path):
    posts = sample_posts(sample_dir)
    model = train(posts, version="test")
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = load_model(path)
    texts = [p.text for p in posts]
    before = [a.score for a in ContentEngine(model).assess(texts)]
    after = [a.score for a in ContentEngine(loaded).assess(texts)]
    assert np.allclose(before, after)
    with np.load(path, allow_pickle=False) as data:
        text_arrays = {name for name in data.files if data[name].dtype.kind == "U"}
        assert text_arrays == {"meta", "categories"}
        assert not any(p.text[:12] in str(data["meta"]) for p in posts)


def test_the_shipped_model_matches_the_shipped_lexicon():
    from importlib import resources
    shipped = resources.files("qinglang.content").joinpath(DEFAULT_MODEL)
    with resources.as_file(shipped) as path:
        model = load_model(path)
    ContentEngine(model)          # raises when the lexicon changed since training
    assert model.meta["figures"]["fbs_held_out"]["f1"] >= 0.97


def test_held_out_split_is_deterministic_and_about_a_fifth(fbs):
    messages = fbs_messages(fbs)
    held = [m for _, m in messages if is_held_out(m)]
    assert 0.15 <= len(held) / len(messages) <= 0.25
    assert held == [m for _, m in fbs_messages(fbs) if is_held_out(m)]


def test_placeholders_render_into_contacts_the_same_way_every_time():
    message = "请加微信WECHAT或致电CELLPHONE登录URL"
    text, contacts = render(message)
    assert (text, contacts) == render(message)
    assert [c.split(":")[0] for c in contacts] == ["wechat", "phone", "domain"]
    assert "CELLPHONE" not in text and "URL" not in text


def test_cross_validation_never_splits_a_campaign(fbs):
    examples = fbs_corpus(fbs, held_out=False)[:1500]
    data = design(ContentEngine(None), examples)
    assert len(set(data.groups.tolist())) < len(examples)     # campaigns of several variants
    for fit_rows, test_rows in campaign_folds(data):
        assert not set(data.groups[fit_rows].tolist()) & set(data.groups[test_rows].tolist())
        assert data.labels[test_rows].any()


def test_the_campaign_key_ignores_placeholders_and_numbers():
    assert campaign_key("尊敬的客户CELLPHONE您好请登录URL领取") == campaign_key("尊敬的客户您好请登录领取123")
