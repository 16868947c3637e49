"""The Gradio chat: ask the minutes in Danish, read cited answers, check the sources.

``python app.py`` provisions the model, brings the index of the bundled corpus
up to date, and serves on 127.0.0.1 (MINUTES_HOST opens it up) with analytics off.
"""

from __future__ import annotations

import html
import logging
import re
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import quote

import settings  # noqa: F401  (offline environment and analytics off before gradio loads)

# isort: split
import gradio as gr

from assistant.answer import Answer, Citation, long_date, upper_first
from assistant.question import QuestionError
from assistant.retrieval import Filters, HybridRetriever, shared_retriever
from assistant.service import ask
from index.chroma import IndexMismatchError, StoreUnavailableError, store_error
from index.embedding import ModelError
from index.identity import display_name
from index.store import build_index, indexed_directories
from index.uploads import add_upload, clear_staging
from settings import Settings, get_settings

log = logging.getLogger(__name__)

TITLE = "Spørg KKR Syddanmarks mødereferater"
EXAMPLES = [
    "Hvad blev der besluttet om botilbud?",
    "Hvornår har KKR tidligere behandlet dimensionering af pædagoguddannelsen?",
    "Hvor mange lærepladser på SOSU-uddannelserne blev fordelt for 2026?",
    "Hvad skete der med Fremskudt funktion i 2021?",
]
ALL = "Alle"
STREAM_STEP = 6  # words per streamed update
UPLOAD_SUFFIXES = [".pdf", ".txt", ".md"]


def meeting_choices(retriever: HybridRetriever) -> list[tuple[str, str]]:
    """(label, source) pairs for the meeting filter, in date order."""
    choices = []
    for meeting in retriever.sources():
        when = long_date(meeting["meeting_date"], meeting.get("meeting_year"))
        choices.append((f"{when} – {meeting['doc_type']} ({display_name(meeting['source'])})", meeting["source"]))
    return choices


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
    """A link that opens a cited PDF at its page; text sources get none (the whole item is shown).

    The path is URL-encoded: a '#' or '?' in a file name would otherwise cut the link short.
    """
    if not citation.source.lower().endswith(".pdf"):
        return ""
    chunks = retriever.item_chunks(citation.source, citation.item)
    metadata = chunks[0].metadata if chunks else {}
    directory = str(metadata.get("source_dir", ""))
    if not directory:
        return ""
    path = Path(directory) / str(metadata.get("file_name") or display_name(citation.source))
    page = f"#page={citation.page}" if citation.page else ""
    return (f'<a href="/gradio_api/file={html.escape(quote(str(path)))}{page}" target="_blank">'
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
            f"{layout if unrecognised else ''}</p>"
            f"<blockquote>{highlight(citation.passage, citation.highlights)}</blockquote>"
            f"{file_link(citation, retriever)}"
            f"<details><summary>Vis hele punktet</summary><div>{highlight(item_text, citation.highlights)}</div>"
            f"</details></div>"
        )
    parts.append("</div>")
    return "".join(parts)


def error_message(error: Exception, config: Settings) -> str:
    """The Danish line a failed question gets in the chat."""
    if isinstance(error, QuestionError):
        return str(error)
    if (unavailable := store_error(error, config)) is not None:
        return str(unavailable)
    return (f"Spørgsmålet kunne ikke besvares på grund af en uventet fejl ({type(error).__name__}). "
            "Prøv at formulere det anderledes.")


