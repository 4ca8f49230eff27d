"""The bridge between `st.query_params` and `UrlState`.

The URL is the single source of truth: widgets are set from it before they are
drawn, and their callbacks write it back (one browser-history entry per change,
so the back button works and a copied link reopens the same view).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui.state import UrlState


def current() -> UrlState:
    params = {key: st.query_params.get_all(key) for key in st.query_params.keys()}
    return UrlState.from_params(params)


def go(state: UrlState) -> None:
    """Replace the URL by this state (callbacks and buttons)."""
    params = state.to_params()
    if params != current().to_params():
        st.query_params.from_dict(params)


def sync(key: str, value: Any) -> None:
    """Show `value` in the widget `key` (call before drawing the widget)."""
    st.session_state[key] = value


def widget(key: str) -> Any:
    return st.session_state.get(key)
