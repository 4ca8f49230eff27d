"""Who may change the archive: read-only mode and the administrator password.

`ARCHIVE_READONLY=1` hides uploads and reindexing for everyone. Otherwise, when
`ARCHIVE_ADMIN_PASSWORD` (or the `admin_password` secret) is set, changing the
archive needs it once per browser session; searching never does.
"""

from __future__ import annotations

import hmac
import time

import streamlit as st

from archive import config
from archive.config import readonly

SESSION_KEY = "admin_ok"


def admin_password() -> str | None:
    password = config.admin_password()
    if password:
        return password
    try:
        secret = st.secrets.get("admin_password")
    except Exception:  # no secrets file: that is the usual case
        return None
    return str(secret) if secret else None


def password_matches(typed: str, expected: str) -> bool:
    return hmac.compare_digest(typed.encode("utf-8"), expected.encode("utf-8"))


def _check(where: str) -> None:
    expected = admin_password()
    typed = st.session_state.get(f"w_password_{where}", "")
    if expected and password_matches(typed, expected):
        st.session_state[SESSION_KEY] = True
        st.session_state.pop("admin_error", None)
    else:
        time.sleep(1.0)  # slows down guessing
        st.session_state["admin_error"] = True
    st.session_state[f"w_password_{where}"] = ""


def can_modify() -> bool:
    """Whether this session may change the archive, without drawing anything."""
    return not readonly() and (admin_password() is None or bool(st.session_state.get(SESSION_KEY)))


def may_modify(where: str = "page") -> bool:
    """True when this session may upload and reindex; otherwise shows why (and the password box).

    `where` names the place on the page: a page may ask in several places (a popover, an
    expander), and each password box needs its own widget keys."""
    if readonly():
        st.info("L'archive est en lecture seule : l'ajout de documents et la réindexation sont désactivés.")
        return False
    if admin_password() is None or st.session_state.get(SESSION_KEY):
        return True
    st.info("Cette action est réservée aux administrateurs de l'archive.")
    with st.form(f"admin_login_{where}", clear_on_submit=False, border=True):
        st.text_input("Mot de passe administrateur", type="password", key=f"w_password_{where}")
        st.form_submit_button("Se connecter", on_click=_check, args=(where,))
    if st.session_state.get("admin_error"):
        st.error("Mot de passe incorrect.")
    return False
