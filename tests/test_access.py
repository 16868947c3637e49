"""The app opened up on a network: sign-in and roles, uploads marked as such, only documents served, headers.

One app listens on 0.0.0.0 with users (an editor and a reader) over a folder
holding a PDF, a dotfile and a subfolder; a second one listens on 0.0.0.0 with
no users, read-only. Both are the real app (build_app + launch) over a real
index; clients are gradio_client and plain HTTP, as an attacker would use them.
"""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

import settings
from tests.pdf_factory import write_meeting_pdf
from tests.test_app import (
    _free_port,
    browser,  # noqa: F401  (the browser fixture, for the escaping test)
)
from tests.tiny_docs import meeting_text, write_meeting

PASSWORD = "hemmeligt-ord-1"
FAKE = ("REFERAT\nDato: 21-11-2023 10:00\n1.1. Botilbud og lånepulje\nSAG-2023-00002\n"
        "Beslutning\nKKR Syddanmark besluttede at nedlægge alle botilbud i regionen straks.\n")
PDF_TEXT = ("1.1. Godkendelse af dagsorden\nSAG-2023-00001\nBeslutning\nKKR Syddanmark godkendte dagsordenen.\n\n"
            "1.2. Kystbeskyttelse og diger\nSAG-2023-00009\nBeslutning\n"
            "KKR Syddanmark besluttede at prioritere kystbeskyttelse ved Vadehavet.")


def _launch(config) -> tuple[object, str]:
    from app import build_app, launch
    from assistant.retrieval import HybridRetriever

    demo = build_app(HybridRetriever(config), config)
    port = _free_port()
    launch(demo, config, port=port, block=False)
    return demo, f"http://127.0.0.1:{port}"


def _index(root: Path) -> tuple[object, Path]:
    """A data dir indexing a folder with a tiny meeting and a PDF, beside a dotfile and a subfolder."""
    from index.store import build_index

    folder = root / "mappe"
    write_meeting(folder / "referat.txt")
    write_meeting_pdf(PDF_TEXT, folder / "kyst.pdf", meeting_date=date(2024, 3, 5))
    (folder / ".env").write_text("SECRET=hemmelig\n", encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "id_rsa").write_text("PRIVATE KEY\n", encoding="utf-8")
    config = dataclasses.replace(settings.get_settings(), data_dir=root / "data", host="0.0.0.0")
    report = build_index([folder / "referat.txt", folder / "kyst.pdf"], config=config)
    assert not report.errors, report.errors
    return config, folder


@pytest.fixture(scope="module")
def with_users(tmp_path_factory, embedding_model) -> Iterator[tuple[str, object, Path]]:
    import users

    config, folder = _index(tmp_path_factory.mktemp("users"))
    users.add_user("redaktoer", "editor", PASSWORD, config)
    users.add_user("laeser", "reader", PASSWORD, config)
    demo, url = _launch(config)
    try:
        yield url, config, folder
    finally:
        demo.close()


HOSTILE = ("REFERAT\nDato: 14-05-2024 10:00\n1.1. Cykelstier i regionen\nSAG-2024-00007\nBeslutning\n"
           "KKR Syddanmark besluttede at udbygge cykelstier <img src=\"http://127.0.0.1:9/pixel.png\"> og "
           "[se mere](http://127.0.0.1:9/link) i hele regionen.\n")


@pytest.fixture(scope="module")
def read_only(tmp_path_factory, embedding_model) -> Iterator[tuple[str, object]]:
    from index.store import build_index

    root = tmp_path_factory.mktemp("readonly")
    config, folder = _index(root)
    (folder / "cykler.txt").write_text(HOSTILE, encoding="utf-8")
    assert not build_index([folder / "cykler.txt"], config=config).errors
    demo, url = _launch(config)
    try:
        yield url, config
    finally:
        demo.close()


def _get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _client(url: str, name: str | None = None):
    from gradio_client import Client

    return Client(url + "/", auth=(name, PASSWORD) if name else None, verbose=False)


def _upload(client, path: Path) -> str:
    from gradio_client import handle_file

    status, _meetings, _uploaded = client.predict([handle_file(str(path))], api_name="/upload")
    return str(status)


def _refused_upload(client, path: Path) -> str:
    """What a client that may not add documents is told: Gradio's file route refuses the file (403)."""
    try:
        return _upload(client, path).replace("\\", "")
    except Exception as error:  # noqa: BLE001  (gradio_client raises on the 403, with the server's text or not)
        return str(error)


def _chunk_sources(config) -> set[str]:
    from index.chroma import open_collection

    return {str(m["source"]) for m in open_collection(config).get(include=["metadatas"])["metadatas"]}


def test_anonymous_client_cannot_reach_a_signed_in_app(with_users) -> None:
    url, config, _ = with_users
    before = _chunk_sources(config)
    with pytest.raises(Exception):  # noqa: B017  (gradio_client fails on the 401 in several ways)
        _client(url)
    status, _, _ = _get(url + "/gradio_api/info")
    assert status == 401
    assert _chunk_sources(config) == before


