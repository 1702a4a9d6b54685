"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

One browser for the session (start-up costs about a second), a fresh context per test with its
language, viewport and permissions. The live server runs in a thread of this process on the test
database, so every test is transactional (its rows are committed for the server to see and
flushed afterwards). A failing test leaves a screenshot in var/test-screenshots/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.servers import database_url, uvicorn

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls (fixtures,
# checks) are plain synchronous code between browser steps, which Django would refuse otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "test-screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}
PASSWORD = "test-pass-123"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can see whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(autouse=True)
def incidents_environment(media_in_tmp, fast_passwords, category_table) -> None:
    """Like the incidents tests: photos in a throw-away directory, fast hashing, the categories."""


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """The live server serves static files from the finders, by their plain names."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def open_page(request, browser, live_server):
    """Open a page as a signed-in user: ``open_page(user, path, locale=, phone=, **context)``."""
    contexts = []

    def run(user, path: str, *, locale: str = "zh-CN", phone: bool = False, **options):
        context = browser.new_context(
            locale=locale,
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            **options,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        watch_csp(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        if user is not None:
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", user.username)
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("form.stacked-form button[type=submit]")
        page.goto(f"{live_server.url}{path}")
        return page

    yield run
    # Every page any browser test opened ran under the Content-Security-Policy without breaking it.
    for context in contexts:
        assert csp_report(context) == {"violations": [], "unprotected": []}
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for index, context in enumerate(contexts):
            for number, page in enumerate(context.pages):
                name = f"{request.node.name}-{index}-{number}.png".replace("/", "_")
                page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
    for context in contexts:
        context.close()


# In every frame (srcdoc frames too): report each CSP violation to the test.
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => window.pinganCspViolation({
  directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile,
  line: e.lineNumber, sample: e.sample, page: document.location.href,
}));
"""


def watch_csp(context) -> None:
    """Record, for the context, CSP violations (events and console lines) and every HTML
    document answered without a Content-Security-Policy header (see csp_report)."""
    context.csp_violations = []
    context.csp_unprotected = []
    context.expose_binding(
        "pinganCspViolation", lambda source, violation: context.csp_violations.append(violation)
    )
    context.add_init_script(CSP_LISTENER)

    def console(message) -> None:
        if "Content Security Policy" in message.text:
            context.csp_violations.append({"console": message.text})

    def response(answer) -> None:
        html = answer.headers.get("content-type", "").startswith("text/html")
        document = answer.request.resource_type == "document"
        if document and html and "content-security-policy" not in answer.headers:
            context.csp_unprotected.append(answer.url)

    context.on("page", lambda page: page.on("console", console))
    context.on("response", response)


def csp_report(context) -> dict[str, list]:
    """What watch_csp saw: violations, and HTML documents that came without a policy."""
    return {"violations": context.csp_violations, "unprotected": context.csp_unprotected}


def wait_for_matters(page) -> None:
    """Wait until the matters layer has drawn its tiles once."""
    page.wait_for_selector("#area-map[data-matters-loaded]", state="attached")


def click_map_at(page, lon: float, lat: float) -> None:
    """Click the map where (lon, lat) is drawn."""
    point = page.evaluate(
        "([lat, lon]) => { const p = window.PinganAreaMap.latLngToContainerPoint([lat, lon]);"
        " return {x: p.x, y: p.y}; }",
        [lat, lon],
    )
    box = page.locator("#area-map").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def show_at(page, lon: float, lat: float, zoom: int) -> None:
    """Centre the map on (lon, lat) at ``zoom`` and wait for the matters drawn there."""
    page.evaluate("document.getElementById('area-map').removeAttribute('data-matters-loaded')")
    page.evaluate(
        "([lat, lon, z]) => window.PinganAreaMap.setView([lat, lon], z, {animate: false})",
        [lat, lon, zoom],
    )
    wait_for_matters(page)


# --- the ASGI server (uvicorn), for the live event stream ----------------------------------


@pytest.fixture
def asgi_env() -> dict[str, str]:
    """More environment for the ASGI server's process (a test module overrides this fixture)."""
    return {}


@pytest.fixture
def asgi_server(transactional_db, asgi_env):
    """uvicorn serving config.asgi on the test database, as scripts/serve.sh does (one worker)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "tests.browser.asgi_settings",
        "LIVE_HEARTBEAT_SECONDS": "2",
        **asgi_env,
    }
    # An open stream would hold a graceful shutdown until the browser goes (serve.sh: 10 s).
    with uvicorn(env, "--timeout-graceful-shutdown", "2") as url:
        yield url
