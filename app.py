"""The Gradio chat: ask the minutes in Danish, read cited answers, check the sources.

``python app.py`` provisions the model, brings the index of the bundled corpus
up to date, warms up everything a question or an upload needs, and only then
serves on 127.0.0.1 (MINUTES_HOST opens it up) with analytics off.

Who may do what (access.py): on loopback with no users it is open as before;
with users (``python -m app users add NAME --role editor``) everyone signs in,
readers ask and editors also add and remove documents; behind a single sign-on
proxy the user is read from MINUTES_AUTH_HEADER. Listening beyond loopback with
no users, it is read-only. Roles are checked in the event handlers themselves,
so an API client gets no further than the page's buttons.

Only the files of indexed documents are served, by document id
(``/dokument/<id>``); every response carries a Content-Security-Policy,
X-Frame-Options and X-Content-Type-Options; text from documents reaches the
chat escaped.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import settings  # noqa: F401  (offline environment and analytics off before gradio loads)

# isort: split
import gradio as gr

import access
import serving
from assistant.answer import Answer, Citation, long_date, upper_first
from assistant.question import QuestionError
from assistant.retrieval import Filters, HybridRetriever, shared_retriever
from assistant.service import ask
from index.chroma import IndexMismatchError, StoreUnavailableError, store_error
from index.embedding import ModelError
from index.errors import disk_message, disk_problem
from index.identity import UPLOADS_PREFIX, display_name
from index.store import build_index
from index.uploads import UploadFailed, add_upload, clear_staging, data_dir_label, remove_upload
from settings import Settings, get_settings

logger = logging.getLogger("app")

TITLE = "Spørg KKR Syddanmarks mødereferater"
EXAMPLES = [
    "Hvad blev der besluttet om botilbud?",
    "Hvornår har KKR tidligere behandlet dimensionering af pædagoguddannelsen?",
    "Hvor mange lærepladser på SOSU-uddannelserne blev fordelt for 2026?",
    "Hvad skete der med Fremskudt funktion i 2021?",
]
ALL = "Alle"
STREAM_STEP = 6  # words per streamed update
UPLOAD_SUFFIXES = [".pdf", ".txt", ".md", ".html", ".htm"]


def meeting_choices(retriever: HybridRetriever) -> list[tuple[str, str]]:
    """(label, token) pairs for the meeting filter, in date order.

    The value is a token of the document's key, not the key: a file indexed from another folder is keyed
    by its absolute path, which the page must not show.
    """
    choices = []
    for meeting in retriever.sources():
        when = long_date(meeting["meeting_date"], meeting.get("meeting_year"))
        choices.append((f"{when} – {meeting['doc_type']} ({display_name(meeting['source'])})",
                        source_token(meeting["source"])))
    return choices


def source_token(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def chosen_sources(tokens: list[str] | None, retriever: HybridRetriever) -> list[str]:
    """The document keys of the meetings chosen in the filter."""
    wanted = set(tokens or ())
    return [m["source"] for m in retriever.sources() if source_token(m["source"]) in wanted]


def year_choices(retriever: HybridRetriever) -> list[str]:
    years = {str(m.get("meeting_year")) for m in retriever.sources() if m.get("meeting_year")}
    return [ALL, *sorted(years)]


def committee_choices(retriever: HybridRetriever) -> list[str]:
    """Every committee in the index: each document names its own."""
    return [ALL, *sorted({str(m["committee"]) for m in retriever.sources() if m.get("committee")})]


def make_filters(
    year_from: str, year_to: str, meetings: list[str] | None, doc_type: str, committee: str | None = ALL
) -> Filters:
    return Filters(
        date_from=date(int(year_from), 1, 1) if year_from and year_from != ALL else None,
        date_to=date(int(year_to), 12, 31) if year_to and year_to != ALL else None,
        sources=tuple(meetings or ()),
        doc_type=None if doc_type == ALL else doc_type,
        committee=None if not committee or committee == ALL else committee,
    )


def highlight(passage: str, sentences: list[str]) -> str:
    """The passage as HTML, with the quoted sentences marked."""
    escaped = html.escape(passage)
    for sentence in sorted(set(sentences), key=len, reverse=True):
        escaped = escaped.replace(html.escape(sentence), f"<mark>{html.escape(sentence)}</mark>")
    return escaped.replace("\n\n", "<br><br>")


def file_link(citation: Citation, retriever: HybridRetriever) -> str:
    """A link that opens a cited PDF at its page, by document id (access.DOCUMENT_ROUTE); text sources get
    none (the whole item is shown). No path of the server's appears in it."""
    if not citation.source.lower().endswith(".pdf"):
        return ""
    chunks = retriever.item_chunks(citation.source, citation.item)
    document_id = str(chunks[0].metadata.get("file_hash", "")) if chunks else ""
    if not document_id:
        return ""
    page = f"#page={citation.page}" if citation.page else ""
    return (f'<a href="{access.DOCUMENT_ROUTE}/{html.escape(document_id)}{page}" target="_blank" rel="noopener">'
            f"Åbn PDF'en{' på side ' + str(citation.page) if citation.page else ''}</a>")


