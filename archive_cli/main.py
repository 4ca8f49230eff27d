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
from typing import Any, NoReturn

from archive import config, store
from archive.engine import SearchEngine, open_engine
from archive.facet_registry import ALL_OF, BY_NAME, FILTER_OPTIONS
from archive.lab import LabError
from archive.models import SORTS, IndexMissing, IndexOutdated, SearchRequest
from archive.payloads import document_payload, search_payload, search_request, stats_payload
from archive.store import index_stats
from archive.text import decimal
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
        print("archive: interrompu", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader stopped early (`archive search … | head`): not an error to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to flush at exit
        return 1
    except Exception as exc:  # last resort: one line (the traceback with --verbose)
        log.debug("unexpected error", exc_info=True)
        print(f"archive: erreur inattendue : {exc.__class__.__name__}: {exc}", file=sys.stderr)
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


class _Formatter(argparse.HelpFormatter):
    """argparse's layout with French headings: « utilisation : », « options : »."""

    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)

    def start_section(self, heading) -> None:
        super().start_section(f"{heading} " if heading else heading)  # argparse adds the colon

    def _split_lines(self, text: str, width: int) -> list[str]:
        """Never a line break before « : », « ; », « » » nor after « « »."""
        glued = re.sub(r" (?=[:;»])|(?<=«) ", "\u00a0", text)
        return [line.replace("\u00a0", " ") for line in super()._split_lines(glued, width)]


# argparse's own messages (Python 3.11–3.13 wording), in French.
_ARGPARSE_MESSAGES = (
    (re.compile(r"the following arguments are required: "), "arguments obligatoires manquants : "),
    (re.compile(r"unrecognized arguments: "), "arguments inconnus : "),
    (re.compile(r"invalid choice: (.*?) \(choose from (.*)\)$"), r"choix inconnu : \1 (au choix : \2)"),
    (re.compile(r"expected one argument"), "une valeur est attendue"),
    (re.compile(r"expected at least one argument"), "au moins une valeur est attendue"),
    (re.compile(r"ambiguous option: (\S+) could match "), r"option ambiguë : \1 peut désigner "),
    (re.compile(r"not allowed with argument "), "incompatible avec l'argument "),
    (re.compile(r"invalid (\w+) value: "), r"valeur invalide : "),
)


