"""Browser tests: headless Chromium drives the Gradio app over the bundled corpus.

The app runs in-process on a free local port; Debian's Chromium is launched
directly (no ``playwright install``, no network).
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import CORPUS

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ANSWER_TIMEOUT_MS = 60_000
LOAD_TIMEOUT_MS = 60_000

BOTILBUD_QUESTION = "Hvad blev der besluttet om botilbudskapacitet og lånepulje?"
FREMSKUDT_QUESTION = "Hvad blev der besluttet om Fremskudt funktion?"
UNANSWERABLE_QUESTION = "Hvad koster en ny kunstgræsbane i Odense Kommune?"
NOT_FOUND = "Det kan jeg ikke finde i mødematerialet."


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(retriever, config) -> tuple[object, str]:
    """The real app, launched the way ``python app.py`` launches it, on a free loopback port."""
    from app import build_app, launch

    demo = build_app(retriever, config)
    port = _free_port()
    launch(demo, config, port=port, block=False)
    return demo, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def app_url(corpus_index) -> Iterator[str]:
    demo, url = _serve(corpus_index, corpus_index.config)
    try:
        yield url
    finally:
        demo.close()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def open_page(browser, app_url):
    """Opens the app in a fresh browser context (its own Gradio session) and returns the page."""
    contexts = []

    def _open(url: str = app_url):
        context = browser.new_context(locale="da-DK")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(LOAD_TIMEOUT_MS)
        page.goto(url, wait_until="domcontentloaded")
        page.locator("#question textarea").wait_for(state="visible")
        page.locator("#send").wait_for(state="visible")
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    return open_page()


def _type_question(page, question: str) -> None:
    box = page.locator("#question textarea")
    box.fill(question)
    assert box.input_value() == question


def _wait_for_chat_text(page, *needles: str, timeout: int = ANSWER_TIMEOUT_MS) -> str:
    """Waits until the chat contains every needle (in its text); returns the chat's text."""
    chat = page.locator("#chat")
    for needle in needles:
        expect_text(chat, needle, timeout)
    return chat.inner_text()


def expect_text(locator, needle: str, timeout: int) -> None:
    from playwright.sync_api import expect

    expect(locator).to_contain_text(needle, timeout=timeout)


def _wait_until_idle(page, timeout: int = ANSWER_TIMEOUT_MS) -> None:
    """The event has finished once the textbox is cleared and no progress is shown."""
    from playwright.sync_api import expect

    expect(page.locator("#question textarea")).to_have_value("", timeout=timeout)
    expect(page.locator("#chat .progress-text, #chat .eta-bar")).to_have_count(0, timeout=timeout)


def test_cited_answer_with_sources(page) -> None:
    _type_question(page, BOTILBUD_QUESTION)
    page.locator("#send").click()

    _wait_for_chat_text(page, "2.3", "21. november 2023", "[1]", "Kilder:")  # "Kilder:" ends the stream
    _wait_until_idle(page)
    text = page.locator("#chat").inner_text()
    assert "[1]" in text and "2.3" in text

    sources = page.locator("#sources")
    expect_text(sources, "Punkt 2.3", ANSWER_TIMEOUT_MS)
    expect_text(sources, "Botilbudskapacitet", ANSWER_TIMEOUT_MS)


def test_unanswerable_question_is_refused(page) -> None:
    _type_question(page, UNANSWERABLE_QUESTION)
    page.locator("#send").click()

    text = _wait_for_chat_text(page, NOT_FOUND)
    assert NOT_FOUND in text
    expect_text(page.locator("#sources"), "Ingen kilder", ANSWER_TIMEOUT_MS)


