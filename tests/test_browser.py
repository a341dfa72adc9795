"""End to end in headless Chromium (Debian's `chromium`, driven by Playwright): the query page runs a
saved query, shows the engine's rows, links to a person's page, which shows their events and a
highlighted evidence quote. Nothing is fetched from outside the server. Screenshots go to
tests/output/. Chromium missing is a failure, not a skip: CI installs it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from diplokg.catalogue import find_query, load_catalogue
from diplokg.engines import OxigraphEngine
from diplokg.paths import Layout
from diplokg.prefixes import ID
from diplokg.store import open_store
from test_server import running_server

OUTPUT = Path(__file__).parent / "output"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
QUERY = "attendees-by-delegation"


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Debian's chromium is not installed (apt-get install -y chromium); the browser test needs it.")
    return found


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with running_server("--workers", "2") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def outside() -> list[str]:
    """The URLs the page requested from anywhere but the server (must stay empty: it works offline)."""
    return []


@pytest.fixture
def page(browser: Browser, base: str, outside: list[str]) -> Iterator[Page]:
    opened = browser.new_page(viewport={"width": 1400, "height": 1000})
    host = urlsplit(base).netloc
    opened.on("request", lambda request: None if urlsplit(request.url).netloc in (host, "") else outside.append(request.url))
    yield opened
    opened.close()


def test_saved_query_to_person_page(page: Page, base: str, layout: Layout, outside: list[str]) -> None:
    OUTPUT.mkdir(exist_ok=True)
    saved = find_query(load_catalogue(layout.queries_dir), QUERY)
    expected = OxigraphEngine(open_store(layout)).query(saved.text, saved.bind({}))
    column = expected.variables.index("person")
    people = [row[column].value for row in expected.rows]
    assert people

    page.goto(base)
    page.click(f'button.example[data-name="{QUERY}"]')
    page.click("#run-saved")
    table = page.locator(".yasr table.dataTable tbody tr")
    table.first.wait_for()
    assert table.count() == len(expected.rows)
    shown = " ".join(table.locator("td").all_inner_texts())
    names = expected.variables.index("name")
    for row in expected.rows:
        assert row[names].value in shown and row[column].value.removeprefix(ID + "person/") in shown
    downloads = page.locator("#downloads a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert any(href.startswith(f"/queries/{QUERY}") and href.endswith("format=csv") for href in downloads)
    page.screenshot(path=str(OUTPUT / "query-page.png"), full_page=True)

    head = people[0]
    page.click(f'.yasr a[href="/id/{head.removeprefix(ID)}"]')
    page.wait_for_url(f"**/id/{head.removeprefix(ID)}")
    events = OxigraphEngine(open_store(layout)).query(
        f"SELECT DISTINCT ?e WHERE {{ ?e <https://schema.org/attendee> <{head}> }}").rows
    assert events
    for (event,) in events:
        assert page.locator(f'#events a[href="/id/{event.value.removeprefix(ID)}"]').count() == 1
    quote = page.locator("#statements mark, #evidence mark, #mentions mark").first
    assert quote.is_visible() and quote.inner_text().strip()
    assert quote.evaluate("mark => getComputedStyle(mark).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    page.screenshot(path=str(OUTPUT / "person-page.png"), full_page=True)
    assert outside == []


def test_editor_query_runs_on_the_endpoint(page: Page, base: str, layout: Layout, outside: list[str]) -> None:
    OUTPUT.mkdir(exist_ok=True)
    page.goto(base)
    text = page.evaluate("Yasgui.Yasqe.defaults.value")
    expected = len(OxigraphEngine(open_store(layout)).query(text).rows)
    page.click(".yasqe_queryButton")
    page.locator(".yasr table.dataTable tbody tr").first.wait_for()
    assert expected and f"{expected} results" in page.locator(".yasr").inner_text()
    page.screenshot(path=str(OUTPUT / "editor-query.png"))
    assert outside == []
