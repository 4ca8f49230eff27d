"""`archive`: the scriptable face of the archive (index, search, show, stats, check, watch).

Exit codes: 0 success (per-file failures are listed, not fatal), 2 bad usage,
1 unrecoverable error with a one-line message.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import unicodedata
from pathlib import Path, PurePosixPath
from typing import Any

from archive import config, store
from archive.engine import SearchEngine, open_engine
from archive.facet_registry import ALL_OF, FILTER_OPTIONS
from archive.lab import LabError
from archive.models import SORTS, IndexMissing, IndexOutdated, SearchRequest
from archive.payloads import document_payload, search_payload, search_request, stats_payload
from archive.store import index_stats
from archive_cli import arguments
from indexer.check import check_archive
from indexer.lock import IndexBusy
from indexer.pipeline import IndexRunFailed, index_corpus, needs_rebuild
from indexer.scan import relative_name

log = logging.getLogger("archive.cli")


class CliError(Exception):
    """An unrecoverable error: printed on one line, exit code 1."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(_glue_dash_values(sys.argv[1:] if argv is None else argv))
    for name, value in vars(args).items():  # the space _glue_dash_values put before a value, wherever it went
        if isinstance(value, str):
            setattr(args, name, _unglued(value))
        elif isinstance(value, list):
            setattr(args, name, [_unglued(v) if isinstance(v, str) else v for v in value])
    if args.verbose:
        _print_diagnostics()
    log.debug(
        "corpus %s, index %s",
        config.corpus_dir(getattr(args, "corpus", None)),
        config.index_dir(getattr(args, "index", None)),
    )
    try:
        return args.run(args)
    except (CliError, IndexBusy, LabError, IndexRunFailed) as exc:
        print(f"archive: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("archive: interrupted", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader stopped early (`archive search … | head`): not an error to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to flush at exit
        return 1
    except Exception as exc:  # last resort: one line (the traceback with --verbose)
        log.debug("unexpected error", exc_info=True)
        print(f"archive: unexpected error: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 1


def _print_diagnostics() -> None:
    """--verbose: the archive's diagnostics (the ``archive`` loggers) on stderr, from debug up."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("archive: %(name)s: %(levelname)s: %(message)s"))
    root = logging.getLogger("archive")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)


QUERY_COMMANDS = ("search", "trend", "saved")  # commands whose free words are a query
_EXCLUDED_WORD = re.compile(r"-[^\W\d_][\w'’-]+")  # not -h


def _unglued(value: str) -> str:
    return value[1:] if value.startswith(" -") else value


def _glue_dash_values(argv: list[str]) -> list[str]:
    """Arguments that start with a dash but are values, not options: `--sort -date` is passed as
    `--sort=-date`; an excluded word of a query (`archive search -usine`, `-hydrogène`, which argparse
    read as -h) gets a leading space, which makes it a positional argument (removed after parsing, `_unglued`)."""
    out: list[str] = []
    at = next((i for i, arg in enumerate(argv) if not arg.startswith("-")), len(argv))  # the command
    for i, arg in enumerate(argv):
        if out and out[-1] == "--sort" and arg.startswith("-"):
            out[-1] = f"--sort={arg}"
        elif i > at and argv[at] in QUERY_COMMANDS and _EXCLUDED_WORD.fullmatch(arg):
            out.append(" " + arg)
        else:
            out.append(arg)
    return out


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="archive", description="Archive of French industrial-policy documents.")
    p.add_argument("-v", "--verbose", action="store_true", help="print diagnostics and tracebacks on stderr")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--corpus", help="corpus folder (default: $ARCHIVE_CORPUS or ./corpus)")
        sp.add_argument("--index", help="index folder (default: $ARCHIVE_INDEX or ./.archive/index)")
        sp.add_argument("--json", action="store_true", help="machine-readable output")

    sp = sub.add_parser("index", help="bring the index up to date with the corpus")
    common(sp)
    sp.add_argument("--rebuild", action="store_true", help="build a new index beside the old and swap it in")
    sp.add_argument("--jobs", type=arguments.positive, default=os.cpu_count() or 1, help="extraction processes")
    sp.add_argument("--retry-failed", action="store_true", help="try the failed files again")
    sp.add_argument(
        "--retry", action="append", default=[], metavar="PATH", help="try this failed file again (repeatable)"
    )
    sp.add_argument(
        "--timeout", type=arguments.positive_up_to(86_400), default=60.0, help="per-file extraction time limit (s)"
    )
    sp.add_argument(
        "--max-mb", type=arguments.positive_up_to(1_000_000), default=100.0, help="per-file size limit (MB)"
    )
    sp.set_defaults(run=cmd_index)

    sp = sub.add_parser("search", help="search the archive")
    common(sp)
    sp.add_argument("query", nargs="?", default="")
    _search_filters(sp)
    sp.add_argument("--limit", type=arguments.positive, default=10)
    sp.add_argument("--offset", type=arguments.non_negative, default=0)
    sp.add_argument(
        "--no-group",
        dest="group",
        action="store_false",
        help="list every version of a text (by default versions count once, as the best-dated one)",
    )
    sp.set_defaults(run=cmd_search)

    sp = sub.add_parser("show", help="one document with its full text")
    common(sp)
    sp.add_argument("id")
    sp.set_defaults(run=cmd_show)

    sp = sub.add_parser("stats", help="counts and failed files")
    common(sp)
    sp.set_defaults(run=cmd_stats)

    sp = sub.add_parser("check", help="detect drift between index and corpus, or damage")
    common(sp)
    sp.set_defaults(run=cmd_check)

    sp = sub.add_parser("watch", help="follow the corpus folder and index changes as they come")
    common(sp)
    sp.add_argument("--jobs", type=arguments.positive, default=os.cpu_count() or 1)
    sp.add_argument(
        "--settle", type=arguments.finite_non_negative, default=1.0, help="seconds a file must stay unchanged"
    )
    sp.set_defaults(run=cmd_watch)

    sp = sub.add_parser("serve", help="read-only HTTP API over the index (JSON, CSV, OpenAPI)")
    sp.add_argument("--corpus", help="corpus folder, for original files (default: $ARCHIVE_CORPUS or ./corpus)")
    sp.add_argument("--index", help="index folder (default: $ARCHIVE_INDEX or ./.archive/index)")
    sp.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    sp.add_argument("--port", type=arguments.port, default=8502, help="port (default: 8502; 0 picks a free one)")
    sp.add_argument(
        "--workers", type=arguments.positive, default=1, help="processes answering in parallel (default: 1)"
    )
    sp.set_defaults(run=cmd_serve)
    _lab_parsers(sub, common)
    return p


def _search_filters(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--year-from", type=int)
    sp.add_argument("--year-to", type=int)
    for spec in FILTER_OPTIONS:  # --actor, --theme, …, --type, --lang: repeatable
        sp.add_argument(f"--{spec.option}", dest=spec.name, action="append", default=[], help=spec.cli_help)
    sp.add_argument("--sort", choices=SORTS, default="relevance")
    sp.add_argument(
        "--all-of",
        type=arguments.all_of_facets,
        action="extend",
        default=[],
        metavar="FACET[,FACET]",
        help="the values given for these facets must all be held (AND, « Toutes à la fois (ET) » in the app) "
        f"instead of one or another (OR): {', '.join(s.option for s in ALL_OF if s.option)}; repeatable",
    )


def _lab_parsers(sub, common) -> None:
    from archive_cli import lab_commands

    def lab_common(sp: argparse.ArgumentParser) -> None:
        common(sp)
        sp.add_argument("--lab", help="lab database (default: $ARCHIVE_LAB_DB or lab.sqlite beside the index)")

    sp = sub.add_parser("saved", help="saved searches (« veille »)")
    saved = sp.add_subparsers(dest="action", required=True)
    sp = saved.add_parser("add", help="save a search under a name")
    lab_common(sp)
    sp.add_argument("name")
    sp.add_argument("query", nargs="?", default="")
    _search_filters(sp)
    sp.set_defaults(run=lambda a: lab_commands.saved_add(a, _open(a)))
    sp = saved.add_parser("list", help="the saved searches, with their new documents")
    lab_common(sp)
    sp.set_defaults(run=lambda a: lab_commands.saved_list(a, _open(a)))
    sp = saved.add_parser("remove", help="delete a saved search")
    lab_common(sp)
    sp.add_argument("name")
    sp.set_defaults(run=lab_commands.saved_remove)

    sp = sub.add_parser("trend", help="documents per year or month for up to four queries (« évolution des termes »)")
    common(sp)
    sp.add_argument("queries", nargs="+", metavar="QUERY")
    sp.add_argument("--by", choices=("year", "month"), default="year")
    sp.add_argument("--year-from", type=int)
    sp.add_argument("--year-to", type=int)
    sp.set_defaults(run=lambda a: lab_commands.trend(a, _open(a)))

    sp = sub.add_parser("dossier", help="dossiers of documents with notes")
    dossier = sp.add_subparsers(dest="action", required=True)
    sp = dossier.add_parser("add", help="add a document (by id) to a dossier, created if needed")
    lab_common(sp)
    sp.add_argument("name")
    sp.add_argument("id")
    sp.add_argument("--note", default="")
    sp.add_argument("--description", help="the dossier's description (set or replaced)")
    sp.set_defaults(run=lambda a: lab_commands.dossier_add(a, _open(a)))
    sp = dossier.add_parser("remove", help="take a document out of a dossier")
    lab_common(sp)
    sp.add_argument("name")
    sp.add_argument("id")
    sp.set_defaults(run=lab_commands.dossier_remove)
    sp = dossier.add_parser("list", help="the dossiers, or one dossier's documents")
    lab_common(sp)
    sp.add_argument("name", nargs="?")
    sp.set_defaults(run=lambda a: lab_commands.dossier_list(a, _open(a)))
    sp = dossier.add_parser("export", help="a dossier as CSV, RIS or ZIP (originals and inventory)")
    lab_common(sp)
    sp.add_argument("name")
    sp.add_argument("--format", choices=("csv", "ris", "zip"), required=True)
    sp.add_argument("-o", "--output")
    sp.set_defaults(run=lambda a: lab_commands.dossier_export(a, _open(a)))

    sp = sub.add_parser("feed", help="print the Atom feed of a saved search")
    lab_common(sp)
    sp.add_argument("name")
    sp.add_argument("-o", "--output", help="write the feed to this file")
    sp.set_defaults(run=lambda a: lab_commands.feed(a, _open(a)))


def _paths(args: argparse.Namespace) -> tuple[Path, Path]:
    corpus, index = config.corpus_dir(args.corpus), config.index_dir(args.index)
    return corpus, index


def _open(args: argparse.Namespace) -> SearchEngine:
    corpus, index = _paths(args)
    try:
        return open_engine(index)
    except IndexMissing:
        raise CliError(f"no index in {index}; run `archive index` first") from None
    except IndexOutdated as exc:
        raise CliError(f"{exc}: run `archive index --rebuild`") from None


def _emit(args: argparse.Namespace, data: Any, text: str) -> None:
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=None)
        sys.stdout.write("\n")
    else:
        print(text)


def cmd_index(args: argparse.Namespace) -> int:
    from indexer.sandbox import Limits

    corpus, index = _paths(args)
    if not corpus.is_dir():
        raise CliError(f"corpus folder not found: {corpus}")
    rebuild = args.rebuild or needs_rebuild(index)
    progress = None if args.json or not sys.stderr.isatty() else _terminal_progress
    limits = Limits(seconds=args.timeout, max_bytes=int(args.max_mb * 2**20))
    retry = [_corpus_rel(corpus, given) for given in args.retry]
    if retry:
        known_failures = store.read_state(store.live_dir(index))["failed"]
        for rel in retry:
            if rel not in known_failures:
                print(f"archive: not in the list of failed files: {rel}", file=sys.stderr)
    report = index_corpus(
        corpus,
        index,
        jobs=args.jobs,
        rebuild=rebuild,
        retry_failed=args.retry_failed or bool(retry),
        only_paths=None if args.retry_failed or not retry else set(retry),
        limits=limits,
        progress=progress,
    )
    if report.repaired:
        print(f"archive: {report.repaired}", file=sys.stderr)
    lines = [
        f"{report.documents} documents ({report.added} added, {report.updated} updated, "
        f"{report.removed} removed, {report.unchanged} unchanged) in {report.seconds:.1f} s"
    ]
    lines += [f"  failed: {f['path']}: {f['reason']}" for f in report.failed]
    data = report.to_dict()
    if retry:
        still = {f["path"]: f["reason"] for f in report.failed}
        data["retried"] = [{"path": rel, "ok": rel not in still, "reason": still.get(rel)} for rel in retry]
        lines += [f"  retried: {rel}: " + (f"failed again: {still[rel]}" if rel in still else "ok") for rel in retry]
    _emit(args, data, "\n".join(lines))
    return 0


def _corpus_rel(corpus: Path, given: str) -> str:
    """A --retry argument (a path on disk, or relative to the corpus) as the manifest's key."""
    on_disk = Path(os.path.abspath(given))
    root = Path(os.path.abspath(corpus))
    if on_disk.exists() or on_disk.is_symlink():
        for candidate, base in ((on_disk, root), (on_disk.parent.resolve() / on_disk.name, root.resolve())):
            try:
                return relative_name(candidate, base)
            except ValueError:
                continue
    return unicodedata.normalize("NFC", PurePosixPath(given.replace("\\", "/")).as_posix().lstrip("/"))


def _terminal_progress(done: int, total: int, label: str) -> None:
    if total:
        sys.stderr.write(f"\r{done}/{total} {label[:60]:<60}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def request_filters(args: argparse.Namespace) -> dict[str, list[str]]:
    """The facet options of `search` and `saved add` as the request's filters."""
    return {spec.name: getattr(args, spec.name) for spec in FILTER_OPTIONS if getattr(args, spec.name)}


def args_request(args: argparse.Namespace, **options: Any) -> SearchRequest:
    """The request the query, filters, `--all-of` and `--sort` of `search` and `saved add` ask
    for; `options` are the other SearchRequest fields (limit, offset, group…)."""
    return search_request(
        args.query,
        year_from=args.year_from,
        year_to=args.year_to,
        filters=request_filters(args),
        all_of=args.all_of,
        sort=args.sort,
        **options,
    )


def cmd_search(args: argparse.Namespace) -> int:
    engine = _open(args)
    request = args_request(args, limit=args.limit, offset=args.offset, group=args.group)
    result = engine.search(request)
    engine.close()
    if result.error:
        print(f"archive: {result.error}", file=sys.stderr)
        return 2
    _emit(args, search_payload(result), _search_text(result))
    return 0


def _search_text(result) -> str:
    out = [f"{result.total} document(s) for {result.query!r} ({result.took_ms:.0f} ms)"]
    if result.grouped:
        out.append(f"note: {result.grouped} other version(s) of these texts not counted (--no-group lists them)")
    out += [f"note: {notice}" for notice in result.notices]
    if result.suggestion:
        out.append(f"did you mean: {result.suggestion}")
    out += [f"try: {alt.query}  ({alt.total} document(s): {alt.reason})" for alt in result.alternatives]
    for hit in result.hits:
        mark = " [partial]" if hit.partial else ""
        out.append(f"\n{hit.date or '----'}  {hit.title}{mark}\n  id {hit.id}  {hit.path}")
        if hit.versions:
            out.append(f"  other versions: {', '.join(hit.versions)}")
        out.append("  " + _plain(hit.snippet))
    for facet, counts in result.facets.items():
        if counts:
            top = ", ".join(f"{k} ({v})" for k, v in list(counts.items())[:8])
            out.append(f"\n{facet}: {top}")
    return "\n".join(out)


def _plain(snippet: str) -> str:
    import html

    return html.unescape(re.sub(r"</?mark>", "*", snippet))


def cmd_show(args: argparse.Namespace) -> int:
    engine = _open(args)
    record = engine.document(args.id)
    others = engine.versions(args.id) if record is not None else []
    engine.close()
    if record is None:
        raise CliError(f"no document with id {args.id}")
    data = document_payload(record, others)
    text = "\n".join(
        [
            record.title,
            f"id: {record.id}",
            f"paths: {', '.join(record.paths)}",
            f"date: {record.date or '-'}",
            f"actors: {', '.join(record.actors) or '-'}",
            f"themes: {', '.join(record.themes) or '-'}",
            f"places: {', '.join(record.places) or '-'}",
            f"schemes: {', '.join(record.schemes) or '-'}",
            f"type: {record.doc_type}   language: {record.language}   pages: {record.pages}",
            *[f"other version: {v.id}  {v.date or '----'}  {v.title}  ({v.similarity:.0%} alike)" for v in others],
            "",
            record.text,
        ]
    )
    _emit(args, data, text)
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    engine = _open(args)
    stats = index_stats(engine, _paths(args)[1])
    engine.close()
    data = stats_payload(stats)
    lines = [f"{stats.documents} documents, index {stats.index_bytes / 1e6:.1f} MB"]
    lines.append("by year: " + ", ".join(f"{k}: {v}" for k, v in stats.by_year.items()))
    lines.append("by language: " + ", ".join(f"{k}: {v}" for k, v in stats.by_language.items()))
    lines.append("by format: " + ", ".join(f"{k}: {v}" for k, v in stats.by_format.items()))
    lines += [
        f"failed: {f['path']}: {f['reason']} (tries: {f.get('tries', 1)}, last: {f.get('when', '?')})"
        for f in stats.failed
    ]
    if stats.vocabulary_changed:
        lines.append(
            "note: the vocabulary changed since the index was built; documents indexed before do not "
            "reflect it until `archive index --rebuild`"
        )
    _emit(args, data, "\n".join(lines))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    corpus, index = _paths(args)
    result = check_archive(corpus, index)
    text = "ok: index and corpus agree" if result["ok"] else "\n".join(["problems:"] + result["problems"])
    _emit(args, result, text)
    return 0 if result["ok"] else 1


def cmd_watch(args: argparse.Namespace) -> int:
    from indexer.watch import watch

    corpus, index = _paths(args)
    if not corpus.is_dir():
        raise CliError(f"corpus folder not found: {corpus}")
    from archive.config import feeds_dir
    from archive.lab import lab_path
    from archive.veille import FeedPublisher

    publisher = FeedPublisher(index, lab_path(None, index), feeds_dir())
    try:
        watch(
            corpus,
            index,
            jobs=args.jobs,
            settle=args.settle,
            log=lambda m: print(m, flush=True),
            after_batch=publisher,
        )
    finally:
        publisher.close()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from archive_api.server import ServeError, serve

    corpus, index = _paths(args)
    try:
        serve(corpus=corpus, index=index, host=args.host, port=args.port, workers=args.workers)
    except ServeError as exc:
        raise CliError(str(exc)) from None
    return 0


if __name__ == "__main__":
    sys.exit(main())
