"""Search controls shared by the search and timeline views: query box, facets, active-filter chips."""

from __future__ import annotations

import streamlit as st
from streamlit.elements.lib.mutable_expander_container import ExpanderContainer

from archive.models import SearchResult
from archive.text import fold_name, number, plural
from ui import url
from ui.actor_groups import group_actors
from ui.runtime import engine, index_path
from ui.state import FACET_LABELS, FACET_PARAMS, FACET_SPECS, UrlState
from ui.text import language_name, md

TOP_VALUES = 15
TOP_PER_GROUP = 6

SYNTAX_HELP = """
| vous tapez | vous trouvez |
|---|---|
| `réindustrialisation` | le mot, avec ou sans accents ni majuscules, et ses formes (pluriel, féminin, écriture inclusive) |
| `industrie emploi` | les documents qui contiennent **les deux** mots |
| `"semaine de l'industrie"` | l'expression exacte, dans une même phrase ou un même élément de liste |
| `Alès OU Gardanne`, `Alès OR Gardanne` | l'un ou l'autre (`ET`, `OU`, `SAUF` en majuscules, comme `AND`, `OR`, `NOT`) |
| `Pont-de-Claix`, `sous-traitants` | le mot composé, écrit avec ou sans traits d'union |
| `industrie SAUF automobile`, `industrie -automobile` | exclut un mot (le tiret en début de mot seulement) |
| `relocalis*` | les mots qui commencent par *relocalis* (les 200 premiers au plus) |
| `industrei~`, `réindustrialisaton~2` | les mots à 1 (ou 2) lettres près, la première lettre exacte ; `~2` au plus |
| `acteur:CGT`, `thème:énergie`, `lieu:Isère`, `type:invitation`, `langue:fr` | recherche dans une métadonnée |
| `dispositif:"France 2030"`, `dispositif:PIA` | les documents qui citent un programme (France 2030, France Relance, PIA…) |
| `année:2020`, `année:2018-2021` | une année, une période |
| `titre:relance` | un mot du titre |

Sans mot-clé, la liste montre tous les documents : affinez-la avec les filtres de la barre latérale.
Une requête compte 64 mots au plus ; une recherche qui dépasse 3 secondes s'arrête et montre ce
qu'elle a trouvé, avec un avertissement.
"""


def value_label(param: str, value: str) -> str:
    return language_name(value) if param == "langue" else value


# -- callbacks (they read the URL again, so they never act on a stale state) -------------


def _on_query() -> None:
    text = (url.widget("w_q") or "").strip()
    url.go(url.current().replace(q=text, page=1, periode=None))


def _on_toggle(param: str, value: str, key: str) -> None:
    url.go(url.current().toggle(param, value, on=bool(url.widget(key))))
    st.session_state[_CLOSE_SIDEBAR] = True


_CLOSE_SIDEBAR = "close_sidebar_on_narrow_screen"
NARROW_SCREEN_PX = 768  # below this, Streamlit draws the sidebar over the results
# Run in the page (st.iframe embeds an HTML string with the app's origin): on a narrow screen, the sidebar
# that covers the results is closed once a filter was chosen in it, so the results show.
_CLOSE_SIDEBAR_SCRIPT = """<script>
const page = window.parent;
if (page.innerWidth < %d) {
  const sidebar = page.document.querySelector('[data-testid="stSidebar"]');
  const close = page.document.querySelector('[data-testid="stSidebarCollapseButton"] button');
  if (sidebar && sidebar.getAttribute("data-collapsed") === "false" && close) close.click();
}
</script>"""


def close_sidebar_after_a_choice() -> None:
    """After a filter was ticked in the sidebar: close it on a phone-width screen."""
    if st.session_state.pop(_CLOSE_SIDEBAR, False):
        st.iframe(_CLOSE_SIDEBAR_SCRIPT % NARROW_SCREEN_PX, height=1)  # st.components.v1.html is deprecated


def _on_all_at_once(param: str, key: str) -> None:
    url.go(url.current().all_at_once(param, on=bool(url.widget(key))))


def _on_years(lo: int, hi: int) -> None:
    start, end = url.widget("w_years")
    url.go(url.current().replace(de=None if start == lo else start, a=None if end == hi else end, page=1, periode=None))


def set_query(text: str) -> None:
    url.go(url.current().replace(q=text, page=1, periode=None))


def remove_filter(param: str, value: str) -> None:
    url.go(url.current().toggle(param, value, on=False))


def remove_years() -> None:
    url.go(url.current().replace(de=None, a=None, page=1, periode=None))


def clear_filters() -> None:
    url.go(url.current().without_filters())