def sources_html(answer: Answer | None, retriever: HybridRetriever) -> str:
    if answer is None:
        return "<p><em>Kilderne til svaret vises her.</em></p>"
    if not answer.citations:
        return "<p><em>Ingen kilder: svaret blev ikke fundet i mødematerialet.</em></p>"
    parts = ['<div class="sources">']
    for citation in answer.citations:
        item_text = "\n\n".join(
            f"{section.name}: {section.text}" for section in retriever.item_sections(citation.source, citation.item)
        )
        page = f", side {citation.page}" if citation.page else ""
        chunks = retriever.item_chunks(citation.source, citation.item)
        unrecognised = bool(chunks) and chunks[0].metadata.get("layout") == "fallback"
        layout = "<br><em>Dokumentets punkter blev ikke genkendt; det er delt efter overskrifter eller sider.</em>"
        parts.append(
            f'<div class="source" data-item="{html.escape(citation.item)}">'
            f"<h4>[{citation.number}] {html.escape(long_date(citation.meeting_date, citation.meeting_year))} · "
            f"{html.escape(citation.committee)}, {html.escape(citation.doc_type)}</h4>"
            f"<p><strong>{html.escape(upper_first(citation.where()))}</strong><br>"
            f"Afsnit: {html.escape(citation.section)}{page} · {html.escape(display_name(citation.source))}"
            f"{layout if unrecognised else ''}{_provenance_html(citation)}</p>"
            f"<blockquote>{highlight(citation.passage, citation.highlights)}</blockquote>"
            f"{file_link(citation, retriever)}"
            f"<details><summary>Vis hele punktet</summary><div>{highlight(item_text, citation.highlights)}</div>"
            f"</details></div>"
        )
    parts.append("</div>")
    return "".join(parts)


def _provenance_html(citation: Citation) -> str:
    """An uploaded document's citation says so, by whom and when: it is not the material's own minutes."""
    note = citation.provenance()
    return f'<br><strong class="uploaded">⚠️ {html.escape(upper_first(note))}</strong>' if note else ""


def error_message(error: Exception, config: Settings) -> str:
    """The Danish line a failed question gets in the chat; an unexpected error is logged with its traceback."""
    if isinstance(error, QuestionError):
        return str(error)
    if (unavailable := store_error(error, config)) is not None:
        return str(unavailable)
    if (disk := disk_message(error, data_dir_label(config))) is not None:
        logger.warning("Spørgsmål ramte en disk, der ikke kan skrives på: %s", error)
        return f"{disk} Spørgsmålet kunne ikke besvares lige nu; prøv igen, når der er ryddet op."
    logger.exception("Uventet fejl under et spørgsmål", exc_info=error)
    return (f"Spørgsmålet kunne ikke besvares på grund af en uventet fejl ({type(error).__name__}). "
            "Prøv at formulere det anderledes.")


