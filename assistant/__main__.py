"""Command line: ``python -m assistant ask [--json] [--explain] "question"`` or ``--questions FILE``.

With --questions the model and index load once and each answer is one JSON line;
a question that fails, for whatever reason, gets an error object on its line
and the batch goes on.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import settings  # (offline environment before any library loads)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="Spørg mødematerialet.")
    commands = parser.add_subparsers(dest="command", required=True)
    ask_parser = commands.add_parser("ask", help="stil et spørgsmål")
    ask_parser.add_argument("question", nargs="?", help="spørgsmålet")
    ask_parser.add_argument("--questions", type=Path, help="fil med ét spørgsmål pr. linje")
    ask_parser.add_argument("--json", action="store_true", help="skriv JSON")
    ask_parser.add_argument("--explain", action="store_true",
                            help="vis pr. del svartypen, de bedste kandidatsætninger med træk og score, og "
                                 "sandsynligheden for et svar")
    args = parser.parse_args(argv)
    if not args.question and not args.questions:
        parser.error("angiv et spørgsmål eller --questions FIL")

    from assistant.service import QuestionError, ask
    from index.chroma import IndexMismatchError, StoreUnavailableError, store_error
    from index.embedding import ModelError
    from index.errors import disk_message

    questions = [args.question] if args.question else _read_questions(args.questions)
    status = 0
    for question in questions:
        try:
            answer = ask(question)
        except (IndexMismatchError, FileNotFoundError, ModelError, StoreUnavailableError) as error:  # none can be
            print(f"fejl: {error}", file=sys.stderr)
            return 2
        except Exception as error:  # noqa: BLE001  (one bad question must not end a batch or show a traceback)
            if (unavailable := store_error(error)) is not None:  # the server went away: nor can the next ones
                print(f"fejl: {unavailable}", file=sys.stderr)
                return 2
            status = 1
            disk = disk_message(error, str(settings.get_settings().data_dir))
            message = str(error) if isinstance(error, QuestionError) else disk or _internal_error(error)
            payload = {"question": question, "error": message}
            print(json.dumps(payload, ensure_ascii=False) if args.json or args.questions else f"fejl: {message}",
                  flush=True)
            continue
        if args.questions:
            print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
        elif args.json:
            print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        else:
            print(answer.text)
            if answer.citations:
                print("\nKilder:\n" + answer.sources_markdown())
        if args.explain:
            print("\nForklaring:\n" + "\n".join(answer.explanation))
    return status


def _internal_error(error: Exception) -> str:
    return f"spørgsmålet kunne ikke besvares på grund af en intern fejl ({type(error).__name__})"


def _read_questions(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


if __name__ == "__main__":
    sys.exit(main())
