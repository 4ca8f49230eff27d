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
    from archive_cli.main import request_filters

    filters = request_filters(args)
    probe = SearchRequest(args.query, args.year_from, args.year_to, filters, args.sort, limit=1, with_facets=False)
    result = engine.search(probe)
    if result.error:
        print(f"archive: requête illisible : {result.error}", file=sys.stderr)
        return 2
    lab = open_lab(args)
    search = lab.add_search(args.name, args.query, filters, args.year_from, args.year_to, args.sort)
    veille.refresh(lab, engine, search, force=True)
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
    if not lab.remove_search(args.name):
        raise LabError(f"aucune recherche enregistrée ne s'appelle « {args.name} »")
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
