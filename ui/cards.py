"""HTML pieces of the app. Every document-derived string goes through `esc`;
only snippets and full texts produced (already escaped, with <mark>) by the
library are inserted as they are."""

from __future__ import annotations

from archive import gazetteer
from archive.facet_registry import BY_NAME, WITH_CHIPS
from archive.models import Hit
from archive.text import number
from archive.versions import Version
from ui.state import PARAM_OF, UrlState
from ui.text import esc, french_date, language_name

CSS = """
<style>
.arc-card{padding:.6rem .2rem .8rem .2rem;border-bottom:1px solid rgba(128,128,128,.25)}
.arc-title{font-size:1.08rem;font-weight:600;line-height:1.35}
.arc-title a{text-decoration:none}
.arc-title a:hover{text-decoration:underline}
.arc-meta{color:rgba(110,110,110,1);font-size:.85rem;margin:.15rem 0 .3rem 0}
.arc-badges{margin:.15rem 0 .35rem 0;display:flex;flex-wrap:wrap;gap:.3rem}
.arc-badge{display:inline-block;border-radius:.75rem;padding:.05rem .55rem;font-size:.78rem;
  text-decoration:none !important;border:1px solid transparent}
.arc-badge.actor{background:#e8f0fe;color:#1a4fa0;border-color:#c6d8fb}
.arc-badge.theme{background:#e7f5ec;color:#1d6b3a;border-color:#c4e6d0}
.arc-badge.place{background:#f3f0e8;color:#6b5a1d;border-color:#e3dcc6}
.arc-badge.scheme{background:#f3e8fd;color:#6a1b9a;border-color:#e1c8f5}
.arc-badge.detected{border-style:dashed}
.arc-group{font-size:.78rem;font-weight:600;text-transform:uppercase;letter-spacing:.03em;
  color:rgba(100,100,100,1);margin:.5rem 0 .1rem 0}
.arc-rule{color:rgba(110,110,110,1);font-size:.75rem;margin-left:.3rem}
.arc-badge.prov{background:#f1f1f1;color:#555;font-size:.7rem;padding:0 .45rem}
.arc-badge.prov.fiche{background:#fff4e0;color:#8a5300}
.arc-badge.prov.modifie{background:#fde8e8;color:#9b1c1c}
.arc-snippet{font-size:.92rem;line-height:1.5}
.arc-snippet mark,.arc-fulltext mark{background:#ffe58a;color:inherit;padding:0 .1rem;border-radius:.15rem}
.arc-partial{opacity:.85}
.arc-fulltext{white-space:pre-wrap;font-size:.93rem;line-height:1.55;max-height:38rem;overflow-y:auto;
  padding:.8rem 1rem;border:1px solid rgba(128,128,128,.3);border-radius:.4rem}
.arc-meta-table{border-collapse:collapse;width:100%;font-size:.9rem}
.arc-meta-table th{text-align:left;vertical-align:top;padding:.3rem .6rem .3rem 0;width:9.5rem;
  font-weight:600;color:rgba(90,90,90,1)}
.arc-meta-table td{padding:.3rem 0;vertical-align:top;word-break:break-word}
.arc-list{margin:.2rem 0 .2rem 1.1rem;padding:0}
.arc-muted{color:rgba(120,120,120,1);font-size:.85rem}
.arc-feed{font-size:.8rem;color:#b35900 !important;text-decoration:none}
[data-testid="stSidebar"] [class*="st-key-w_saved_"] button *{white-space:normal !important;
  text-overflow:clip !important;overflow:visible !important;text-align:left}
.arc-years{display:flex;align-items:flex-end;gap:1px;height:60px}
.arc-year{flex:1 1 0;height:100%;display:flex;align-items:flex-end}
.arc-bar{width:100%;background:#4c78a8;border-radius:1px 1px 0 0}
.arc-year.out .arc-bar{background:#d5d9e0}
.arc-year:hover .arc-bar{opacity:.75}
.arc-versions{font-size:.85rem;margin:.3rem 0 .1rem 0}
.arc-versions summary{cursor:pointer;color:#1a4fa0}
.arc-versions ul{margin:.2rem 0 .2rem 1.1rem;padding:0}
</style>
"""

KIND_TO_PARAM = {spec.name: PARAM_OF[spec.name] for spec in WITH_CHIPS}  # badge kind (facet) → URL param


def badge(text: str, kind: str, href: str | None = None, title: str | None = None) -> str:
    tip = f' title="{esc(title)}"' if title else ""
    if href:
        return f'<a class="arc-badge {kind}" href="{esc(href)}" target="_self"{tip}>{esc(text)}</a>'
    return f'<span class="arc-badge {kind}"{tip}>{esc(text)}</span>'


