"""What the app's widgets say when the code gives them nothing to say: Streamlit's English.

A multiselect without a placeholder shows « Choose options » (« Choose or add options » when new
values are accepted), a selectbox with no preselected value « Choose an option »: a new user found
them in the correction form. Every such call in the app's code must give a French placeholder.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP_FILES = sorted([ROOT / "app.py", *(ROOT / "ui").glob("*.py")])


def _calls(path: Path) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _needs_placeholder(call: ast.Call) -> bool:
    assert isinstance(call.func, ast.Attribute)
    if call.func.attr == "multiselect":
        return True
    index = _keyword(call, "index")
    return call.func.attr == "selectbox" and isinstance(index, ast.Constant) and index.value is None


@pytest.mark.parametrize("path", APP_FILES, ids=lambda p: p.name)
def test_every_empty_choice_widget_has_a_french_placeholder(path: Path) -> None:
    missing = [
        f"{path.name}:{call.lineno}"
        for call in _calls(path)
        if _needs_placeholder(call) and _keyword(call, "placeholder") is None
    ]
    assert not missing, f"Streamlit would show its English placeholder at {missing}"


def test_the_check_sees_the_app_s_widgets() -> None:
    """The check above must find something to check (a renamed folder would make it pass empty)."""
    assert sum(_needs_placeholder(c) for p in APP_FILES for c in _calls(p)) >= 6
