"""End to end in headless Chromium (Debian's `chromium`, driven by Playwright): the query page runs a
saved query, shows the engine's rows, links to a person's page, which shows their events and a
highlighted evidence quote; the editor's run button runs what the parameter box says; the start,
event, reference and picture pages show what a newcomer needs. Nothing is fetched from outside the
server, and the Content-Security-Policy blocks nothing the pages need. Screenshots go to
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
    refused: list[str] = []
    opened.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    yield opened
    opened.close()
    assert refused == []


def test_saved_query_to_person_page(page: Page, base: str, layout: Layout, outside: list[str]) -> None:
    OUTPUT.mkdir(exist_ok=True)
    saved = find_query(load_catalogue(layout.queries_dir), QUERY)
    expected = OxigraphEngine(open_store(layout)).query(saved.text, saved.bind({}))
    column = expected.variables.index("person")
    people = [row[column].value for row in expected.rows]
    assert people

    page.goto(base + "query")
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
    page.goto(base + "query")
    text = page.evaluate("Yasgui.Yasqe.defaults.value")
    expected = len(OxigraphEngine(open_store(layout)).query(text).rows)
    page.click(".yasqe_queryButton")
    page.locator(".yasr table.dataTable tbody tr").first.wait_for()
    assert expected and f"{expected} results" in page.locator(".yasr").inner_text()
    page.screenshot(path=str(OUTPUT / "editor-query.png"))
    assert outside == []


def test_editor_runs_what_the_parameter_box_says(page: Page, base: str, layout: Layout, outside: list[str]) -> None:
    saved = find_query(load_catalogue(layout.queries_dir), QUERY)
    event = "event:washington-meeting-with-us-delegation"
    engine = OxigraphEngine(open_store(layout))
    expected, everyone = len(engine.query(saved.text, saved.bind({"event": event})).rows), len(engine.query(saved.text).rows)
    assert 0 < expected < everyone
    page.goto(base + "query")
    page.click(f'button.example[data-name="{QUERY}"]')
    page.fill("#saved-parameters input[name=event]", event)
    page.wait_for_function("text => document.querySelector('.CodeMirror').CodeMirror.getValue().includes(text)",
                           arg=event.split(":")[1])
    page.click(".yasqe_queryButton")
    page.wait_for_function("n => (document.querySelector('.yasr')?.innerText || '').includes(n + ' results')",
                           arg=str(expected))
    page.wait_for_function("() => !document.querySelector('.yasr').innerText.includes('^^xsd:b')")  # booleans as words
    assert page.locator(".yasr td", has_text="false").count() > 0
    page.screenshot(path=str(OUTPUT / "editor-with-parameter.png"))
    assert outside == []


@pytest.mark.parametrize(("name", "path", "must_show"), [
    ("home", "", ["A knowledge graph of diplomacy", "Questions to start from", "Events", "Ontology", "Pictures"]),
    ("event", "id/event/2021-08-11-lunch-meeting", ["Who attended", "2021-08-11", "Jake Sullivan", "Marcelo Ebrard"]),
    ("person", "id/person/roberto-velasco", ["Posts", "Events", "Whom they met"]),
    ("docs", "docs", ["Delegation", "head of delegation"]),
    ("pictures", "pictures", ["Who met whom", "One event"]),
    ("picture", "pictures/network?event=event:2021-08-11-lunch-meeting", ["Jake Sullivan", "Download as SVG"]),
])
def test_pages_a_newcomer_sees(page: Page, base: str, outside: list[str], name: str, path: str, must_show: list[str]) -> None:
    OUTPUT.mkdir(exist_ok=True)
    response = page.goto(base + path)
    assert response is not None and response.status == 200
    shown = page.locator("body").inner_text()
    for text in must_show:
        assert text in shown, (name, text)
    if name != "docs":  # the reference lists example instances by name, as `diplokg docs` does
        assert "mem:" not in shown and "part:" not in shown and "^^xsd:boolean" not in shown
    assert page.locator('header.site a[href="/docs"]').count() == 1
    if name == "docs":
        assert page.locator('a[href^="https://w3id.org/diplokg/id/"]').count() == 0
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=name != "docs")
    assert outside == []
