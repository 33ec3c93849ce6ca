"""Browser test harness: the portal served on a real socket, driven by Debian's Chromium through Playwright.

Each pytest process (each xdist worker too) gets its own app and database from tests/conftest.py, its own
live server on a free port and its own Chromium; every test gets a fresh browser context (no shared cookies).

    live_server  base URL of the `app` fixture served by werkzeug in a background thread (session)
    browser      a headless Chromium (session); skipped when /usr/bin/chromium is missing
    page         a desktop page (1280x800) in a new context
    phone_page   a 360x740 touch phone page in a new context
    open_page    open_page(**context options) -> a page in a context of its own (one per user, like separate
                 computers), desktop-sized and asking for Chinese unless told otherwise
    confirm(p)   answers the page's confirmation dialog (yes by default) and returns its question
    problems(p)  console errors (failed responses as "HTTP <status> <url>"), uncaught page errors and CSP
                 violations seen by that page so far
    shot(p, n)   saves artifacts/screenshots/<n>.png (full page) and returns its path

Accessibility: axe-core (vendored by `make vendor-axe` in tests/browser/vendor/axe-core) checks every page a
test opens, each time a document finishes loading and once more on the last state of each page when the test
ends; any serious or critical violation fails the test (at its teardown), named with the page, the rule and the
elements. `axe_violations(p)` runs it on demand.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.browser import axe

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
BROWSER_DIR = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}

# Reports every CSP violation of every document the context opens (the binding survives navigations).
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__portalCspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
});
"""

# Chromium reports every 4xx/5xx response, the page itself included, as a console error with this text.
HTTP_ERROR = re.compile(r"^Failed to load resource: the server responded with a status of (\d+)")

_problems: dict[object, list[str]] = {}


def pytest_collection_modifyitems(items):
    """Every test in tests/browser is a browser test, marked or not."""
    for item in items:
        if BROWSER_DIR in Path(item.path).parents and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)


class _QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request; errors are still logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _read_whole(file, _buffer_size: int = 8192) -> list[bytes]:
    with file:
        return [file.read()]


def _files_read_whole(app):
    """Files (static CSS and scripts, downloads) are read whole and closed before the answer goes out. Werkzeug's
    development server skips the response's close() when the browser drops a connection mid-answer (it does,
    on navigating away), and the open file's ResourceWarning then fails whichever test is running."""

    def serve(environ, start_response):
        environ["wsgi.file_wrapper"] = _read_whole
        return app(environ, start_response)

    return serve


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The session's app on 127.0.0.1 and a port the OS picks (free by construction)."""
    server = make_server("127.0.0.1", 0, _files_read_whole(app), threaded=True,
                         request_handler=_QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _watched_page(browser, **context_options):
    """A page in a fresh context whose console errors, page errors and CSP violations are recorded."""
    context = browser.new_context(**context_options)
    context.set_default_timeout(TIMEOUT_MS)
    found: list[str] = []
    context.expose_binding("__portalCspViolation", lambda _source, text: found.append(f"CSP: {text}"))
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    page.on("console", lambda message: _record_console(found, message))
    page.on("pageerror", lambda error: found.append(f"page error: {error}"))
    _problems[page] = found
    axe.watch(page)
    return context, page


def _close_watched(context, page) -> None:
    """Check the page's last state with axe, forget its problems, close its context."""
    axe.check(page)
    _problems.pop(page, None)
    context.close()


def pytest_terminal_summary(terminalreporter):
    if axe.total():
        terminalreporter.write_line(f"axe-core: {axe.total()} page states checked, none with a serious or critical "
                                    "violation unless reported above")


@pytest.fixture(autouse=True)
def _axe_clean():
    """Fails the test when axe found a serious or critical violation on any page it opened."""
    axe.start_test()
    yield
    found = axe.end_test()
    if found:
        pytest.fail("axe-core found serious or critical accessibility violations:\n" + "\n".join(found),
                    pytrace=False)


def _record_console(found: list[str], message) -> None:
    """Console errors; a failed response becomes "HTTP <status> <url>" so tests can name the one they expect."""
    if message.type != "error":
        return
    url = message.location.get("url", "")
    http = HTTP_ERROR.match(message.text)
    if http is None:
        found.append(f"console.error: {message.text}" + (f" ({url})" if url else ""))
    else:
        found.append(f"HTTP {http.group(1)} {url}")


@pytest.fixture
def page(browser, live_server):
    context, page = _watched_page(browser, viewport=DESKTOP)
    yield page
    _close_watched(context, page)


@pytest.fixture
def phone_page(browser, live_server):
    context, page = _watched_page(browser, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield page
    _close_watched(context, page)


@pytest.fixture
def open_page(browser, live_server):
    """open_page(**context options) -> a page in a browser context of its own (one per user, like separate
    devices), desktop-sized unless told otherwise, asking for Chinese as the county's browsers do."""
    made = []

    def _open(**options):
        context, page = _watched_page(browser, **({"viewport": DESKTOP, "locale": "zh-CN"} | options))
        made.append((context, page))
        return page

    yield _open
    for context, page in made:
        _close_watched(context, page)


def confirm(page, answer: bool = True) -> str:
    """Answer the question the page asks before an action that cannot be undone (base.html's dialog, opened by
    static/js/portal.js); returns the question."""
    from playwright.sync_api import expect

    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    question = dialog.locator("#confirm-text").inner_text()
    dialog.locator("#confirm-ok" if answer else "#confirm-cancel").click()
    expect(dialog).to_be_hidden()
    return question


def problems(page) -> list[str]:
    """What went wrong in the browser on this page so far (an empty list when nothing did)."""
    return list(_problems[page])


def shot(page, name: str) -> Path:
    """A full-page screenshot saved as artifacts/screenshots/<name>.png; returns the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
