"""The page says it is in French, for screen readers and browsers' translation offers.

Streamlit serves its page as ``<html lang="en">`` and names the file uploader's parts in English
(« Drag and drop files here », « Browse files »); app.py's CSS only hides that text from the eyes.
A script run in the page's own window (so that it outlives the frame that carries it) sets
``lang="fr"``, gives the uploader French accessible names and the keyboard's skip link (« Skip to
main content », shown on the first Tab) its French text, again whenever Streamlit redraws them.
"""

from __future__ import annotations

import json

import streamlit as st

DROPZONE_LABEL = "Zone de dépôt : glissez-déposez vos fichiers ici, 100 Mo au plus par fichier"
BROWSE_LABEL = "Parcourir les fichiers"
SKIP_LINK_TEXT = "Aller au contenu principal"

_PAGE_CODE = """
if (window.__archiveInFrench) return;
window.__archiveInFrench = true;
const fix = () => {
  if (document.documentElement.lang !== "fr") document.documentElement.lang = "fr";
  document.querySelectorAll('[data-testid="stSkipToContent"]').forEach((link) => {
    if (link.textContent !== %(skip)s) link.textContent = %(skip)s;
  });
  document.querySelectorAll('[data-testid="stFileUploaderDropzone"]').forEach((zone) => {
    if (zone.getAttribute("aria-label") !== %(zone)s) zone.setAttribute("aria-label", %(zone)s);
    const browse = zone.querySelector("button");
    if (browse && browse.getAttribute("aria-label") !== %(browse)s) browse.setAttribute("aria-label", %(browse)s);
    zone.querySelectorAll('[data-testid="stFileUploaderDropzoneInstructions"] span').forEach((span) => {
      if (span.getAttribute("aria-hidden") !== "true") span.setAttribute("aria-hidden", "true");
    });
  });
};
fix();
new MutationObserver(fix).observe(document.body, {childList: true, subtree: true, characterData: true});
"""


def _script() -> str:
    code = _PAGE_CODE % {
        "zone": json.dumps(DROPZONE_LABEL),
        "browse": json.dumps(BROWSE_LABEL),
        "skip": json.dumps(SKIP_LINK_TEXT),
    }
    # Function() of the parent window: the code belongs to the page, not to this frame.
    return f"<script>window.parent.Function({json.dumps(code)})();</script>"


def declare_french() -> None:
    """Draw the (invisible) frame that runs the script; the same frame on every run is not redrawn."""
    st.iframe(_script(), height=1)
