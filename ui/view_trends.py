"""Évolution des termes: up to four queries over time, as counts or as shares of all the documents
of each period; a click on a point lists its documents; CSV, PNG and SVG exports."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import replace

import altair as alt
import pandas as pd
import streamlit as st

from archive.models import SearchRequest
from archive.text import FIRST_YEAR, LAST_YEAR, number, plural
from archive.trends import MAX_SERIES, Trend
from ui import url
from ui.cards import compact_row
from ui.runtime import engine
from ui.state import UrlState
from ui.text import md

# Colour-blind-safe and told apart in print (Okabe–Ito).
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]
MEASURES = {"nombre": "Nombre de documents", "part": "Part des documents de la période"}
STEPS = {"annee": "Par année", "mois": "Par mois"}
LIST_SIZE = 50


# -- callbacks --------------------------------------------------------------------------


def _on_terms() -> None:
    terms = [(url.widget(f"w_t{i}") or "").strip() for i in range(MAX_SERIES)]
    url.go(url.current().replace(termes=tuple(t for t in terms if t), periode=None, serie=None))


def _on_step() -> None:
    url.go(url.current().replace(pas=url.widget("w_trend_step") or "annee", periode=None, serie=None))


def _on_measure() -> None:
    url.go(url.current().replace(mesure=url.widget("w_trend_measure") or "nombre"))


def _on_point() -> None:
    event = url.widget("w_trend_chart")
    points = (getattr(event, "selection", None) or {}).get("point") or []
    state = url.current()
    if not points:
        url.go(state.replace(periode=None, serie=None))
        return
    chosen = points[0]
    series = int(chosen.get("série", 0))
    url.go(state.replace(periode=str(chosen.get("période")), serie=series))


def _on_list_choice() -> None:
    chosen = url.widget("w_trend_pick")
    state = url.current()
    if not chosen:
        url.go(state.replace(periode=None, serie=None))
        return
    series, _, period = chosen.partition("|")
    url.go(state.replace(periode=period, serie=int(series)))


# -- data ---------------------------------------------------------------------------------


def frame(trend: Trend, names: list[str]) -> pd.DataFrame:
    rows = []
    for index, series in enumerate(trend.series):
        for i, period in enumerate(trend.periods):
            share = series.shares[i]
            rows.append(
                {
                    "période": period,
                    "libellé": trend.labels[i],
                    "série": index,
                    "requête": names[index],
                    "documents": series.counts[i],
                    "part": share,  # None (a gap) where the archive has no document
                    "tous": trend.totals[i],
                }
            )
    return pd.DataFrame(rows)


def to_csv(trend: Trend, names: list[str], separator: str = ",") -> bytes:
    """One row per period: all documents, then each query's count and share (French decimals with « ; »)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator)
    header = ["période", "tous les documents"]
    for name in names:
        header += [f"{name} (documents)", f"{name} (part)"]
    writer.writerow(header)
    for i, period in enumerate(trend.periods):
        row: list[str | int] = [period, trend.totals[i]]
        for series in trend.series:
            share = series.shares[i]
            text = "" if share is None else f"{share:.6f}"
            row += [series.counts[i], text.replace(".", ",") if separator == ";" else text]
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def chart(trend: Trend, names: list[str], measure: str) -> alt.Chart:
    data = frame(trend, names)
    field = "part" if measure == "part" else "documents"
    axis = alt.Axis(format="%") if measure == "part" else alt.Axis(format="d", values=count_ticks(trend))
    select = alt.selection_point(name="point", fields=["période", "série"], on="click")
    return (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=60, filled=True))
        .encode(
            x=alt.X(
                "période:O",
                title=None,
                sort=trend.periods,
                axis=alt.Axis(labelExpr=_label_expr(trend), labelAngle=-45 if trend.granularity == "month" else 0),
            ),
            y=alt.Y(f"{field}:Q", title=MEASURES[measure], axis=axis),
            color=alt.Color(
                "requête:N",
                scale=alt.Scale(domain=names, range=COLOURS[: len(names)]),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=[
                alt.Tooltip("libellé:N", title="Période"),
                alt.Tooltip("requête:N", title="Requête"),
                alt.Tooltip("documents:Q", title="Documents", format="d"),
                alt.Tooltip("part:Q", title="Part", format=".1%"),
                alt.Tooltip("tous:Q", title="Tous les documents", format="d"),
            ],
        )
        .add_params(select)
        .properties(height=360)
    )