def answer_markdown(answer: Answer) -> str:
    text = answer.text
    if answer.citations:
        text += "\n\n**Kilder:**\n" + "\n".join(f"{c.number}. {c.label()} ({c.section})" for c in answer.citations)
    if answer.note:
        text += f"\n\n_{answer.note}_"
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
        filters = make_filters(year_from, year_to, meetings, doc_type, committee)
        try:
            # ask() first reloads what changed since the last question (an upload here or in another
            # instance, an `index build`); the folders of newly indexed files are served from then on.
            answer = ask(question, filters=filters, previous_question=previous, retriever=retriever)
            if log.isEnabledFor(logging.DEBUG):
                log.debug("Svaret på %r:\n%s", answer.question, "\n".join(answer.explanation))
            serve_indexed_folders(demo, retriever, config)
        except Exception as error:  # noqa: BLE001  (one Danish line in the chat, never Gradio's generic error)
            message = error_message(error, config)
            shown = question if len(question) <= 300 else question[:300] + " …"
            history += [{"role": "user", "content": shown}, {"role": "assistant", "content": f"⚠️ {message}"}]
            yield history, previous, gr.update(), ""
            return
        history += [{"role": "user", "content": answer.question}, {"role": "assistant", "content": ""}]
        sources = sources_html(answer, retriever)
        for partial in stream_words(answer_markdown(answer)):
            history[-1] = {"role": "assistant", "content": partial}
            yield history, answer.question, sources, ""
        history[-1] = {"role": "assistant", "content": answer_markdown(answer)}
        yield history, answer.question, sources, ""

    def upload(files, progress=gr.Progress()):  # noqa: B008  (Gradio's way of asking for a progress bar)
        if not files:
            return "Vælg en eller flere filer (PDF, .txt eller .md).", gr.update()
        lines = []
        for number, file in enumerate(files, start=1):
            source = Path(file if isinstance(file, str) else file.name)
            progress(0, desc=f"Indlæser {source.name} ({number} af {len(files)}) …")

            def embedded(done: int, total: int, label: str, number=number) -> None:
                progress(done / max(total, 1), desc=f"Indlejrer {label} ({number} af {len(files)}): "
                                                    f"{done} af {total} tekststykker")

            try:
                lines.append(add_upload(source, config=config, progress=embedded).message)
            except Exception as error:  # noqa: BLE001  (add_upload has removed its file and chunks; say so, go on)
                if (unavailable := store_error(error, config)) is not None:
                    lines.append(f"❌ {source.name}: {unavailable} Filen er ikke gemt.")
                    break  # the next files would meet the same server
                lines.append(f"❌ {source.name}: filen kunne ikke indlæses på grund af en uventet fejl "
                             f"({type(error).__name__}); intet er gemt.")
        try:
            retriever.refresh()
        except Exception as error:  # the server went away after the upload: the next question says so
            if store_error(error, config) is None:
                raise
        return "\n\n".join(lines), gr.update(choices=meeting_choices(retriever))

    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.Markdown(f"# {TITLE}\nStil spørgsmål på dansk. Hvert svar henviser til mødedato og punktnummer.")
        previous = gr.State(None)
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Samtale", height=480, elem_id="chat")
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
                with gr.Accordion("Tilføj dokumenter", open=False):
                    files = gr.File(label=f"PDF, .txt eller .md (højst {config.max_upload_mb:g} MB pr. fil)",
                                    file_count="multiple", file_types=UPLOAD_SUFFIXES,
                                    elem_id="upload")
                    upload_status = gr.Markdown(startup_notice(notices), elem_id="upload-status")
        inputs = [question, chat, previous, year_from, year_to, meetings, doc_type, committee]
        outputs = [chat, previous, sources, question]
        send.click(respond, inputs, outputs)
        question.submit(respond, inputs, outputs)
        clear.click(lambda: ([], None, sources_html(None, retriever), ""), None, [chat, previous, sources, question])
        # Uploads queue on their own, one at a time: a long indexing never takes a question's place.
        files.upload(upload, files, [upload_status, meetings], concurrency_limit=1, concurrency_id="upload")
    demo.queue(default_concurrency_limit=config.concurrency)
    return demo


def startup_notice(notices: list[str] | None) -> str:
    if not notices:
        return ""
    return "Disse filer kunne ikke indlæses, da appen startede:\n\n" + "\n\n".join(f"❌ {n}" for n in notices)


def prepare(config: Settings) -> tuple[HybridRetriever, list[str]]:
    """Model provisioned, bundled corpus and earlier uploads indexed (incrementally), retriever loaded.

    A bad corpus file does not stop the app: it is printed and returned, to be shown in the app.
    """
    from index.model import ensure_local_model

    if config.embed_model == str(config.local_model_dir):
        ensure_local_model(config)
    config.uploads_dir.mkdir(parents=True, exist_ok=True)
    clear_staging(config)
    report = build_index([config.corpus_dir, config.uploads_dir], config=config, progress=True)
    print(report.summary(), flush=True)
    for error in report.errors:
        print(f"fejl: {error}", file=sys.stderr, flush=True)
    return shared_retriever(config), report.errors


_SERVED_VERSION: dict[int, str | None] = {}


def serve_indexed_folders(demo: gr.Blocks, retriever: HybridRetriever, config: Settings) -> None:
    """Add the folders of files indexed since launch to what Gradio serves (it reads the list per request),
    so their "Åbn PDF'en" links open; checked only when the indexed chunks changed."""
    if _SERVED_VERSION.get(id(demo)) == retriever.version:
        return
    _SERVED_VERSION[id(demo)] = retriever.version
    served = set(getattr(demo, "allowed_paths", None) or [])
    new = {str(folder) for folder in indexed_directories(config)} - served
    if new:
        demo.allowed_paths = sorted(served | new)


def launch(demo: gr.Blocks, config: Settings, *, port: int | None = None, block: bool = True) -> None:
    """Serve on the configured host (127.0.0.1 unless MINUTES_HOST says otherwise), analytics off.

    Only the folders the index was built from (the bundled corpus, the uploads
    folder and any folder given to ``index build``) are served as files, so a
    cited PDF opens at its page and nothing else on the disk is reachable.
    Gradio refuses uploads over the size limit before they reach the app.
    """
    served = {str(config.uploads_dir), str(config.corpus_dir), *map(str, indexed_directories(config))}
    demo.launch(
        server_name=config.host,
        server_port=port or config.port,
        allowed_paths=sorted(served),
        max_file_size=config.max_upload_bytes,
        share=False,
        show_error=False,
        prevent_thread_lock=not block,
        quiet=not block,
    )


def main() -> None:
    config = get_settings()
    try:
        retriever, notices = prepare(config)
    except (IndexMismatchError, ModelError, StoreUnavailableError) as error:  # say what to fix, no traceback
        print(f"fejl: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    except Exception as error:
        if (unavailable := store_error(error, config)) is None:
            raise
        print(f"fejl: {unavailable}", file=sys.stderr)
        raise SystemExit(2) from None
    demo = build_app(retriever, config, notices)
    print(f"Åbn http://{config.host}:{config.port} i din browser.", flush=True)
    launch(demo, config)


if __name__ == "__main__":
    main()