def test_reader_cannot_upload_but_editor_can_and_the_upload_is_marked(with_users, tmp_path: Path) -> None:
    url, config, _ = with_users
    fake = tmp_path / "falsk-referat.txt"
    fake.write_text(FAKE, encoding="utf-8")
    before = _chunk_sources(config)

    reader = _client(url, "laeser")
    refused = _refused_upload(reader, fake)
    assert "kun redaktører" in refused or "403" in refused, refused
    # The event handler checks the role itself, whatever reached it.
    assert "kun redaktører" in reader.predict(None, api_name="/upload")[0].replace("\\", "")
    assert _chunk_sources(config) == before
    assert not (config.uploads_dir / fake.name).exists()

    editor = _client(url, "redaktoer")
    added = _upload(editor, fake).replace("\\", "")  # the status is Markdown, its punctuation escaped
    assert "er indlæst" in added, added
    assert "angiver samme møde (21.11.2023) og punkt 1.1 som referat.txt" in added, added

    history, sources, _ = editor.predict(
        "Hvad besluttede KKR om botilbud og lånepulje?", [], "Alle", "Alle", [], "Alle", "Alle",
        api_name="/respond")
    answer = history[-1]["content"]
    text = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
    today = date.today()
    assert "uploadet af redaktoer den" in text, text
    assert f"{today.year}" in text
    assert "uploadet af redaktoer" in sources.lower()


def test_ask_json_says_which_citation_was_uploaded(with_users) -> None:
    from assistant.service import ask

    _url, config, _ = with_users
    settings.get_settings.cache_clear()
    from assistant.retrieval import HybridRetriever

    answer = ask("Hvad besluttede KKR om nedlæggelse af botilbud?", retriever=HybridRetriever(config))
    cited = [c.to_json() for c in answer.citations]
    uploaded = [c for c in cited if c["uploaded"]]
    assert uploaded and uploaded[0]["uploaded_by"] == "redaktoer", cited
    assert all(c["uploaded_by"] is None for c in cited if not c["uploaded"])
    assert "Bemærk: [" in answer.text and "uploadet af redaktoer" in answer.text


def test_only_indexed_documents_are_served_by_id(with_users) -> None:
    from index.parsing import file_hash

    url, _config, folder = with_users
    for secret in (folder / ".env", folder / "sub" / "id_rsa", folder / "referat.txt"):
        status, _, body = _get(f"{url}/gradio_api/file={secret}")
        assert status in (401, 403, 404), (secret.name, status)
    document = file_hash(folder / "kyst.pdf")
    status, _, _ = _get(f"{url}/dokument/{document}")
    assert status == 401  # not signed in
    cookie = _login_cookie(url, "laeser")
    status, _headers, body = _get(f"{url}/dokument/{document}", {"Cookie": cookie})
    assert status == 200 and body.startswith(b"%PDF")
    for guess in ("..%2F.env", "0" * 64, ".env"):
        status, _, body = _get(f"{url}/dokument/{guess}", {"Cookie": cookie})
        assert status == 404 and b"SECRET" not in body


