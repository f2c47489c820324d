"""The `catalogue` command: ingest, build, serve, and check, topics, init.

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
from generator.utils import progress


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _quiet_say(line: str) -> None:
    """--quiet: problems only."""
    if line.startswith(("error:", "warning:")):
        _say(line)


def _year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        raise argparse.ArgumentTypeError(f"not a four-digit year: {text!r}")
    return int(text)


def _port(text: str) -> int:
    if not (text.isdigit() and int(text) <= 65535):
        raise argparse.ArgumentTypeError(f"not a port (0-65535): {text!r}")
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
    ingest.add_argument("--quiet", action="store_true", help="no progress line, notes or summary: only problems")
    ingest.add_argument("--year", type=_year, default=None,
                        help="the year the captures were taken (default: one after the latest year they show)")

    build = commands.add_parser("build", help="render content/ into a static site in site/")
    _site_options(build)
    build.add_argument("--out", type=Path, default=Path("site"), help="output folder (default: site/)")
    build.add_argument("--quiet", action="store_true", help="no progress line, notes or summary: only problems")
    build.add_argument("--force", action="store_true", help="rebuild even if nothing changed since the last build")
    build.add_argument("--allow-empty", action="store_true",
                       help="build even when the content folder has no papers (otherwise an error)")
    build.add_argument("--strict", action="store_true",
                       help="check first (as `catalogue check`) and build nothing on any error or warning")

    check = commands.add_parser("check", help="report broken pages, duplicates, dead links and settings a build "
                                              "would refuse; exit 1 on errors; writes nothing")
    check.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content/)")
    check.add_argument("--config", type=Path, default=None,
                       help="settings file (default: catalogue.toml beside the content folder or here)")
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings too")

    topics = commands.add_parser("topics", help="report on the taxonomy: each topic's papers and how they got "
                                                "there, the papers in the catch-all, suggested new topics")
    topics.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content/)")

    init = commands.add_parser("init", help="start a new catalogue in a folder, ready to publish on GitHub Pages")
    init.add_argument("folder", type=Path, metavar="DIR", help="the new catalogue's folder (made if missing)")
    init.add_argument("--title", default="Paper catalogue", help="the site's title")
    init.add_argument("--base-url", default="/", help="where it will be published, e.g. https://lab.example.org/papers/")
    init.add_argument("--package", default=None, metavar="SPEC",
                      help="what the publishing workflow installs with pip: a pinned version or a git+https:// "
                           "address (default: where this catalogue tool was installed from)")

    serve = commands.add_parser("serve", help="build, serve on localhost and rebuild on change")
    _site_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="port (default: 8000)")
    serve.add_argument("--out", type=Path, default=None,
                       help="where to write the preview site (default: a temporary folder)")
    for command in commands.choices.values():  # after the command too, where the error message's reader puts it
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                             help="show tracebacks of unexpected errors")
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
    quiet = getattr(args, "quiet", False)
    progress.enable(sys.stderr.isatty() and not quiet)  # a terminal: one line that rewrites itself
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


def _check(settings, strict: bool, quiet_when_clean: bool = False, allow_empty: bool = False) -> int:
    """Print every finding, one line each, and a count; 1 when there are errors (or, strict, warnings)."""
    from generator.check import check

    findings = check(settings, allow_empty=allow_empty)
    for finding in findings:
        _say(str(finding))
    errors = sum(f.level == "error" for f in findings)
    failed = errors or (strict and findings)
    if findings or not quiet_when_clean:
        line = f"checked {settings.content}: {errors} error(s), {len(findings) - errors} warning(s)"
        _say(line + ("; nothing built" if failed and quiet_when_clean else ""))
    return 1 if failed else 0


def _run(args: argparse.Namespace, exiting: bool = False) -> int:
    if args.command == "ingest":
        from generator.ingest.merge import ingest

        report = ingest(args.captures, args.content, year=args.year, say=_quiet_say if args.quiet else _say)
        if not args.quiet:
            print(report.summary())
        return 0 if report.ok else 1
    if args.command == "init":
        from generator.init import init, installed_from, next_steps

        package = installed_from() if args.package is None else args.package
        init(args.folder, title=args.title, base_url=args.base_url, package=package)
        print(next_steps(args.folder, package))
        return 0
    if args.command == "check":
        from generator.settings import load_settings

        return _check(load_settings(args.config, args.content), args.strict)
    if args.command == "topics":
        from generator.topics_report import topics_report

        print(topics_report(args.content).text(), end="")
        return 0
    if args.command == "build":
        from generator.build.pipeline import build
        from generator.settings import load_settings

        settings = load_settings(args.config, args.content, base_url=args.base_url, templates=args.templates)
        if args.strict and _check(settings, strict=True, quiet_when_clean=True, allow_empty=args.allow_empty):
            return 1
        result = build(settings, args.out, say=(lambda _: None) if args.quiet else _say, force=args.force,
                       allow_empty=args.allow_empty)
        if not args.quiet:
            print(result.summary())
        if exiting:
            _UNTIL_EXIT.append(result)  # freed by nobody: see run
        return 0
    if args.command == "serve":
        from generator.serve import serve
        from generator.settings import load_settings

        def reread():
            return load_settings(args.config, args.content, base_url=args.base_url, templates=args.templates)

        return serve(reread(), host=args.host, port=args.port, out=args.out, say=_say, reread=reread)
    raise AssertionError(args.command)