# Markdown would turn a document's "<img src=…>", "[tekst](url)", "**", "$…$" or a bare URL into markup. CommonMark
# reads a backslash before any ASCII punctuation as that character, so the characters that open markup are
# escaped everywhere, and those that open a block (a list, a heading, a quote) where a line starts.
_MARKUP = re.compile(r"([\\`*_\[\]()!#|~:@$&{}<>])")
_WWW = re.compile(r"(?i)\b(www)\.")
_BLOCK_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)([.)]))")
_LIST_MARKER = re.compile(r"^(- |\d+\. )")


def markdown_text(text: str) -> str:
    """``text`` as Markdown that renders as exactly that text, never as a tag, link or image; the list
    markers our own answers begin lines with ("- ", "1. ") stay lists."""
    lines = []
    for line in text.split("\n"):
        marker = _LIST_MARKER.match(line)
        prefix = marker.group(1) if marker else ""
        body = _WWW.sub(r"\1\\.", _MARKUP.sub(r"\\\1", line[len(prefix):]))
        if not prefix:
            body = _BLOCK_START.sub(_escaped_block_start, body)
        lines.append(prefix + body)
    return "\n".join(lines)


def _escaped_block_start(match: re.Match) -> str:
    indent, sign, number, dot = match.groups()
    return f"{indent}\\{sign}" if sign else f"{indent}{number}\\{dot}"


def answer_markdown(answer: Answer) -> str:
    text = markdown_text(answer.text)
    if answer.citations:
        text += "\n\n**Kilder:**\n" + "\n".join(
            f"{c.number}. {markdown_text(c.label())} ({markdown_text(c.section)})" for c in answer.citations)
    if answer.note:
        text += f"\n\n_{markdown_text(answer.note)}_"
    return text


def stream_words(text: str) -> Iterator[str]:
    words = re.split(r"(\s+)", text)
    for end in range(0, len(words), STREAM_STEP * 2):
        yield "".join(words[: end + STREAM_STEP * 2])
        time.sleep(0.01)


