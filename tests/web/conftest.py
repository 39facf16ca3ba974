"""A real server on loopback over a sample institution, and headless Chromium to drive it.

Chromium is Debian's `chromium` package driven by Playwright (its own browser download cannot
work without internet). Without it the browser tests skip — except under CI, where they must
run. Screenshots of each view go to $QINGLANG_SCREENSHOTS (default: the test's temp folder).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from factories import TEST_KEY
from qinglang.ingest.sources import kind_from_name
from qinglang.model.schema import KIND_NAMES
from qinglang.sample import generate
from qinglang.services.accounts import add_account
from qinglang.services.analyze import analyze
from qinglang.services.cases import open_case
from qinglang.services.content import scan_stored_posts
from qinglang.services.gangs import list_gangs
from qinglang.services.importing import import_file
from qinglang.settings import Settings
from qinglang.store.db import create_store_engine, migrate

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ADMIN = ("admin", "dashboard-test-pw")


def pytest_collection_modifyitems(items):
    if CHROMIUM:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError("CI must run the browser tests: install Debian's chromium")
    skip = pytest.mark.skip(reason="no chromium: apt-get install -y chromium")
    for item in items:
        if "tests/web/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory):
    """The sample institution, imported, its posts scanned and everything analysed."""
    home = tmp_path_factory.mktemp("web")
    settings = Settings(home=home, db_url=f"sqlite:///{home / 'store.db'}", org="sample-bank",
                        batch_rows=2000, max_field_chars=100_000, secret_key_hex=TEST_KEY)
    exports = home / "exports"
    generate(exports, customers=400, seed=7)
    engine = create_store_engine(settings.db_url)
    migrate(engine)
    order = {kind: i for i, kind in enumerate(KIND_NAMES)}
    files = sorted((p for p in exports.iterdir() if kind_from_name(p)),
                   key=lambda p: order[kind_from_name(p).kind])
    for path in files:
        import_file(engine, settings, path)
    scan_stored_posts(engine, settings.org)
    analyze(engine, settings.org)
    top_gang = list_gangs(engine, settings.org, 1)[0]["gang_id"]
    open_case(engine, settings.org, ADMIN[0], "gang", [top_gang], f"团伙 {top_gang}",
              settings.home / "evidence")
    add_account(engine, settings.org, *ADMIN, "admin")
    yield settings, engine
    engine.dispose()


@pytest.fixture(scope="session")
def server(sample_store):
    import uvicorn

    from qinglang.api import create_app

    settings, engine = sample_store
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(settings, engine), host="127.0.0.1", port=port,
                            log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        if time.monotonic() > deadline:
            pytest.fail("the server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM,
                                              args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("QINGLANG_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(browser, server, tmp_path):
    # bypass_csp lets the tests evaluate their own scripts; test_no_cdn checks the policy.
    context = browser.new_context(viewport={"width": 1400, "height": 900},
                                  accept_downloads=True, bypass_csp=True)
    opened = context.new_page()
    errors: list[str] = []
    elsewhere: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("request", lambda request: None if request.url.startswith(server)
              or request.url.startswith(("data:", "blob:")) else elsewhere.append(request.url))
    opened.base = server
    yield opened
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"
    assert elsewhere == [], f"requests that left the server: {elsewhere}"


def log_in(page, username=ADMIN[0], password=ADMIN[1]) -> None:
    page.goto(page.base + "/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form#login button[type=submit]")
    page.wait_for_selector("#nav-overview")
