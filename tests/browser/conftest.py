"""Browser tests: Debian's chromium driven by playwright against a real server process that serves the
demo library from its own SQLite file: a copy of the session's demo database (tests/demo_database.py). In CI
(CI=true) a missing chromium fails the run instead of skipping it."""

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
# playwright's expect() waits 5 s by default: a loaded CI machine (the suite on every core, the server
# rendering in one process) can take longer to answer a click. A real failure still fails, later.
EXPECT_TIMEOUT_MS = 20_000
WIDTHS = (390, 1280)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's, which reads the group
def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            # One pytest-xdist worker runs them all (with --dist loadgroup): one server, one chromium.
            item.add_marker(pytest.mark.xdist_group("browser"))


def copy_sqlite(source, target):
    source, target = sqlite3.connect(source), sqlite3.connect(target)
    source.backup(target)
    source.close()
    target.close()


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


MANAGE = [sys.executable, str(ROOT / "manage.py")]


def _environment(workdir):
    """The environment of a server's process: its own SQLite file and media folder."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
    }


def _serve(env, demo_database, shell_code=None):
    """Start a server on a copy of the session's demo library (with `shell_code` run in a `manage.py shell`
    on its database first, so that the server starts knowing it); a generator yielding its address."""
    if not Path(CHROMIUM).exists():
        message = f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    workdir = Path(env["MEDIA_ROOT"]).parent
    commands = [["create_dev_superuser"]]
    if demo_database.sqlite_file():
        # The session's demo library (tests/demo_database.py), copied: the server may write to its own.
        copy_sqlite(demo_database.sqlite_file(), workdir / "db.sqlite3")
        shutil.copytree(demo_database.media, workdir / "media")
    else:  # the run's database is not SQLite: the server builds its own
        commands[:0] = [["migrate", "--no-input", "-v0"], ["load_reference_data"], ["load_demo_library"]]
    if shell_code:
        commands.append(["shell", "-c", shell_code])
    for command in commands:
        done = subprocess.run(MANAGE + command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
    port = _free_port()
    server = subprocess.Popen(
        MANAGE + ["runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _attempt in range(100):
        try:
            urllib.request.urlopen(url + "/it/", timeout=2)
            break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("the test server did not start")
    yield url
    server.terminate()
    server.wait(timeout=10)
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def site_url(tmp_path_factory, demo_database):
    """The session's server, shared by the browser tests: none may change its library (the others count on
    the demo's entries); a test that needs more entries starts a server of its own (`own_site`)."""
    yield from _serve(_environment(tmp_path_factory.mktemp("browser-site")), demo_database)


@pytest.fixture(scope="module")
def own_site(tmp_path_factory, demo_database):
    """own_site(shell_code=None): a server of the module's own on a copy of the demo library, with `shell_code`
    run on its database before it starts (its caches, page cache and search vocabulary, then know the change);
    also for a test that changes the library through the browser."""
    servers = []

    def start(shell_code=None):
        server = _serve(_environment(tmp_path_factory.mktemp("browser-own-site")), demo_database, shell_code)
        servers.append(server)
        return next(server)

    yield start
    for server in servers:
        next(server, None)


@pytest.fixture(scope="session")
def browser(site_url):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(browser, site_url):
    """screenshot(path, name): the page at phone and desktop width, saved outside git for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(path, name):
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="it-IT")
            shot = context.new_page()
            shot.goto(site_url + path)
            shot.screenshot(path=str(SCREENSHOTS / f"{name}@{width}.png"), full_page=True)
            context.close()

    return take