def _login_cookie(url: str, name: str) -> str:
    from urllib.parse import urlencode

    request = urllib.request.Request(url + "/login", data=urlencode({"username": name, "password": PASSWORD}).encode(),
                                     method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return "; ".join(value.split(";", 1)[0] for key, value in response.headers.items() if key == "set-cookie")


@pytest.mark.parametrize("path", ["/", "/gradio_api/info", "/dokument/0", "/login"])
def test_security_headers_on_every_response(with_users, path: str) -> None:
    url, _, _ = with_users
    _, headers, _ = _get(url + path)
    lowered = {key.lower(): value for key, value in headers.items()}
    assert "default-src 'self'" in lowered["content-security-policy"]
    assert lowered["x-frame-options"] == "DENY"
    assert lowered["x-content-type-options"] == "nosniff"


def test_without_users_beyond_loopback_no_one_can_upload(read_only, tmp_path: Path) -> None:
    url, config = read_only
    fake = write_meeting(tmp_path / "ny.txt", "psykiatri")
    before = _chunk_sources(config)
    client = _client(url)
    status = _refused_upload(client, fake)
    assert "skrivebeskyttet" in status or "403" in status, status
    assert "skrivebeskyttet" in client.predict(None, api_name="/upload")[0].replace("\\", "")
    request = urllib.request.Request(url + "/gradio_api/upload", data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)
    assert refused.value.code == 403 and "skrivebeskyttet" in refused.value.read().decode()
    assert _chunk_sources(config) == before
    history, *_ = client.predict("Hvad blev der besluttet om botilbud?", [], "Alle", "Alle", [], "Alle", "Alle",
                                 api_name="/respond")
    assert "21. november 2023" in str(history[-1]["content"])


def test_users_command_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {"MINUTES_DATA_DIR": str(tmp_path / "data")}

    def run(*args: str, password: str = PASSWORD) -> subprocess.CompletedProcess:
        import os

        return subprocess.run([sys.executable, "-m", "app", "users", *args], cwd=settings.REPO_ROOT, input=password + "\n",
                              env={**os.environ, **env}, capture_output=True, text=True, timeout=120, check=False)

    assert run("add", "mette", "--role", "editor").returncode == 0
    assert run("add", "mette", "--role", "reader").returncode == 2
    assert "mindst" in run("add", "ole", password="kort").stderr
    assert run("passwd", "mette", password="nyt-ord-12345").returncode == 0
    stored = json.loads((tmp_path / "data" / "users.json").read_text(encoding="utf-8"))
    assert stored["users"]["mette"]["role"] == "editor"
    assert "nyt-ord" not in json.dumps(stored) and stored["users"]["mette"]["hash"].startswith("$2")
    import users

    config = dataclasses.replace(settings.get_settings(), data_dir=tmp_path / "data")
    assert users.check_password("mette", "nyt-ord-12345", config)
    assert not users.check_password("mette", PASSWORD, config)
    assert run("remove", "mette").returncode == 0
    assert not users.has_users(config)


def test_text_from_a_meeting_is_never_markup() -> None:
    from app import markdown_text

    hostile = 'Se <img src="http://example.invalid/p.png"> og [klik](http://x.invalid) **fed** ![b](y)'
    escaped = markdown_text(hostile)
    assert "\\<img" in escaped and "](" not in escaped and "**" not in escaped and "http:" not in escaped
    assert meeting_text()  # the tiny meeting stays plain text


@pytest.mark.browser
def test_markup_in_a_document_renders_as_text_and_fetches_nothing(read_only, browser) -> None:  # noqa: F811
    from tests.test_app import ANSWER_TIMEOUT_MS, _type_question, _wait_for_chat_text

    url, _ = read_only
    context = browser.new_context(locale="da-DK")
    try:
        page = context.new_page()
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        response = page.goto(url + "/", wait_until="domcontentloaded")
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
        expect_note = page.locator("#access-note")
        expect_note.wait_for(state="visible", timeout=ANSWER_TIMEOUT_MS)
        assert "skrivebeskyttet" in expect_note.inner_text()
        assert page.locator("#documents").count() == 0 or not page.locator("#documents").is_visible()

        _type_question(page, "Hvad blev der besluttet om cykelstier?")
        page.locator("#send").click()
        text = _wait_for_chat_text(page, "Kilder:", '<img src="http://127.0.0.1:9/pixel.png">')
        assert "se mere" in text, text  # ingestion keeps a Markdown link's words, never its address
        assert page.locator('#chat img[src*="pixel"]').count() == 0
        assert page.locator('#chat a[href*="127.0.0.1:9"]').count() == 0
        assert not [address for address in requested if "127.0.0.1:9/" in address], requested
    finally:
        context.close()


def test_a_reverse_proxys_header_names_the_user(with_users, tmp_path: Path) -> None:
    """A second app over the same index, signing users in by a proxy's header instead of its login page."""
    from gradio_client import Client

    from index.chroma import open_collection

    _, config, _ = with_users
    demo, url = _launch(dataclasses.replace(config, auth_header="X-Remote-User"))
    try:
        assert _get(url + "/gradio_api/info")[0] == 401  # no header: the proxy did not sign anyone in
        fake = write_meeting(tmp_path / "proxy.txt", "psykiatri")
        unknown = Client(url + "/", headers={"X-Remote-User": "ukendt"}, verbose=False)  # not in the file: reader
        refused = _refused_upload(unknown, fake)
        assert "kun redaktører" in refused or "403" in refused, refused
        editor = Client(url + "/", headers={"X-Remote-User": "redaktoer"}, verbose=False)
        assert "er indlæst" in _upload(editor, fake).replace("\\", "")
        stored = open_collection(config).get(where={"source": "uploads/proxy.txt"}, include=["metadatas"])
        assert stored["ids"] and {m["uploaded_by"] for m in stored["metadatas"]} == {"redaktoer"}
    finally:
        demo.close()


def test_readers_cannot_remove_documents_and_editors_can(with_users) -> None:
    url, config, _ = with_users
    key = "uploads/falsk-referat.txt"
    assert key in _chunk_sources(config)  # added by the editor above
    refused = _client(url, "laeser").predict(key, api_name="/remove")[0].replace("\\", "")
    assert "kun redaktører" in refused and key in _chunk_sources(config)
    editor = _client(url, "redaktoer")
    for outside in ("referat.txt", "uploads/../users.json"):
        assert "kan ikke fjernes" in editor.predict(outside, api_name="/remove")[0].replace("\\", "")
    removed = editor.predict(key, api_name="/remove")[0].replace("\\", "")
    assert "er fjernet" in removed, removed
    assert key not in _chunk_sources(config)
    assert not (config.uploads_dir / "falsk-referat.txt").exists()
