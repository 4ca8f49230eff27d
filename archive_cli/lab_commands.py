"""`archive saved …` and `archive feed`: saved searches and their Atom feeds from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from archive import config, veille
from archive.engine import SearchEngine
from archive.lab import LabDB, LabError, lab_path
from archive.models import SearchRequest


def open_lab(args: argparse.Namespace) -> LabDB:
    return LabDB(lab_path(getattr(args, "lab", None), config.index_dir(args.index)))


def _print(args: argparse.Namespace, data: object, text: str) -> None:
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(text)


def saved_add(args: argparse.Namespace, engine: SearchEngine) -> int:
    from archive_cli.main import args_request

    probe = args_request(args, limit=1, with_facets=False)
    result = engine.search(probe)
    if result.error:
        print(f"archive: requête illisible : {result.error}", file=sys.stderr)
        return 2
    lab = open_lab(args)
    search = lab.add_search(
        args.name, args.query, probe.filters, args.year_from, args.year_to, args.sort, all_of=probe.all_of
    )
    veille.refresh(lab, engine, search, force=True)
    try:  # now, or the app's « flux » link answers 404 until the index next changes
        veille.write_feed(lab, engine, search, config.feeds_dir())
    except OSError as exc:
        print(f"archive: le flux n'a pas pu être écrit : {exc}", file=sys.stderr)
    engine.close()
    _print(
        args,
        {**search.to_dict(), "total": result.total},
        f"recherche enregistrée : « {search.name} » ({result.total} document(s) aujourd'hui)",
    )
    return 0


def saved_list(args: argparse.Namespace, engine: SearchEngine) -> int:
    lab = open_lab(args)
    rows = []
    for search in lab.searches():
        new = veille.refresh(lab, engine, search)
        rows.append(
            {
                **search.to_dict(),
                "description": veille.describe(search),
                "documents": lab.match_count(search.id),
                "new_since_creation": lab.new_count(search.id, None),
                "new_now": new,
            }
        )
    engine.close()
    text = "\n".join(
        f"{r['name']} : {r['description']} — {r['documents']} document(s), "
        f"{r['new_since_creation']} nouveau(x) depuis l'enregistrement"
        for r in rows
    )
    _print(args, rows, text or "aucune recherche enregistrée")
    return 0


def saved_remove(args: argparse.Namespace) -> int:
    lab = open_lab(args)
    search = lab.search_named(args.name)
    if search is None or not lab.remove_search(args.name):
        raise LabError(f"aucune recherche enregistrée ne s'appelle « {args.name} »")
    (config.feeds_dir() / veille.feed_file_name(search)).unlink(missing_ok=True)
    _print(args, {"removed": args.name}, f"recherche supprimée : « {args.name} »")
    return 0


def feed(args: argparse.Namespace, engine: SearchEngine) -> int:
    lab = open_lab(args)
    search = lab.search_named(args.name)
    if search is None:
        raise LabError(f"aucune recherche enregistrée ne s'appelle « {args.name} »")
    data = veille.atom_feed(lab, engine, search)
    engine.close()
    if args.output:
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.write(data.decode("utf-8"))
        if not data.endswith(b"\n"):
            sys.stdout.write("\n")
    return 0


def trend(args: argparse.Namespace, engine: SearchEngine) -> int:
    from archive.trends import MAX_SERIES

    if len(args.queries) > MAX_SERIES:
        print(f"archive: {MAX_SERIES} requêtes au plus ({len(args.queries)} données)", file=sys.stderr)
        return 2
    result = engine.trend([SearchRequest(q) for q in args.queries], args.by, args.year_from, args.year_to)
    engine.close()
    bad = [s for s in result.series if s.error]
    for series in bad:
        print(f"archive: requête illisible « {series.query} » : {series.error}", file=sys.stderr)
    if bad:
        return 2
    header = ["période", "tous"] + [s.query for s in result.series]
    lines = ["\t".join(header)]
    for i, period in enumerate(result.periods):
        cells = [period, str(result.totals[i])]
        for s in result.series:
            share = s.shares[i]
            cells.append(f"{s.counts[i]} ({share:.1%})" if share is not None else str(s.counts[i]))
        lines.append("\t".join(cells))
    for s in result.series:
        apart = [f"{s.undated} sans date"]
        if args.by == "month":
            apart.append(f"{s.year_only} datés de l'année seule")
        if s.outside:
            apart.append(f"{s.outside} hors période")
        lines.append(f"« {s.query} » : {s.total} document(s), dont " + ", ".join(apart))
    _print(args, result.to_dict(), "\n".join(lines))
    return 0


def dossier_add(args: argparse.Namespace, engine: SearchEngine) -> int:
    from archive import dossiers

    record = engine.document(args.id)
    engine.close()
    if record is None:
        raise LabError(f"aucun document n'a l'id {args.id}")
    lab = open_lab(args)
    added = dossiers.add(lab, args.name, record.id, record.title, args.note or "")
    if args.description is not None:
        dossiers.set_description(lab, dossiers.clean_name(args.name), args.description)
    verb = "ajouté au" if added else "déjà dans le"
    _print(
        args,
        {"dossier": args.name, "id": record.id, "added": added},
        f"« {record.title} » {verb} dossier « {args.name} »",
    )
    return 0


def dossier_remove(args: argparse.Namespace) -> int:
    from archive import dossiers

    if not dossiers.remove(open_lab(args), args.name, args.id):
        raise LabError(f"le document {args.id} n'est pas dans le dossier « {args.name} »")
    _print(args, {"dossier": args.name, "removed": args.id}, f"retiré du dossier « {args.name} » : {args.id}")
    return 0


def dossier_list(args: argparse.Namespace, engine: SearchEngine) -> int:
    from archive import dossiers

    lab = open_lab(args)
    if not args.name:
        rows = dossiers.names(lab)
        engine.close()
        _print(
            args,
            [{"name": n, "documents": c} for n, c in rows],
            "\n".join(f"{n} ({c} document(s))" for n, c in rows) or "aucun dossier",
        )
        return 0
    dossier = dossiers.get(lab, args.name)
    if dossier is None:
        raise LabError(f"aucun dossier ne s'appelle « {args.name} »")
    rows = dossiers.resolved(dossier, engine)
    engine.close()
    data = {
        "name": dossier.name,
        "description": dossier.description,
        "documents": [
            {
                "id": i.doc_id,
                "position": i.position,
                "note": i.note,
                "title": r.title if r else i.title,
                "in_archive": r is not None,
                "path": r.path if r else None,
            }
            for i, r in rows
        ],
    }
    _print(args, data, dossiers.inventory_markdown(dossier, rows).rstrip())
    return 0


def dossier_export(args: argparse.Namespace, engine: SearchEngine) -> int:
    from archive import dossiers
    from archive.ris_export import to_ris

    dossier = dossiers.get(open_lab(args), args.name)
    if dossier is None:
        raise LabError(f"aucun dossier ne s'appelle « {args.name} »")
    rows = dossiers.resolved(dossier, engine)
    engine.close()
    notes = {item.doc_id: item.note for item, _ in rows}
    if args.format == "csv":
        data = dossiers.inventory_csv(rows)
    elif args.format == "ris":
        data = to_ris([r for _, r in rows if r is not None], notes)
    else:
        data = dossiers.to_zip(dossier, rows, config.corpus_dir(args.corpus), lambda records: to_ris(records, notes))
    if args.output:
        Path(args.output).write_bytes(data)
    elif args.format == "zip":
        print("archive: un ZIP ne s'écrit pas dans le terminal : donnez -o FICHIER", file=sys.stderr)
        return 2
    else:
        sys.stdout.buffer.write(data)
    return 0
