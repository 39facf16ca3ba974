"""The hub process the alliance tests share (one per test module)."""

from __future__ import annotations

import pytest

from hub_processes import start_hub, stop_hub


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("alliance")
    started = start_hub(tmp)
    yield started, tmp
    stop_hub(started)