# -- widgets -------------------------------------------------------------------------


def query_box(state: UrlState) -> None:
    url.sync("w_q", state.q)
    st.text_input(
        "Rechercher dans l'archive",
        key="w_q",
        on_change=_on_query,
        placeholder='réindustrialisation, acteur:CGT, "semaine de l\'industrie"…',
        icon=":material/search:",
    )
    help_box = lazy_expander("Syntaxe de recherche", "exp_syntax")
    if help_box.open:
        with help_box:
            st.markdown(SYNTAX_HELP)


def lazy_expander(label: str, key: str, expanded: bool = False, open_now: bool = False) -> ExpanderContainer:
    """An expander whose content is drawn only while it is open: a closed one sends its label alone
    to the browser (its content would otherwise be built, sent and laid out in the page at every
    rerun, hidden). Opening or closing it reruns the script; `.open` says whether to draw the
    content. `expanded` is its starting state; `open_now` opens it in this run (the user may close
    it again)."""
    if open_now:
        st.session_state[key] = True
    return st.expander(label, expanded=expanded, key=key, on_change="rerun")


@st.cache_data(show_spinner=False, max_entries=16)
def _year_bounds(index_root: str, generation: str) -> tuple[int, int] | None:
    years = [int(y) for y in engine().facet_values("year") if y.isdigit()]
    return (min(years), max(years)) if years else None


def year_bars(counts: dict[str, int], lo: int, hi: int, start: int, end: int) -> str:
    """The documents per year from `lo` to `hi` as plain HTML bars (a Vega chart costs the browser
    far more to draw at every rerun): years outside `start`–`end` greyed, each bar titled
    « 2019 : 12 documents »."""
    years = range(lo, hi + 1)
    top = max([counts.get(str(y), 0) for y in years] + [1])
    bars = []
    for year in years:
        n = counts.get(str(year), 0)
        kept = "" if start <= year <= end else " out"
        height = 0 if n == 0 else max(4.0, 100 * n / top)  # a year with documents stays visible
        bars.append(
            f'<div class="arc-year{kept}" title="{year} : {plural(n, "document")}">'
            f'<div class="arc-bar" style="height:{height:.1f}%"></div></div>'
        )
    return f'<div class="arc-years">{"".join(bars)}</div>'


def year_filter(state: UrlState, counts: dict[str, int]) -> None:
    eng = engine()
    bounds = _year_bounds(str(index_path()), eng.generation())
    st.markdown("**Années**")
    if bounds is None:
        st.caption("Aucun document daté.")
        return
    lo, hi = bounds
    start = min(max(state.de if state.de is not None else lo, lo), hi)
    end = max(min(state.a if state.a is not None else hi, hi), lo)
    st.html(year_bars(counts, lo, hi, start, end))
    if lo == hi:
        st.caption(f"Tous les documents datés sont de {lo}.")
        return
    url.sync("w_years", (start, end))
    st.slider(
        "Années",
        min_value=lo,
        max_value=hi,
        key="w_years",
        step=1,
        on_change=_on_years,
        args=(lo, hi),
        label_visibility="collapsed",
    )


def facet_list(state: UrlState, param: str, counts: dict[str, int]) -> None:
    heading, _ = FACET_LABELS[param]
    selected = state.selected(param)
    key, seen = f"exp_{param}", f"_selected_{param}"
    # A facet opens when it gets a selection, or is drawn anew with one (after another view).
    gained = bool(selected) and (key not in st.session_state or st.session_state.get(seen) != selected)
    st.session_state[seen] = selected
    box = lazy_expander(heading, key, expanded=FACET_SPECS[param].expanded, open_now=gained)
    if not box.open:
        return
    with box:
        values = list(counts.items())
        if not values:
            st.caption("Aucune valeur pour cette recherche.")
            return
        needle = ""
        if len(values) > (TOP_PER_GROUP if param == "acteur" else TOP_VALUES):
            needle = st.text_input(
                f"Filtrer les {heading.lower()}",
                key=f"w_filter_{param}",
                placeholder=f"Filtrer les {heading.lower()}…",
                label_visibility="collapsed",
            )
        shown = values
        if needle:
            wanted = fold_name(needle)
            shown = [(v, n) for v, n in values if wanted in fold_name(value_label(param, v))]
        if param == "acteur":
            hidden = _actor_groups(dict(shown), selected, counts)
        else:
            top = shown[:TOP_VALUES]
            top += [(v, counts.get(v, 0)) for v in selected if v not in {t for t, _ in top}]
            for value, n in top:
                _checkbox(param, value, n, selected)
            hidden = len(shown) - TOP_VALUES
        if hidden > 0:
            st.caption(f"… et {number(hidden)} autres : tapez dans le filtre pour les voir.")
        elif needle and not shown:
            st.caption("Aucune valeur ne correspond.")
        _combination(state, param, selected)