def build_app(
    retriever: HybridRetriever | None = None, config: Settings | None = None, notices: list[str] | None = None
) -> gr.Blocks:
    """The app; ``notices`` are the corpus files that could not be read at start, shown under uploads."""
    config = config or get_settings()
    retriever = retriever or shared_retriever(config)

    def respond(question, history, previous, year_from, year_to, meetings, doc_type, committee=ALL):
        history = list(history or [])
        question = question or ""
        filters = make_filters(year_from, year_to, chosen_sources(meetings, retriever), doc_type, committee)
        try:
            # ask() first reloads what changed since the last question (an upload here or in another
            # instance, an `index build`).
            answer = ask(question, filters=filters, previous_question=previous, retriever=retriever)
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("Svaret på %r:\n%s", answer.question, "\n".join(answer.explanation))
        except Exception as error:  # noqa: BLE001  (one Danish line in the chat, never Gradio's generic error)
            message = error_message(error, config)
            shown = question if len(question) <= 300 else question[:300] + " …"
            history += [{"role": "user", "content": markdown_text(shown)},
                        {"role": "assistant", "content": f"⚠️ {markdown_text(message)}"}]
            yield history, previous, gr.update(), ""
            return
        history += [{"role": "user", "content": markdown_text(answer.question)}, {"role": "assistant", "content": ""}]
        sources = sources_html(answer, retriever)
        for partial in stream_words(answer_markdown(answer)):
            history[-1] = {"role": "assistant", "content": partial}
            yield history, answer.question, sources, ""
        history[-1] = {"role": "assistant", "content": answer_markdown(answer)}
        yield history, answer.question, sources, ""

    def upload(files, request: gr.Request, progress=gr.Progress()):  # noqa: B008  (Gradio's progress bar)
        allowed, user, refusal = access.may_edit(request, config)
        if not allowed:  # checked here, not only by hiding the panel: an API client calls this directly
            logger.warning("Upload afvist for %s", user or "en anonym bruger")
            return refusal, gr.update(), gr.update()
        if not files:
            return "Vælg en eller flere filer (PDF, .txt eller .md).", gr.update(), gr.update()
        lines = []
        for number, file in enumerate(files, start=1):
            source = Path(file if isinstance(file, str) else file.name)
            progress(0, desc=f"Indlæser {source.name} ({number} af {len(files)}) …")

            def embedded(done: int, total: int, label: str, number=number) -> None:
                progress(done / max(total, 1), desc=f"Indlejrer {label} ({number} af {len(files)}): "
                                                    f"{done} af {total} tekststykker")

            try:
                result = add_upload(source, config=config, progress=embedded, uploaded_by=user)
                lines.append(result.message)
                logger.info("Upload af %s ved %s: %s", result.name, user or "en anonym bruger", result.status)
            except Exception as error:  # noqa: BLE001  (say truthfully what is left, go on with the next file)
                line, stop = upload_failure(source.name, error, config)
                lines.append(line)
                if stop:
                    break  # the next files would meet the same server or disk
        refresh_after_write(retriever, config)
        return "\n\n".join(markdown_text(line) for line in lines), gr.update(choices=meeting_choices(retriever)), \
            gr.update(choices=upload_choices(retriever), value=None)

    def remove(key, request: gr.Request):
        allowed, user, refusal = access.may_edit(request, config)
        if not allowed:
            logger.warning("Fjernelse afvist for %s", user or "en anonym bruger")
            return refusal, gr.update(), gr.update()
        if not key:
            return "Vælg et uploadet dokument.", gr.update(), gr.update()
        try:
            message = remove_upload(str(key), config)
            logger.info("%s fjernede %s", user or "en anonym bruger", key)
        except Exception as error:  # noqa: BLE001  (a Danish line, logged when unexpected)
            message, _ = upload_failure(display_name(str(key)), error, config, removing=True)
        refresh_after_write(retriever, config)
        return markdown_text(message), gr.update(choices=meeting_choices(retriever)), \
            gr.update(choices=upload_choices(retriever), value=None)

    def on_load(request: gr.Request):
        allowed, user, refusal = access.may_edit(request, config)
        signed_in = f"Logget ind som **{markdown_text(user)}** ({access.role_name(user, config)})." if user else ""
        notice = "" if allowed else refusal
        return gr.update(visible=allowed), " ".join(part for part in (signed_in, notice) if part)

    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.Markdown(f"# {TITLE}\nStil spørgsmål på dansk. Hvert svar henviser til mødedato og punktnummer.")
        access_note = gr.Markdown(access.startup_note(config), elem_id="access-note")
        if access.mode(config) == "users":
            gr.Button("Log ud", link="/logout", size="sm", elem_id="logout")
        previous = gr.State(None)
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Samtale", height=480, elem_id="chat", latex_delimiters=[],
                                  sanitize_html=True)
                question = gr.Textbox(label="Dit spørgsmål", placeholder="Fx: Hvad blev der besluttet om botilbud?",
                                      elem_id="question", max_lines=4)
                with gr.Row():
                    send = gr.Button("Spørg", variant="primary", elem_id="send")
                    clear = gr.Button("Ny samtale", elem_id="new-conversation")
                gr.Examples(EXAMPLES, inputs=question, label="Eksempler")
            with gr.Column(scale=2):
                gr.Markdown("## Kilder")
                sources = gr.HTML(sources_html(None, retriever), elem_id="sources")
                with gr.Accordion("Filtre", open=False):
                    years = year_choices(retriever)
                    year_from = gr.Dropdown(years, value=ALL, label="Fra år")
                    year_to = gr.Dropdown(years, value=ALL, label="Til år")
                    meetings = gr.Dropdown(meeting_choices(retriever), multiselect=True, label="Møder")
                    committee = gr.Dropdown(committee_choices(retriever), value=ALL, label="Udvalg / råd")
                    doc_type = gr.Radio([ALL, "referat", "dagsorden"], value=ALL, label="Dokumenttype")
                with gr.Accordion("Tilføj dokumenter", open=False, visible=False, elem_id="documents") as editing:
                    files = gr.File(label=f"PDF, .txt eller .md (højst {config.max_upload_mb:g} MB pr. fil)",
                                    file_count="multiple", file_types=UPLOAD_SUFFIXES,
                                    elem_id="upload")
                    upload_status = gr.Markdown(startup_notice(notices), elem_id="upload-status")
                    # Custom values pass Gradio's check against the choices the page was built with (an API
                    # client's session never saw a later upload); remove_upload checks the key itself.
                    uploaded = gr.Dropdown(upload_choices(retriever), label="Fjern et uploadet dokument",
                                           elem_id="uploaded", allow_custom_value=True)
                    drop = gr.Button("Fjern", elem_id="remove")
        inputs = [question, chat, previous, year_from, year_to, meetings, doc_type, committee]
        outputs = [chat, previous, sources, question]
        send.click(respond, inputs, outputs)
        question.submit(respond, inputs, outputs)
        clear.click(lambda: ([], None, sources_html(None, retriever), ""), None, [chat, previous, sources, question])
        # Uploads queue on their own, one at a time: a long indexing never takes a question's place.
        files.upload(upload, files, [upload_status, meetings, uploaded], concurrency_limit=1,
                     concurrency_id="upload", api_name="upload")
        drop.click(remove, uploaded, [upload_status, meetings, uploaded], concurrency_limit=1,
                   concurrency_id="upload", api_name="remove")
        demo.load(on_load, None, [editing, access_note], api_name=False)
    demo.queue(default_concurrency_limit=config.concurrency)
    return demo


