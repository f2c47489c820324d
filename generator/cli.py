"""The `catalogue` command: ingest, build, serve.

Every failure a user can cause prints one line naming the file and exits
non-zero; a traceback is shown only with --debug.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from generator import __version__
from generator.errors import CatalogueError


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        raise argparse.ArgumentTypeError(f"not a four-digit year: {text!r}")
    return int(text)


def _site_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content/)")
    parser.add_argument("--config", type=Path, default=None,
                        help="site settings TOML (default: catalogue.toml beside the content folder, if any)")
    parser.add_argument("--templates", type=Path, default=None,
                        help="folder of templates that override the shipped ones by name")
    parser.add_argument("--base-url", default=None,
                        help="where the site will be published, e.g. https://lab.example.org/papers/")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="catalogue", description="A static site generator for a catalogue of research papers.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    ingest = commands.add_parser("ingest", help="turn Daily Papers captures into Markdown pages under content/papers/")
    ingest.add_argument("captures", nargs="+", type=Path, metavar="CAPTURE", help="text capture(s) of listing pages")
    ingest.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content/)")
    ingest.add_argument("--year", type=_year, default=None,
                        help="the year the captures were taken (default: one after the latest year they show)")

    build = commands.add_parser("build", help="render content/ into a static site in site/")
    _site_options(build)
    build.add_argument("--out", type=Path, default=Path("site"), help="output folder (default: site/)")
    build.add_argument("--force", action="store_true", help="rebuild even if nothing changed since the last build")
    build.add_argument("--allow-empty", action="store_true",
                       help="build even when the content folder has no papers (otherwise an error)")

    serve = commands.add_parser("serve", help="build, serve on localhost and rebuild on change")
    _site_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--out", type=Path, default=None,
                       help="where to write the preview site (default: a temporary folder)")
    return parser


_UNTIL_EXIT: list = []


def run() -> None:
    """The `catalogue` command. A command that ends when its work does runs without the cycle
    collector, and exits without taking the interpreter apart: a build leaves its catalogue and
    state in memory, and collecting or freeing them object by object costs a tenth of a second
    that nobody waits for on purpose (mypy's hard exit does the same)."""
    code = main(exiting=True)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def main(argv: list[str] | None = None, exiting: bool = False) -> int:
    """Run a command; `exiting`: the process ends right after (see run)."""
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if exiting and args.command != "serve":  # serve runs until stopped: it needs its collector
        gc.disable()
    try:
        return _run(args, exiting)
    except CatalogueError as exc:
        _say(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except Exception as exc:  # an unexpected failure still gets one readable line
        if args.debug:
            raise
        _say(f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)")
        return 1


def _run(args: argparse.Namespace, exiting: bool = False) -> int:
    if args.command == "ingest":
        from generator.ingest.merge import ingest

        report = ingest(args.captures, args.content, year=args.year, say=_say)
        print(report.summary())
        return 0 if report.ok else 1
    if args.command == "build":
        from generator.build.pipeline import build
        from generator.settings import load_settings

        settings = load_settings(args.config, args.content, base_url=args.base_url, templates=args.templates)
        result = build(settings, args.out, say=_say, force=args.force, allow_empty=args.allow_empty)
        print(result.summary())
        if exiting:
            _UNTIL_EXIT.append(result)  # freed by nobody: see run
        return 0
    if args.command == "serve":
        from generator.serve import serve
        from generator.settings import load_settings

        settings = load_settings(args.config, args.content, base_url=args.base_url, templates=args.templates)
        return serve(settings, host=args.host, port=args.port, out=args.out, say=_say)
    raise AssertionError(args.command)
