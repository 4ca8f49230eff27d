"""Chronologie: documents per year or month, split by theme or actor, a period to list its documents."""

from __future__ import annotations

import math
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from archive.engine import SearchEngine
from archive.facet_registry import BY_NAME
from archive.models import Hit, Timeline
from archive.text import FIRST_YEAR, LAST_YEAR, number, plural
from archive.trends import month_label
from ui import url
from ui.cards import compact_row
from ui.controls import active_filters, group_toggle, query_box, sidebar_facets
from ui.runtime import engine
from ui.state import GRANULARITIES, SPLITS, UrlState
from ui.text import french_period, md

TOP_SERIES = 6
LIST_SIZE = 20
ALL_PERIODS = "__toutes__"
GRANULARITY_LABELS = {"annee": "Par année", "mois": "Par mois"}
SPLIT_LABELS = {"aucune": "Sans couleur"} | {
    param: f"Par {BY_NAME[facet].label.lower()}" for param, facet in SPLITS.items() if facet
}


def _on_choice(widget_key: str, field: str) -> None:
    changes: dict[str, Any] = {field: url.widget(widget_key)}
    if field == "pas":
        changes["periode"] = None
    if field == "couleur":
        changes["comparer"] = ()
    url.go(url.current().replace(**changes))


def _on_compare() -> None:
    url.go(url.current().replace(comparer=tuple(url.widget("w_compare") or ())))


def _on_period_select() -> None:
    chosen = url.widget("w_period")
    url.go(url.current().replace(periode=None if chosen == ALL_PERIODS else chosen, page=1))


def _on_chart_select() -> None:
    event = url.widget("w_chart")
    points = (event or {}).get("selection", {}).get("periode_choisie", []) if event else []
    period = points[0].get("période") if points else None
    url.go(url.current().replace(periode=period, page=1))


def _to_page(page: int) -> None:
    url.go(url.current().replace(page=page))


def chart_frame(data: Timeline) -> pd.DataFrame:
    rows = []
    for name, counts in data.series.items():
        for period, n in zip(data.periods, counts, strict=True):
            rows.append({"période": period, "libellé": french_period(period), "série": name, "documents": n})
    return pd.DataFrame(rows, columns=["période", "libellé", "série", "documents"])


def full_span(data: Timeline, year_from: int | None = None, year_to: int | None = None) -> Timeline:
    """Every period from 2011 to 2026 (or the chosen years), empty ones included and widened to any
    dated document outside them: an axis of only the years with hits hides that the others have none."""
    if not data.periods:
        return data
    years = [int(p[:4]) for p in data.periods]
    lo = min(years[0], year_from if year_from is not None else FIRST_YEAR)
    hi = max(years[-1], year_to if year_to is not None else LAST_YEAR)
    if data.granularity == "month":
        periods = [f"{y}-{m:02d}" for y in range(lo, hi + 1) for m in range(1, 13)]
    else:
        periods = [str(y) for y in range(lo, hi + 1)]
    at = {p: i for i, p in enumerate(data.periods)}
    series = {name: [counts[at[p]] if p in at else 0 for p in periods] for name, counts in data.series.items()}
    return Timeline(data.granularity, periods, series, data.undated, data.year_only)


def _label_expr(data: Timeline) -> str:
    """French month labels (« janv. 2011 »), each January only: « 2011-01 » is no label for a reader."""
    if data.granularity != "month":
        return "datum.value"
    cases = " : ".join(f"datum.value == '{p}' ? '{month_label(p)}'" for p in data.periods if p.endswith("-01"))
    return f"{cases} : ''" if cases else "''"


def timeline_chart(data: Timeline, compare: bool, selected: str | None) -> alt.Chart:
    frame = chart_frame(data)
    pick = alt.selection_point(name="periode_choisie", fields=["période"], on="click", clear="dblclick")
    split = list(data.series) != ["documents"]
    x = alt.X(
        "période:O",
        title=None,
        sort=data.periods,
        axis=alt.Axis(
            labelAngle=-45 if data.granularity == "month" else 0, labelOverlap=True, labelExpr=_label_expr(data)
        ),
    )
    # Split by actor or theme, a document counts in each of its series: a stacked bar can be higher
    # than the period's number of documents, which the axis must not call « Documents ».
    y_title = "Documents, comptés dans chaque série" if split and not compare else "Documents"
    y = alt.Y("documents:Q", title=y_title, axis=alt.Axis(tickMinStep=1))
    tooltip = [
        alt.Tooltip("libellé:N", title="Période"),
        alt.Tooltip("série:N", title="Série"),
        alt.Tooltip("documents:Q", title="Documents"),
    ]
    base = alt.Chart(frame)
    if compare:
        chart = base.mark_line(point=True).encode(
            x=x, y=y, color=alt.Color("série:N", title="Comparaison"), tooltip=tooltip
        )
    else:
        color = alt.Color("série:N", title="Thème ou acteur") if split else alt.value("#4c78a8")
        opacity = (
            alt.condition(alt.FieldOneOfPredicate(field="période", oneOf=[selected]), alt.value(1.0), alt.value(0.35))
            if selected
            else alt.value(1.0)
        )
        chart = base.mark_bar().encode(x=x, y=y, color=color, opacity=opacity, tooltip=tooltip)
    return chart.add_params(pick).properties(height=320)


