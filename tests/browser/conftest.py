"""Real-browser and audit fixtures: a live server, Debian's Chromium via Playwright,
axe-core and the Nu HTML Checker from tools/node_modules.

Each tool is optional on a developer's machine: a missing one skips its tests and the
run's summary says so plainly. In CI (`MERIDIAN_REQUIRE_AUDITS=1`, set by .ci/run) a
missing tool is an error instead. A failing browser test saves a screenshot and the
page's HTML under test-artifacts/ and prints where.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("MERIDIAN_CHROMIUM", "/usr/bin/chromium")
TOOLS = ROOT / "tools" / "node_modules"
AXE_JS = TOOLS / "axe-core" / "axe.min.js"
VNU_JAR = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
REQUIRED = os.environ.get("MERIDIAN_REQUIRE_AUDITS", "") == "1"
#: The flags Chromium needs on this machine (as root, closed network, no GPU).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

_phase = pytest.StashKey[dict]()
_saved: list[str] = []


def _missing() -> dict[str, str]:
    """Tool marker -> why it cannot run here (empty when everything is present)."""
    missing = {}
    if not Path(CHROMIUM).exists():
        missing["browser"] = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            missing["browser"] = (
                "the playwright package is not installed (pip install -e '.[test]')"
            )
    if not AXE_JS.exists() and "browser" not in missing:
        missing["axe"] = f"no {AXE_JS.relative_to(ROOT)} (npm ci --prefix tools)"
    elif "browser" in missing:
        missing["axe"] = missing["browser"]
    if not VNU_JAR.exists():
        missing["vnu"] = f"no {VNU_JAR.relative_to(ROOT)} (npm ci --prefix tools)"
    elif not shutil.which("java"):
        missing["vnu"] = "no java (apt-get install default-jre-headless)"
    return missing


MISSING = _missing()
_counts: dict[str, int] = {}


def pytest_collection_modifyitems(config, items):
    for item in items:
        for marker in ("browser", "axe", "vnu"):
            if item.get_closest_marker(marker) is None:
                continue
            _counts[marker] = _counts.get(marker, 0) + 1
            if marker in MISSING and not REQUIRED:
                item.add_marker(
                    pytest.mark.skip(reason=f"{marker} tests not run: {MISSING[marker]}")
                )


def pytest_terminal_summary(terminalreporter):
    write = terminalreporter.write_line
    for marker, label in (
        ("browser", "BROWSER TESTS"),
        ("axe", "AXE ACCESSIBILITY AUDIT"),
        ("vnu", "NU HTML CHECKER"),
    ):
        if not _counts.get(marker):
            continue
        if marker in MISSING:
            verdict = "FAILED (required in CI)" if REQUIRED else "NOT RUN"
            write(f"{label} {verdict}: {MISSING[marker]}", red=True, bold=True)
        else:
            write(f"{label}: {_counts[marker]} collected and run", green=True)
    _report_missing_last.extend(
        f"{label} NOT RUN: {MISSING[marker]}"
        for marker, label in (
            ("browser", "BROWSER TESTS"),
            ("axe", "AXE AUDIT"),
            ("vnu", "NU HTML CHECKER"),
        )
        if _counts.get(marker) and marker in MISSING and not REQUIRED
    )
    if _saved:
        write(
            f"Browser failure artifacts (screenshots + HTML) in {ARTIFACTS}:", red=True, bold=True
        )
        for path in _saved:
            write(f"  {path}")


_report_missing_last: list[str] = []


def pytest_unconfigure(config):
    """Repeat what did not run as the very last lines, below pytest's own totals."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    for line in _report_missing_last:
        if reporter is not None:
            reporter.write_line(line, red=True, bold=True)


@pytest.fixture(scope="session")
def require_tools():
    def check(marker: str) -> None:
        if marker in MISSING:
            pytest.fail(f"{marker} required (MERIDIAN_REQUIRE_AUDITS=1): {MISSING[marker]}")

    return check


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_phase, {})[report.when] = report
    return report


# --- the live server -------------------------------------------------------------


class LiveServer:
    def __init__(self, app) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[LiveServer]:
    """The test app under a real WSGI server on 127.0.0.1, a free port, its own thread."""
    server = LiveServer(app)
    server.thread.start()
    yield server
    server.server.shutdown()
    server.thread.join(timeout=5)


# --- Chromium through Playwright -------------------------------------------------


@pytest.fixture(scope="session")
def browser(require_tools):
    require_tools("browser")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _save_artifacts(item, page) -> None:
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid)[-150:]
    folder.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(folder / "screenshot.png"), full_page=True)
        (folder / "page.html").write_text(page.content(), encoding="utf-8")
        (folder / "url.txt").write_text(page.url + "\n", encoding="utf-8")
    except Exception as exc:  # a crashed page must not hide the test's own failure
        (folder / "error.txt").write_text(repr(exc), encoding="utf-8")
    _saved.append(str(folder))
    print(f"\nbrowser artifacts saved in {folder}")


class Console:
    """Console errors and uncaught exceptions (CSP violations show up here)."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))


def _open_page(request, browser, viewport: str, **context_options):
    context = browser.new_context(viewport=VIEWPORTS[viewport], **context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.console = Console(page)  # type: ignore[attr-defined]
    return context, page


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> str:
    return request.param


@pytest.fixture
def page(request, browser, viewport):
    """A fresh page at the test's viewport; on failure its screenshot and HTML are saved."""
    context, the_page = _open_page(request, browser, viewport)
    yield the_page
    call = request.node.stash.get(_phase, {}).get("call")
    if call is not None and call.failed:
        _save_artifacts(request.node, the_page)
    context.close()


@pytest.fixture
def audit_page(request, browser, viewport):
    """A page (each viewport) that ignores the CSP, so axe can be injected (the app's own
    CSP is tested elsewhere and never relaxed)."""
    context, the_page = _open_page(request, browser, viewport, bypass_csp=True)
    yield the_page
    call = request.node.stash.get(_phase, {}).get("call")
    if call is not None and call.failed:
        _save_artifacts(request.node, the_page)
    context.close()


@pytest.fixture
def audit_tab(request, browser):
    """Like `audit_page`, for a test that audits both widths itself (it resizes the one
    page, which is cheaper than loading it twice)."""
    context, the_page = _open_page(request, browser, "desktop", bypass_csp=True)
    yield the_page
    call = request.node.stash.get(_phase, {}).get("call")
    if call is not None and call.failed:
        _save_artifacts(request.node, the_page)
    context.close()