def count_ticks(trend: Trend, most: int = 8) -> list[int]:
    """Whole-number ticks for counts: left to Vega, a tall chart (the exported image) gets ticks at
    0.5, 1.5… printed « 0 1 1 2 2 » (`tickMinStep` is not honoured by the image renderer)."""
    top = max((max(s.counts, default=0) for s in trend.series), default=0)
    step = max(1, math.ceil(top / most))
    return list(range(0, top + step, step))


def _label_expr(trend: Trend) -> str:
    """French month labels on the axis (« avr. 2011 »), only each January in the month view."""
    if trend.granularity != "month":
        return "datum.value"
    labels = {p: label for p, label in zip(trend.periods, trend.labels, strict=True) if p.endswith("-01")}
    cases = " : ".join(f"datum.value == '{p}' ? '{label}'" for p, label in labels.items())
    return f"{cases} : ''" if cases else "''"


def image(spec: alt.Chart, kind: str) -> bytes:
    import vl_convert as vlc

    source = spec.properties(width=900).to_json()
    return vlc.vegalite_to_svg(source).encode("utf-8") if kind == "svg" else vlc.vegalite_to_png(source, scale=2)


# -- view ---------------------------------------------------------------------------------


def render(state: UrlState) -> None:
    st.title("Évolution des termes")
    st.caption(
        "Jusqu'à quatre recherches, chacune dans la syntaxe complète (`acteur:CGT`, `année:2015-2020`, "
        '`"semaine de l\'industrie"`…). La part rapporte chaque période à tous les documents de '
        "l'archive de cette période : une année riche en documents ne ressemble pas à une tendance."
    )
    terms = list(state.termes)
    with st.container(horizontal=True):
        for i in range(MAX_SERIES):
            url.sync(f"w_t{i}", terms[i] if i < len(terms) else "")
            st.text_input(
                f"Recherche {i + 1}",
                key=f"w_t{i}",
                on_change=_on_terms,
                placeholder=["réindustrialisation", "relocalisation", "thème:énergie", "hydrogène"][i],
            )
    left, right = st.columns(2)
    with left:
        url.sync("w_trend_step", state.pas)
        st.segmented_control(
            "Pas", list(STEPS), format_func=STEPS.get, key="w_trend_step", on_change=_on_step, required=True
        )
    with right:
        url.sync("w_trend_measure", state.mesure)
        st.segmented_control(
            "Mesure",
            list(MEASURES),
            format_func=MEASURES.get,
            key="w_trend_measure",
            on_change=_on_measure,
            required=True,
        )
    if not terms:
        st.info(f"Tapez une ou plusieurs recherches pour voir leur évolution de {FIRST_YEAR} à {LAST_YEAR}.")
        return
    eng = engine()
    granularity = "month" if state.pas == "mois" else "year"
    trend = eng.trend([SearchRequest(query=t) for t in terms], granularity, state.de, state.a)
    for series in trend.series:
        if series.error:
            st.error(f"« {md(series.query)} » : {md(series.error)}")
    names = [f"{i + 1}. {t}" for i, t in enumerate(terms)]
    # A query that cannot be read has no curve (it was drawn as a line at zero).
    kept = [i for i, series in enumerate(trend.series) if not series.error]
    if not kept:
        return
    trend = replace(trend, series=[trend.series[i] for i in kept])
    names, terms = [names[i] for i in kept], [terms[i] for i in kept]
    spec = chart(trend, names, state.mesure)
    st.altair_chart(spec, width="stretch", on_select=_on_point, selection_mode="point", key="w_trend_chart")
    apart_notes(trend, names)
    exports(trend, names, spec)
    documents_of_point(state, trend, names, terms)