def period_documents(eng: SearchEngine, state: UrlState) -> tuple[list[Hit], int]:
    """One page of the documents of the chosen period (all periods if none), oldest first."""
    offset = (state.page - 1) * LIST_SIZE
    request = state.replace(tri="date").request(limit=LIST_SIZE, offset=offset, with_facets=False, with_snippets=False)
    if state.periode:
        return eng.period_hits(request, state.periode)
    result = eng.search(request)
    return [h for h in result.hits if not h.partial], result.total


def controls(state: UrlState, facets: dict[str, dict[str, int]]) -> None:
    with st.container(horizontal=True, gap="large"):
        url.sync("w_pas", state.pas)
        st.segmented_control(
            "Pas de temps",
            options=list(GRANULARITIES),
            format_func=GRANULARITY_LABELS.__getitem__,
            key="w_pas",
            on_change=_on_choice,
            args=("w_pas", "pas"),
            required=True,
        )
        url.sync("w_couleur", state.couleur)
        st.segmented_control(
            "Couleurs",
            options=list(SPLITS),
            format_func=SPLIT_LABELS.__getitem__,
            key="w_couleur",
            on_change=_on_choice,
            args=("w_couleur", "couleur"),
            required=True,
        )
    split = SPLITS[state.couleur]
    if split is None:
        return
    options = list(facets.get(split, {}))
    options += [v for v in state.comparer if v not in options]
    url.sync("w_compare", list(state.comparer))
    what = BY_NAME[split].heading.lower()
    st.multiselect(
        f"Comparer 2 ou 3 {what}",
        options=options,
        key="w_compare",
        on_change=_on_compare,
        max_selections=3,
        placeholder=f"Sans choix : les {TOP_SERIES} {what} les plus fréquents, puis « autres »",
    )


def period_picker(state: UrlState, data: dict[str, Any]) -> None:
    totals = [sum(values) for values in zip(*data.series.values(), strict=True)] if data.series else []
    periods = [p for p, n in zip(data.periods, totals, strict=True) if n] if totals else []
    options = [ALL_PERIODS] + periods
    if state.periode and state.periode not in options:
        options.append(state.periode)
    url.sync("w_period", state.periode or ALL_PERIODS)
    st.selectbox(
        "Période",
        options=options,
        key="w_period",
        on_change=_on_period_select,
        format_func=lambda p: "Toutes les périodes" if p == ALL_PERIODS else french_period(p),
        help="Cliquez aussi sur une barre du graphique (double-clic pour tout revoir).",
    )


def render(state: UrlState) -> None:
    eng = engine()
    st.title("Chronologie")
    query_box(state)
    result = eng.search(state.request(limit=1, with_snippets=False))
    sidebar_facets(state, result)
    active_filters(state)
    if result.error:
        st.error(md(result.error), icon=":material/error:")  # the engine's message is a French sentence
        return
    controls(state, result.facets)
    group_toggle(state, result)
    split = SPLITS[state.couleur]
    compare = bool(state.comparer) and split is not None
    data = eng.timeline(
        state.request(with_facets=False, with_snippets=False),
        granularity=GRANULARITIES[state.pas],
        split_by=split,
        top=TOP_SERIES,
        series=list(state.comparer) if compare else None,
    )
    data = full_span(data, state.de, state.a)
    if not data.periods:
        st.info("Aucun document daté ne correspond à cette recherche.")
    else:
        st.altair_chart(
            timeline_chart(data, compare, state.periode),
            key="w_chart",
            on_select=_on_chart_select,
            selection_mode="periode_choisie",
            width="stretch",
        )
        verb = "correspond" if result.total <= 1 else "correspondent"
        notes = [f"{plural(result.total, 'document', 'documents')} {verb} à la recherche"]
        if data.undated:
            notes.append(f"{plural(data.undated, 'document', 'documents')} sans date (hors graphique)")
        if data.year_only:
            notes.append(
                f"{plural(data.year_only, 'document', 'documents')} datés de l'année seule (« année seule », hors graphique)"
            )
        if split is not None:
            notes.append("un document peut compter pour plusieurs " + BY_NAME[split].heading.lower())
        st.caption(" · ".join(notes) + ".")
        period_picker(state, data)
    hits, total = period_documents(eng, state)
    heading = (
        f"Documents de {french_period(state.periode)}" if state.periode else "Documents, du plus ancien au plus récent"
    )
    st.subheader(heading)
    if not hits:
        st.caption("Aucun document pour cette période.")
    for hit in hits:
        st.html(compact_row(hit, state))
    pages = max(1, math.ceil(total / LIST_SIZE))
    if pages > 1:
        with st.container(horizontal=True, horizontal_alignment="center", vertical_alignment="center"):
            st.button(
                "← Précédent", key="w_tl_prev", disabled=state.page <= 1, on_click=_to_page, args=(state.page - 1,)
            )
            st.markdown(f"Page {number(state.page)} sur {number(pages)}")
            st.button(
                "Suivant →", key="w_tl_next", disabled=state.page >= pages, on_click=_to_page, args=(state.page + 1,)
            )