def test_two_sessions_get_their_own_answers(open_page) -> None:
    page_a = open_page()
    page_b = open_page()
    _type_question(page_a, BOTILBUD_QUESTION)
    _type_question(page_b, FREMSKUDT_QUESTION)

    page_a.locator("#send").click()
    page_b.locator("#send").click()

    _wait_for_chat_text(page_a, "2.3", "[1]", "Kilder:")
    _wait_for_chat_text(page_b, "Fremskudt funktion", "[1]", "Kilder:")
    _wait_until_idle(page_a)
    _wait_until_idle(page_b)
    text_a = page_a.locator("#chat").inner_text()
    text_b = page_b.locator("#chat").inner_text()

    assert re.search("botilbud", text_a, re.IGNORECASE), text_a
    assert FREMSKUDT_QUESTION not in text_a
    assert "Fremskudt funktion" not in text_a
    assert BOTILBUD_QUESTION not in text_b
    assert not re.search("botilbudskapacitet", text_b, re.IGNORECASE), text_b
    expect_text(page_a.locator("#sources"), "Botilbudskapacitet", ANSWER_TIMEOUT_MS)
    expect_text(page_b.locator("#sources"), "Fremskudt funktion", ANSWER_TIMEOUT_MS)


def test_empty_and_overlong_questions_get_danish_messages(page) -> None:
    page.locator("#send").click()
    _wait_for_chat_text(page, "Skriv et spørgsmål")

    _type_question(page, "Hvad " * 2000)  # 10,000 characters
    page.locator("#send").click()
    _wait_for_chat_text(page, "for langt")

    # The app still answers a normal question afterwards.
    _wait_until_idle(page)
    _type_question(page, BOTILBUD_QUESTION)
    page.locator("#send").click()
    _wait_for_chat_text(page, "21. november 2023", "[1]")
    expect_text(page.locator("#sources"), "Punkt 2.3", ANSWER_TIMEOUT_MS)


@pytest.fixture
def upload_app_url(isolated_settings, tmp_path: Path) -> Iterator[str]:
    """An app of its own (uploads must not leak into the shared index) over one agenda only."""
    from assistant.retrieval import HybridRetriever
    from index.store import build_index

    build_index([CORPUS / "kkr-syddanmark-2023-02-07-dagsorden.txt"], config=isolated_settings)
    demo, url = _serve(HybridRetriever(isolated_settings), isolated_settings)
    try:
        yield url
    finally:
        demo.close()


def test_uploaded_pdf_is_searchable_and_opens_at_the_cited_page(open_page, upload_app_url, tmp_path: Path) -> None:
    from tests.pdf_factory import corpus_pdf, write_corrupt_pdf

    good = corpus_pdf(CORPUS / "kkr-syddanmark-2021-06-09-referat.txt", tmp_path / "pdf")
    bad = write_corrupt_pdf(tmp_path / "beskadiget.pdf")
    page = open_page(upload_app_url)

    page.get_by_text("Tilføj dokumenter").click()
    page.locator("#upload input[type=file]").set_input_files([str(good), str(bad)])
    status = page.locator("#upload-status")
    expect_text(status, f"{good.name} er indlæst", ANSWER_TIMEOUT_MS)
    expect_text(status, "beskadiget.pdf", ANSWER_TIMEOUT_MS)
    assert "beskadiget" in status.inner_text() and "❌" in status.inner_text()

    _type_question(page, FREMSKUDT_QUESTION)
    page.locator("#send").click()
    _wait_for_chat_text(page, "3.3", "9. juni 2021", "[1]", "Kilder:")
    sources = page.locator("#sources")
    expect_text(sources, "Fremskudt funktion", ANSWER_TIMEOUT_MS)
    link = sources.locator("a", has_text="Åbn PDF").first
    href = link.get_attribute("href")
    assert href and re.search(r"^/dokument/[0-9a-f]+#page=\d+$", href), href  # by id: no path of the server's

    served = page.request.get(upload_app_url.rstrip("/") + href.split("#")[0])
    assert served.status == 200
    assert served.body().startswith(b"%PDF")


def test_files_outside_the_corpus_and_uploads_are_not_served(page, app_url) -> None:
    served = page.request.get(app_url.rstrip("/") + "/gradio_api/file=" + str(Path(__file__).resolve()))
    assert served.status != 200 or b"def test_" not in served.body()