def apart_notes(trend: Trend, names: list[str]) -> None:
    notes = []
    for name, series in zip(names, trend.series, strict=True):
        parts = [plural(series.total, "document")]
        if series.undated:
            parts.append(f"{number(series.undated)} sans date")
        if series.year_only:
            parts.append(f"{number(series.year_only)} datés de l'année seule (« année seule »)")
        if series.outside:
            parts.append(f"{number(series.outside)} hors de la période affichée")
        notes.append(f"**{md(name)}** : " + ", ".join(parts))
    st.markdown(" · ".join(notes))
    if trend.granularity == "month":
        st.caption(
            "Les documents datés d'une année seulement ne figurent pas sur l'axe des mois : ils sont comptés à part."
        )


def exports(trend: Trend, names: list[str], spec: alt.Chart) -> None:
    with st.expander("Tableau des valeurs et exports"):
        table = pd.DataFrame({"Période": trend.labels, "Tous les documents": trend.totals})
        for name, series in zip(names, trend.series, strict=True):
            table[f"{name} — documents"] = series.counts
            table[f"{name} — part"] = [f"{s:.1%}".replace(".", ",") if s is not None else "—" for s in series.shares]
        st.dataframe(table, hide_index=True)
        separator = st.radio(
            "Séparateur CSV",
            [",", ";"],
            format_func=lambda s: {",": "virgule", ";": "point-virgule (Excel français)"}[s],
            horizontal=True,
            key="w_trend_sep",
        )
        with st.container(horizontal=True):
            st.download_button(
                "Exporter en CSV",
                data=to_csv(trend, names, separator),
                file_name="evolution-des-termes.csv",
                mime="text/csv",
                icon=":material/table:",
                on_click="ignore",
            )
            st.download_button(
                "Image PNG",
                data=lambda: image(spec, "png"),
                file_name="evolution-des-termes.png",
                mime="image/png",
                icon=":material/image:",
                on_click="ignore",
            )
            st.download_button(
                "Image SVG",
                data=lambda: image(spec, "svg"),
                file_name="evolution-des-termes.svg",
                mime="image/svg+xml",
                icon=":material/draw:",
                on_click="ignore",
            )


def documents_of_point(state: UrlState, trend: Trend, names: list[str], terms: list[str]) -> None:
    choices = [""] + [
        f"{i}|{p}"
        for i, series in enumerate(trend.series)
        for p, n in zip(trend.periods, series.counts, strict=True)
        if n
    ]
    current = f"{state.serie}|{state.periode}" if state.serie is not None and state.periode else ""
    url.sync("w_trend_pick", current if current in choices else "")

    def label(choice: str) -> str:
        if not choice:
            return "—"
        series, _, period = choice.partition("|")
        i = int(series)
        n = trend.series[i].counts[trend.periods.index(period)]
        return f"{names[i]} — {trend.labels[trend.periods.index(period)]} ({plural(n, 'document')})"

    st.selectbox(
        "Lister les documents d'un point (ou cliquez sur un point du graphique)",
        choices,
        format_func=label,
        key="w_trend_pick",
        on_change=_on_list_choice,
    )
    if state.serie is None or not state.periode or state.serie >= len(terms) or state.periode not in trend.periods:
        return
    request = SearchRequest(query=terms[state.serie], limit=LIST_SIZE, with_facets=False, with_snippets=False)
    hits, total = engine().period_hits(request, state.periode)
    label_of = trend.labels[trend.periods.index(state.periode)]
    st.subheader(f"{names[state.serie]} — {label_of}")
    st.caption(plural(total, "document") + (f", les {LIST_SIZE} premiers" if total > LIST_SIZE else ""))
    base = state.replace(vue="recherche", q=terms[state.serie], periode=None, serie=None, termes=())
    for hit in hits:
        st.html(compact_row(hit, base))