def refresh_after_write(retriever: HybridRetriever, config: Settings) -> None:
    """Reload what an upload or removal changed; if that fails, the next question reloads and says why."""
    try:
        retriever.refresh()
    except Exception as error:  # the server went away, or the disk: the next question reloads and says so
        if store_error(error, config) is None and disk_problem(error) is None:
            logger.exception("Indekset kunne ikke genindlæses efter en ændring")


def upload_choices(retriever: HybridRetriever) -> list[tuple[str, str]]:
    """The uploaded documents an editor may remove, by file name."""
    return [(display_name(m["source"]), m["source"]) for m in retriever.sources()
            if str(m["source"]).startswith(UPLOADS_PREFIX)]


def upload_failure(name: str, error: Exception, config: Settings, removing: bool = False) -> tuple[str, bool]:
    """The truthful Danish line for an upload (or removal) that failed, and whether to stop the batch."""
    cleaned = getattr(error, "cleaned", True)
    cause = error.cause if isinstance(error, UploadFailed) else error
    if removing:
        left = "; dokumentet er ikke fjernet"
    elif cleaned:
        left = "; intet er gemt"
    else:
        left = ("; filen er ikke gemt, og det, der nåede at blive skrevet, er skjult for søgningen "
                "og fjernes, når appen starter næste gang")
    if (unavailable := store_error(cause, config)) is not None:
        return f"❌ {name}: {unavailable}{left}.", True
    if (disk := disk_message(cause, data_dir_label(config))) is not None:
        logger.warning("%s: disken kunne ikke skrives: %s", name, cause)
        return f"❌ {name}: {disk.rstrip('.')}{left}.", True
    logger.error("Uventet fejl ved %s", name, exc_info=cause)
    return f"❌ {name}: filen kunne ikke behandles på grund af en uventet fejl ({type(cause).__name__}){left}.", False


def startup_notice(notices: list[str] | None) -> str:
    if not notices:
        return ""
    return "Disse filer kunne ikke indlæses, da appen startede:\n\n" + "\n\n".join(f"❌ {n}" for n in notices)


