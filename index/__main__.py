"""Command line: ``python -m index inspect PATH... [--json]``, ``python -m index build [PATH...]``
and ``python -m index copy DATA_DIR`` (an index on disk to the configured store, e.g. a Chroma server).

Exit codes: 0 when every file was read (or at least one was, with errors
reported on stderr: 1 then), 2 for bad usage. Errors are one line per file,
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description="Indlæs mødereferater og dagsordener.")
    commands = parser.add_subparsers(dest="command", required=True)
    inspect = commands.add_parser("inspect", help="vis dagsordenspunkterne i filerne")
    inspect.add_argument("paths", nargs="+", type=Path)
    inspect.add_argument("--json", action="store_true", help="skriv JSON i stedet for en tabel")
    build = commands.add_parser("build", help="byg eller opdater søgeindekset")
    build.add_argument("paths", nargs="*", type=Path, help="filer eller mapper (standard: det medfølgende korpus)")
    build.add_argument("--prune", action=argparse.BooleanOptionalAction, default=None,
                       help="fjern dokumenter fra indekset, som ikke længere findes i de angivne mapper")
    build.add_argument("--rebuild", action="store_true", help="slet indekset og byg det forfra (fx efter modelskift)")
    copy = commands.add_parser("copy", help="kopiér søgeindekset i en datamappe på disk til det valgte lager, "
                                             "fx en Chroma-server (MINUTES_CHROMA_URL), uden at indlejre igen")
    copy.add_argument("data_dir", type=Path, help="datamappen med indekset (fx data)")
    args = parser.parse_args(argv)
    if args.command == "inspect":
        return _inspect(args.paths, args.json)
    if args.command == "copy":
        return _copy(args.data_dir)
    return _build(args.paths, args.prune, args.rebuild)


def _copy(data_dir: Path) -> int:
    from dataclasses import replace

    from index.chroma import IndexMismatchError, store_error
    from index.embedding import ModelError
    from index.store import copy_index

    config = settings.get_settings()
    source = replace(config, data_dir=data_dir.resolve(), chroma_url=None)
    try:
        chunks = copy_index(source, config)
    except (IndexMismatchError, ModelError, FileNotFoundError, ValueError) as error:
        if (unavailable := store_error(error, config)) is not None:
            error = unavailable
        print(f"fejl: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # a Chroma server that does not answer is one line; anything else a bug
        if (unavailable := store_error(error, config)) is None:
            raise
        print(f"fejl: {unavailable}", file=sys.stderr)
        return 2
    print(f"{chunks} tekststykker og deres sætningsvektorer er kopieret fra {source.chroma_dir} "
          f"til {config.store_location}.")
    return 0


def _inspect(paths: list[Path], as_json: bool) -> int:
    from index.inspect import format_table, inspect_paths

    items, errors = inspect_paths(paths)
    if as_json:
        print(json.dumps(items, ensure_ascii=False, indent=2))
    else:
        print(format_table(items))
    for error in errors:
        print(f"fejl: {error}", file=sys.stderr)
    return 1 if errors else 0


def _build(paths: list[Path], prune: bool | None, rebuild: bool) -> int:
    from index.chroma import IndexMismatchError, store_error
    from index.embedding import ModelError
    from index.store import build_index

    config = settings.get_settings()
    try:
        report = build_index(paths or [config.corpus_dir], prune=prune, progress=True, rebuild=rebuild)
    except (IndexMismatchError, ModelError) as error:
        print(f"fejl: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # a Chroma server that does not answer or a full disk is one line; else a bug
        from index.errors import disk_message

        problem = store_error(error, config) or disk_message(error, str(config.data_dir))
        if problem is None:
            raise
        print(f"fejl: {problem}", file=sys.stderr)
        return 2
    print(report.summary())
    for error in report.errors:
        print(f"fejl: {error}", file=sys.stderr)
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
