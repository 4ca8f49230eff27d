"""The JSON the archive answers with, built in one place for every face (CLI and HTTP API).

`archive search --json` and `GET /api/search` return the same dict, and so on for
`show`/`/api/documents/{id}` and `stats`/`/api/stats`: both call these functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from archive.facet_registry import ALL_OF, FILTER_OPTIONS
from archive.models import DocumentRecord, IndexStats, SearchRequest, SearchResult
from archive.versions import Version

STATS_KEYS = ("documents", "failed", "by_year", "by_language", "by_format", "index_bytes", "vocabulary_changed")


def search_request(
    query: str = "",
    *,
    year_from: int | None = None,
    year_to: int | None = None,
    filters: Mapping[str, Sequence[str]] | None = None,
    all_of: Sequence[str] = (),
    sort: str = "relevance",
    limit: int = 10,
    offset: int = 0,
    with_facets: bool = True,
    with_snippets: bool = True,
    group: bool = True,
) -> SearchRequest:
    """A request from the parameters of `archive search`: `filters` maps a facet name to the
    values of its repeatable option (facets without values are left out); `all_of` names the
    facets whose values must all be held (`--all-of`; only those the registry allows)."""
    given = filters or {}
    return SearchRequest(
        query=query,
        year_from=year_from,
        year_to=year_to,
        filters={s.name: list(given[s.name]) for s in FILTER_OPTIONS if given.get(s.name)},
        all_of=[s.name for s in ALL_OF if s.name in all_of],
        sort=sort,
        limit=limit,
        offset=offset,
        with_facets=with_facets,
        with_snippets=with_snippets,
        group=group,
    )


def search_payload(result: SearchResult) -> dict[str, Any]:
    """`archive search --json`: the result without `error` (an error is reported, not returned),
    and without `suggestion` when there is none."""
    data = result.to_dict()
    data.pop("error")
    if data["suggestion"] is None:
        data.pop("suggestion")
    return data


def document_payload(record: DocumentRecord, versions: Sequence[Version] = ()) -> dict[str, Any]:
    """`archive show --json`: every field of the record, its full text included, and the other
    versions of its text (id, title, date, type, path, similarity)."""
    return {**record.to_dict(), "versions": [asdict(v) for v in versions]}


def stats_payload(stats: IndexStats) -> dict[str, Any]:
    """`archive stats --json`: counts, failed files, index size."""
    data = stats.to_dict()
    return {k: data[k] for k in STATS_KEYS}