def prepare(config: Settings) -> tuple[HybridRetriever, list[str]]:
    """Model provisioned, bundled corpus and earlier uploads indexed (incrementally), retriever loaded, warm.

    A bad corpus file does not stop the app: it is logged and returned, to be shown in the app. A data dir
    that cannot be written (a read-only or full disk) does not either, when an index is there to answer from.
    """
    from index.model import ensure_local_model

    if config.embed_model == str(config.local_model_dir):
        ensure_local_model(config)
    errors: list[str] = []
    try:
        config.uploads_dir.mkdir(parents=True, exist_ok=True)
        clear_staging(config)
        report = build_index([config.corpus_dir, config.uploads_dir], config=config, progress=True)
        logger.info(report.summary())
        errors = report.errors
        for error in errors:
            logger.warning("fejl: %s", error)
    except Exception as error:
        if (disk := disk_message(error, data_dir_label(config))) is None:
            raise
        logger.warning("%s Indekset er ikke opdateret; appen svarer ud fra det, der allerede er indlæst.", disk)
        access.UNWRITABLE[config.data_dir] = disk
    retriever = shared_retriever(config)
    warm_up(retriever)
    return retriever, errors


def warm_up(retriever: HybridRetriever) -> None:
    """Import and load, before the port opens, everything a first question or upload would load lazily.

    A first upload sent together with questions raced two threads through
    nltk's lazy import, which left the module half-initialised for good.
    """
    import tempfile

    from index.chunking import chunk_document
    from index.parsing import parse_file
    from index.sentences import split_sentences

    split_sentences("Første sætning. Anden sætning.")
    with tempfile.TemporaryDirectory() as folder:
        sample = Path(folder) / "opvarmning.txt"
        sample.write_text("KKR Syddanmark\nReferat\nDato: 01-01-2024\n1.1. Punkt\nBeslutning\nTaget til efterretning.\n",
                          encoding="utf-8")
        chunk_document(parse_file(sample))
    import pypdf  # noqa: F401  (uploads read PDFs)

    try:
        ask("Hvad blev der besluttet?", retriever=retriever)
    except Exception:  # an empty index cannot answer; what matters is that everything loaded
        logger.debug("Opvarmningsspørgsmålet kunne ikke besvares", exc_info=True)


def launch(demo: gr.Blocks, config: Settings, *, port: int | None = None, block: bool = True) -> None:
    """Serve on the configured host (127.0.0.1 unless MINUTES_HOST says otherwise), analytics off.

    No folder is served as files: cited documents open through the document
    route (serving.py), by id. Sign-in follows access.mode. Gradio refuses
    uploads over the size limit before they reach the app.
    """
    access.log_mode(config)
    demo.launch(
        server_name=config.host,
        server_port=port or config.port,
        allowed_paths=[],
        max_file_size=config.max_upload_bytes,
        share=False,
        show_error=False,
        prevent_thread_lock=not block,
        quiet=not block,
        ssr_mode=False,
        app_kwargs=serving.app_options(config),
        **access.launch_options(config),
    )


def configure_logging(config: Settings) -> None:
    """One line per event on stderr at the configured level (MINUTES_LOG_LEVEL); tracebacks for the unexpected."""
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "chromadb", "urllib3", "sentence_transformers"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(config.log_level)))


def main() -> None:
    config = get_settings()
    configure_logging(config)
    try:
        retriever, notices = prepare(config)
    except (IndexMismatchError, ModelError, StoreUnavailableError, FileNotFoundError) as error:  # say what to fix
        logger.error("fejl: %s", error)
        raise SystemExit(2) from None
    except Exception as error:
        if (unavailable := store_error(error, config)) is None:
            logger.exception("Appen kunne ikke starte")
            raise SystemExit(1) from None
        logger.error("fejl: %s", unavailable)
        raise SystemExit(2) from None
    demo = build_app(retriever, config, notices)
    logger.info("Åbn http://%s:%s i din browser.", config.host, config.port)
    launch(demo, config)


if __name__ == "__main__":
    if sys.argv[1:2] == ["users"]:
        from users import users_command

        sys.exit(users_command(sys.argv[2:]))
    main()