def _combination(state: UrlState, param: str, selected: tuple[str, ...]) -> None:
    """How ticked values combine: one or another (OU), or, for a facet whose registry entry has
    `all_of` (actors, themes), all at once (ET)."""
    if len(selected) < 2:
        st.caption("Plusieurs valeurs cochées : l'une ou l'autre (OU).")
        return
    if not FACET_SPECS[param].all_of:
        st.caption("Valeurs cochées : l'une ou l'autre (OU).")
        return
    key = f"w_tous_{param}"
    url.sync(key, param in state.tous)
    st.toggle(
        "Toutes à la fois (ET)",
        key=key,
        on_change=_on_all_at_once,
        args=(param, key),
        help="Désactivé : les documents qui ont l'une ou l'autre des valeurs cochées (OU). "
        "Activé : seulement ceux qui les ont toutes.",
    )


def _checkbox(param: str, value: str, n: int, selected: tuple[str, ...], depth: int = 0) -> None:
    key = f"w_f_{param}_{value}"
    url.sync(key, value in selected)
    indent = "↳ " if depth else ""
    st.checkbox(
        f"{indent}{md(value_label(param, value))} ({number(n)})",
        key=key,
        on_change=_on_toggle,
        args=(param, value, key),
    )


def _actor_groups(shown: dict[str, int], selected: tuple[str, ...], counts: dict[str, int]) -> int:
    """The actor facet grouped by kind (syndicats, entreprises…), a federation under its
    confederation; returns how many values were left out."""
    hidden = 0
    wanted = dict(shown) | {v: counts.get(v, 0) for v in selected}
    for heading, values in group_actors(wanted):
        st.markdown(f"<div class='arc-group'>{heading}</div>", unsafe_allow_html=True)
        kept = 0
        for value, n, depth in values:
            if kept < TOP_PER_GROUP or value in selected:
                _checkbox("acteur", value, n, selected, depth)
                kept += 1
            else:
                hidden += 1
    return hidden


def sidebar_facets(state: UrlState, result: SearchResult) -> None:
    with st.sidebar:
        st.subheader("Affiner")
        year_filter(state, result.facets.get("year", {}))
        for param, facet in FACET_PARAMS.items():
            facet_list(state, param, result.facets.get(facet, {}))
    close_sidebar_after_a_choice()


def filter_removers(state: UrlState, label, key: str, years_label: str, **button) -> None:
    """One button per active filter (facet values, then years) that removes it.

    `label(singular, value)` words each facet button; `button` goes to every st.button.
    """
    for param, values in state.filters.items():
        _, singular = FACET_LABELS[param]
        for value in values:
            st.button(
                label(singular, md(value_label(param, value))),
                key=f"{key}_{param}_{value}",
                on_click=remove_filter,
                args=(param, value),
                **button,
            )
    if state.de is not None or state.a is not None:
        span = f"{state.de if state.de is not None else '…'}–{state.a if state.a is not None else '…'}"
        st.button(years_label.format(span=span), key=f"{key}_years", on_click=remove_years, **button)


def active_filters(state: UrlState) -> None:
    """Removable chips, one per active filter."""
    if not state.has_filters:
        return
    with st.container(horizontal=True, key="chips"):
        filter_removers(
            state,
            lambda singular, value: f"{singular} : {value} ✕",
            "chip",
            "Années : {span} ✕",
            help="Retirer ce filtre",
        )
        st.button("Tout effacer", key="chip_clear", on_click=clear_filters, type="tertiary")


def _on_group() -> None:
    grouped = bool(url.widget("w_group"))
    url.go(url.current().replace(toutes_versions=not grouped, page=1))


def group_toggle(state: UrlState, result: SearchResult) -> None:
    """« Regrouper les versions » and, when it folded some, how many matching documents it left out."""
    url.sync("w_group", not state.toutes_versions)
    st.toggle(
        "Regrouper les versions d'un même texte",
        key="w_group",
        on_change=_on_group,
        help="Un communiqué repris sur plusieurs sites, un PDF et sa page web, un projet et sa version "
        "finale : un seul résultat (la version la mieux datée) et un seul compte dans les facettes.",
    )
    if result.grouped:
        st.caption(
            f"Versions d'un même texte comptées une fois : "
            f"{plural(result.grouped, 'autre version non comptée', 'autres versions non comptées')}."
        )