class _Parser(argparse.ArgumentParser):
    """argparse in French: headings, -h, the error line, and argparse's own messages
    (``_ARGPARSE_MESSAGES``; one it does not know stays in English)."""

    def __init__(self, *args: Any, add_help: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "arguments positionnels"
        self._optionals.title = "options"
        if add_help:
            self.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        message = re.sub(r"^(argument \S+): ", r"\1 : ", message)
        for english, french in _ARGPARSE_MESSAGES:
            message = english.sub(french, message)
        self.exit(2, f"{self.prog}: erreur : {message}\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="archive", description="Archive de documents sur la politique industrielle française.")
    p.add_argument(
        "-v", "--verbose", action="store_true", help="afficher les diagnostics et la trace des erreurs sur stderr"
    )
    sub = p.add_subparsers(dest="command", required=True, title="commandes", metavar="commande")

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--corpus", metavar="DOSSIER", help="dossier du corpus (par défaut : $ARCHIVE_CORPUS ou ./corpus)"
        )
        sp.add_argument(
            "--index", metavar="DOSSIER", help="dossier de l'index (par défaut : $ARCHIVE_INDEX ou ./.archive/index)"
        )
        sp.add_argument("--json", action="store_true", help="sortie JSON, pour les scripts")

    sp = sub.add_parser("index", help="mettre l'index à jour d'après le corpus")
    common(sp)
    sp.add_argument(
        "--rebuild", action="store_true", help="construire un nouvel index à côté de l'ancien, puis le remplacer"
    )
    _jobs_option(sp)
    sp.add_argument("--retry-failed", action="store_true", help="réessayer les fichiers illisibles")
    sp.add_argument(
        "--retry", action="append", default=[], metavar="CHEMIN", help="réessayer ce fichier illisible (répétable)"
    )
    sp.add_argument(
        "--timeout",
        type=arguments.positive_up_to(86_400),
        default=60.0,
        metavar="SECONDES",
        help="temps d'extraction maximal par fichier (s)",
    )
    sp.add_argument(
        "--max-mb",
        type=arguments.positive_up_to(1_000_000),
        default=100.0,
        metavar="MO",
        help="taille maximale par fichier (Mo)",
    )
    sp.set_defaults(run=cmd_index)

    sp = sub.add_parser("search", help="chercher dans l'archive")
    common(sp)
    sp.add_argument("query", nargs="?", default="", metavar="requête")
    _search_filters(sp)
    sp.add_argument("--limit", type=arguments.positive, default=10, metavar="N", help="nombre de résultats")
    sp.add_argument(
        "--offset",
        type=arguments.non_negative,
        default=0,
        metavar="N",
        help="nombre de résultats à passer (pagination)",
    )
    sp.add_argument(
        "--no-group",
        dest="group",
        action="store_false",
        help="lister chaque version d'un texte (par défaut, les versions comptent pour une : la mieux datée)",
    )
    sp.set_defaults(run=cmd_search)

    sp = sub.add_parser("show", help="un document, avec son texte intégral")
    common(sp)
    sp.add_argument("id")
    sp.set_defaults(run=cmd_show)

    sp = sub.add_parser("stats", help="décomptes et fichiers illisibles")
    common(sp)
    sp.set_defaults(run=cmd_stats)

    sp = sub.add_parser("check", help="détecter les écarts entre l'index et le corpus, ou un index endommagé")
    common(sp)
    sp.set_defaults(run=cmd_check)

    sp = sub.add_parser("watch", help="suivre le dossier du corpus et indexer les changements au fil de l'eau")
    common(sp)
    _jobs_option(sp)
    sp.add_argument(
        "--settle",
        type=arguments.finite_non_negative,
        default=1.0,
        metavar="SECONDES",
        help="durée pendant laquelle un fichier doit rester inchangé",
    )
    sp.set_defaults(run=cmd_watch)

    sp = sub.add_parser("serve", help="API HTTP en lecture seule sur l'index (JSON, CSV, OpenAPI)")
    sp.add_argument(
        "--corpus",
        metavar="DOSSIER",
        help="dossier du corpus, pour les fichiers originaux (par défaut : $ARCHIVE_CORPUS ou ./corpus)",
    )
    sp.add_argument(
        "--index", metavar="DOSSIER", help="dossier de l'index (par défaut : $ARCHIVE_INDEX ou ./.archive/index)"
    )
    sp.add_argument("--host", default="127.0.0.1", metavar="ADRESSE", help="adresse d'écoute (par défaut : 127.0.0.1)")
    sp.add_argument(
        "--port", type=arguments.port, default=8502, help="port (par défaut : 8502 ; 0 en choisit un libre)"
    )
    sp.add_argument(
        "--workers",
        type=arguments.positive,
        default=1,
        metavar="N",
        help="processus qui répondent en parallèle (par défaut : 1)",
    )
    sp.set_defaults(run=cmd_serve)
    _lab_parsers(sub, common)
    return p


def _jobs_option(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--jobs",
        type=arguments.positive,
        default=os.cpu_count() or 1,
        metavar="N",
        help="nombre de processus d'extraction",
    )


def _search_filters(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--year-from", type=arguments.integer, metavar="ANNÉE", help="à partir de cette année")
    sp.add_argument("--year-to", type=arguments.integer, metavar="ANNÉE", help="jusqu'à cette année")
    for spec in FILTER_OPTIONS:  # --actor, --theme, …, --type, --lang: repeatable
        sp.add_argument(
            f"--{spec.option}",
            dest=spec.name,
            action="append",
            default=[],
            metavar=spec.label.upper(),
            help=spec.cli_help or spec.api_help,
        )
    sp.add_argument("--sort", choices=SORTS, default="relevance", help="ordre des résultats")
    sp.add_argument(
        "--all-of",
        type=arguments.all_of_facets,
        action="extend",
        default=[],
        metavar="FACETTE[,FACETTE]",
        help="les valeurs données pour ces facettes doivent toutes être présentes (ET, « Toutes à la fois (ET) » "
        f"dans l'application) au lieu de l'une ou l'autre (OU) : {', '.join(s.option for s in ALL_OF if s.option)} ; "
        "répétable",
    )


def _lab_parsers(sub, common) -> None:
    from archive_cli import lab_commands

    def lab_common(sp: argparse.ArgumentParser) -> None:
        common(sp)
        sp.add_argument(
            "--lab",
            metavar="FICHIER",
            help="base du laboratoire (par défaut : $ARCHIVE_LAB_DB ou lab.sqlite à côté de l'index)",
        )

    sp = sub.add_parser("saved", help="recherches enregistrées (« veille »)")
    saved = sp.add_subparsers(dest="action", required=True, title="actions", metavar="action")
    sp = saved.add_parser("add", help="enregistrer une recherche sous un nom")
    lab_common(sp)
    sp.add_argument("name", metavar="nom")
    sp.add_argument("query", nargs="?", default="", metavar="requête")
    _search_filters(sp)
    sp.set_defaults(run=lambda a: lab_commands.saved_add(a, _open(a)))
    sp = saved.add_parser("list", help="les recherches enregistrées, avec leurs nouveaux documents")
    lab_common(sp)
    sp.set_defaults(run=lambda a: lab_commands.saved_list(a, _open(a)))
    sp = saved.add_parser("remove", help="supprimer une recherche enregistrée")
    lab_common(sp)
    sp.add_argument("name", metavar="nom")
    sp.set_defaults(run=lab_commands.saved_remove)

    sp = sub.add_parser(
        "trend", help="documents par année ou par mois pour quatre requêtes au plus (« évolution des termes »)"
    )
    common(sp)
    sp.add_argument("queries", nargs="+", metavar="requête")
    sp.add_argument("--by", choices=("year", "month"), default="year", help="par année ou par mois")
    sp.add_argument("--year-from", type=arguments.integer, metavar="ANNÉE", help="à partir de cette année")
    sp.add_argument("--year-to", type=arguments.integer, metavar="ANNÉE", help="jusqu'à cette année")
    sp.set_defaults(run=lambda a: lab_commands.trend(a, _open(a)))

    sp = sub.add_parser("dossier", help="dossiers de documents annotés")
    dossier = sp.add_subparsers(dest="action", required=True, title="actions", metavar="action")
    sp = dossier.add_parser("add", help="ajouter un document (par son id) à un dossier, créé au besoin")
    lab_common(sp)
    sp.add_argument("name", metavar="nom")
    sp.add_argument("id")
    sp.add_argument("--note", default="", metavar="TEXTE", help="note sur le document dans ce dossier")
    sp.add_argument("--description", metavar="TEXTE", help="description du dossier (fixée ou remplacée)")
    sp.set_defaults(run=lambda a: lab_commands.dossier_add(a, _open(a)))
    sp = dossier.add_parser("remove", help="retirer un document d'un dossier")
    lab_common(sp)
    sp.add_argument("name", metavar="nom")
    sp.add_argument("id")
    sp.set_defaults(run=lab_commands.dossier_remove)
    sp = dossier.add_parser("list", help="les dossiers, ou les documents d'un dossier")
    lab_common(sp)
    sp.add_argument("name", nargs="?", metavar="nom")
    sp.set_defaults(run=lambda a: lab_commands.dossier_list(a, _open(a)))
    sp = dossier.add_parser("export", help="un dossier en CSV, RIS ou ZIP (fichiers originaux et inventaire)")
    lab_common(sp)
    sp.add_argument("name", metavar="nom")
    sp.add_argument("--format", choices=("csv", "ris", "zip"), required=True, help="format de l'export")
    sp.add_argument("-o", "--output", metavar="FICHIER", help="écrire l'export dans ce fichier")
    sp.set_defaults(run=lambda a: lab_commands.dossier_export(a, _open(a)))

    sp = sub.add_parser("feed", help="afficher le flux Atom d'une recherche enregistrée")
    lab_common(sp)
    sp.add_argument("name", metavar="nom")
    sp.add_argument("-o", "--output", metavar="FICHIER", help="écrire le flux dans ce fichier")
    sp.set_defaults(run=lambda a: lab_commands.feed(a, _open(a)))


def _paths(args: argparse.Namespace) -> tuple[Path, Path]:
    corpus, index = config.corpus_dir(args.corpus), config.index_dir(args.index)
    return corpus, index


def _open(args: argparse.Namespace) -> SearchEngine:
    corpus, index = _paths(args)
    try:
        return open_engine(index)
    except IndexMissing:
        raise CliError(f"aucun index dans {index} : lancez d'abord `archive index`") from None
    except IndexOutdated as exc:
        raise CliError(f"{exc} : lancez `archive index --rebuild`") from None


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
        raise CliError(f"dossier du corpus introuvable : {corpus}")
    rebuild = args.rebuild or needs_rebuild(index)
    progress = None if args.json or not sys.stderr.isatty() else _terminal_progress
    limits = Limits(seconds=args.timeout, max_bytes=int(args.max_mb * 2**20))
    retry = [_corpus_rel(corpus, given) for given in args.retry]
    if retry:
        known_failures = store.read_state(store.live_dir(index))["failed"]
        for rel in retry:
            if rel not in known_failures:
                print(f"archive: absent de la liste des fichiers illisibles : {rel}", file=sys.stderr)
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
        f"{report.documents} documents ({report.added} ajoutés, {report.updated} mis à jour, "
        f"{report.removed} retirés, {report.unchanged} inchangés), en {decimal(report.seconds)} s"
    ]
    lines += [f"  illisible : {f['path']} : {f['reason']}" for f in report.failed]
    data = report.to_dict()
    if retry:
        still = {f["path"]: f["reason"] for f in report.failed}
        data["retried"] = [{"path": rel, "ok": rel not in still, "reason": still.get(rel)} for rel in retry]
        lines += [
            f"  nouvel essai : {rel} : " + (f"toujours illisible : {still[rel]}" if rel in still else "ok")
            for rel in retry
        ]
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
        label = "terminé" if label == "done" else label  # the pipeline's last step, else a file's path
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
    query = f" pour « {result.query} »" if result.query.strip() else ""
    out = [f"{result.total} document(s){query} ({result.took_ms:.0f} ms)"]
    if result.grouped:
        out.append(f"note : {result.grouped} autre(s) version(s) de ces textes non comptée(s) (--no-group les liste)")
    out += [f"note : {notice}" for notice in result.notices]
    if result.suggestion:
        out.append(f"vouliez-vous dire : {result.suggestion}")
    out += [f"essayez : {alt.query}  ({alt.total} document(s) : {alt.reason})" for alt in result.alternatives]
    for hit in result.hits:
        mark = " [approchant]" if hit.partial else ""
        out.append(f"\n{hit.date or '----'}  {hit.title}{mark}\n  id {hit.id}  {hit.path}")
        if hit.versions:
            out.append(f"  autres versions : {', '.join(hit.versions)}")
        out.append("  " + _plain(hit.snippet))
    for facet, counts in result.facets.items():
        if counts:
            top = ", ".join(f"{k} ({v})" for k, v in list(counts.items())[:8])
            heading = BY_NAME[facet].heading.lower() if facet in BY_NAME else facet
            out.append(f"\n{heading} : {top}")
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
        raise CliError(f"aucun document n'a l'id {args.id}")
    data = document_payload(record, others)
    text = "\n".join(
        [
            record.title,
            f"id : {record.id}",
            f"chemins : {', '.join(record.paths)}",
            f"date : {record.date or '-'}",
            f"acteurs : {', '.join(record.actors) or '-'}",
            f"thèmes : {', '.join(record.themes) or '-'}",
            f"lieux : {', '.join(record.places) or '-'}",
            f"dispositifs : {', '.join(record.schemes) or '-'}",
            f"type : {record.doc_type}   langue : {record.language}   pages : {record.pages}",
            *[
                f"autre version : {v.id}  {v.date or '----'}  {v.title}  "
                f"({round(v.similarity * 100)} % du texte en commun)"
                for v in others
            ],
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
    lines = [f"{stats.documents} documents, index de {decimal(stats.index_bytes / 1e6)} Mo"]
    undated = stats.documents - sum(stats.by_year.values())
    years = [f"{k} : {v}" for k, v in stats.by_year.items()] + ([f"sans date : {undated}"] if undated > 0 else [])
    lines.append("par année : " + ", ".join(years))
    lines.append("par langue : " + ", ".join(f"{k} : {v}" for k, v in stats.by_language.items()))
    lines.append("par format : " + ", ".join(f"{k} : {v}" for k, v in stats.by_format.items()))
    lines += [
        f"illisible : {f['path']} : {f['reason']} (essais : {f.get('tries', 1)}, dernier : {f.get('when', '?')})"
        for f in stats.failed
    ]
    if stats.vocabulary_changed:
        lines.append(
            "note : le vocabulaire a changé depuis la construction de l'index ; les documents indexés avant "
            "ne le reflètent qu'après `archive index --rebuild`"
        )
    _emit(args, data, "\n".join(lines))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    corpus, index = _paths(args)
    result = check_archive(corpus, index)
    text = "ok : l'index et le corpus concordent" if result["ok"] else "\n".join(["problèmes :"] + result["problems"])
    _emit(args, result, text)
    return 0 if result["ok"] else 1


def cmd_watch(args: argparse.Namespace) -> int:
    from indexer.watch import watch

    corpus, index = _paths(args)
    if not corpus.is_dir():
        raise CliError(f"dossier du corpus introuvable : {corpus}")
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