def search_link(kind: str, value: str) -> str:
    """A search for everything tagged with this value (the current query is dropped)."""
    param = KIND_TO_PARAM[kind]
    return UrlState(filters={param: (value,)}).link()


def facet_badges(
    state: UrlState,
    actors: list[str],
    themes: list[str],
    places: list[str] | None = None,
    limit: int | None = None,
    schemes: list[str] | None = None,
) -> str:
    """Badges that add their value to the current search when clicked (at most `limit` of each kind)."""
    out = []
    for kind, values in (("actor", actors), ("scheme", schemes or []), ("theme", themes), ("place", places or [])):
        param = KIND_TO_PARAM[kind]
        shown = values if limit is None else values[:limit]
        for value in shown:
            href = state.toggle(param, value, on=True).replace(vue="recherche", doc=None).link()
            out.append(badge(value, BY_NAME[kind].chip or kind, href, title=f"Filtrer sur « {value} »"))
        if len(shown) < len(values):
            out.append(f'<span class="arc-muted">+{len(values) - len(shown)}</span>')
    return f'<div class="arc-badges">{"".join(out)}</div>' if out else ""


def document_href(state: UrlState, doc_id: str) -> str:
    return state.link(vue="document", doc=doc_id)


def versions_label(n: int) -> str:
    return f"{number(n)} autre version" if n == 1 else f"{number(n)} autres versions"


def version_items(versions: list[Version], state: UrlState) -> str:
    """The other versions of a text as list items: date, linked title, file, share of text in common."""
    return "".join(
        f'<li><span class="arc-muted">{esc(french_date(v.date))}</span> — '
        f'<a href="{esc(document_href(state, v.id))}" target="_self">{esc(v.title or v.path)}</a> '
        f'<span class="arc-muted">{esc(v.path)} · {round(v.similarity * 100)} % du texte en commun</span></li>'
        for v in versions
    )


_PLACE_ORDER = {"commune": 0, "département": 1, "région": 2}


def most_specific_first(places: list[str]) -> list[str]:
    """Towns, then departments, then regions (« Pont-de-Claix, Isère, Auvergne-Rhône-Alpes »), each
    kind in the document's order: two cards naming the same places list them alike."""

    def rank(name: str) -> int:
        place = gazetteer.place_info(name)
        return _PLACE_ORDER.get(place.kind, 0) if place else 0

    return sorted(places, key=rank)


def hit_card(hit: Hit, state: UrlState, versions: list[Version] | None = None) -> str:
    """One result: linked title, date and type, actor/theme badges, highlighted snippet, and
    « N autres versions » of its text that open when clicked."""
    meta = [french_date(hit.date), hit.doc_type or "type inconnu", language_name(hit.language)]
    if hit.places:
        places = most_specific_first(hit.places)
        meta.append(", ".join(places[:3]) + ("…" if len(places) > 3 else ""))
    cls = "arc-card arc-partial" if hit.partial else "arc-card"
    return (
        f'<div class="{cls}">'
        f'<div class="arc-title"><a href="{esc(document_href(state, hit.id))}" target="_self">'
        f"{esc(hit.title or hit.path)}</a></div>"
        f'<div class="arc-meta">{" · ".join(esc(m) for m in meta)}</div>'
        f"{facet_badges(state, hit.actors, hit.themes, schemes=hit.schemes)}"
        f'<div class="arc-snippet">{hit.snippet}</div>'  # library-escaped, with <mark>
        f'<div class="arc-muted">{esc(hit.path)}</div>'
        f"{_versions_details(versions, state)}"
        "</div>"
    )


def _versions_details(versions: list[Version] | None, state: UrlState) -> str:
    if not versions:
        return ""
    return (
        f'<details class="arc-versions"><summary>{esc(versions_label(len(versions)))}</summary>'
        f"<ul>{version_items(versions, state)}</ul></details>"
    )


def compact_row(hit: Hit, state: UrlState, badges: int = 4) -> str:
    """A short entry (timeline lists, similar documents) with a few badges."""
    return (
        f'<div class="arc-card"><span class="arc-muted">{esc(french_date(hit.date))}</span> — '
        f'<a href="{esc(document_href(state, hit.id))}" target="_self">{esc(hit.title or hit.path)}</a>'
        f"{facet_badges(state, hit.actors, hit.themes, limit=badges) if badges else ''}</div>"
    )
