"""The docs page of the API, built from its own OpenAPI description (self-contained: no script,
nothing loaded from elsewhere, so it works on a lab server without Internet access)."""

from __future__ import annotations

import html
import json
from typing import Any

DESCRIPTION = (
    "API en lecture seule de l'archive : les mêmes réponses JSON que la commande `archive` "
    "(`archive search --json`, `archive show --json`, `archive stats --json`). "
    "Erreurs : JSON `{status, message}` avec un message en français. "
    "Quand `ARCHIVE_API_TOKEN` est défini, chaque requête porte `Authorization: Bearer <jeton>`."
)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _schema_text(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " ou ".join(_schema_text(s) for s in schema["anyOf"] if s.get("type") != "null")
    if "enum" in schema:
        return " | ".join(json.dumps(v, ensure_ascii=False) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"], ensure_ascii=False)
    if schema.get("type") == "array":
        return f"liste de {_schema_text(schema.get('items', {}))} (paramètre répété)"
    bounds = [
        f"≥ {schema['minimum']}" if "minimum" in schema else "",
        f"≤ {schema['maximum']}" if "maximum" in schema else "",
    ]
    return " ".join([str(schema.get("type", "")), *[b for b in bounds if b]]).strip()


def page(openapi: dict[str, Any]) -> str:
    sections = []
    for path, operations in openapi.get("paths", {}).items():
        for method, op in operations.items():
            rows = []
            for param in op.get("parameters", []):
                schema = param.get("schema", {})
                default = schema.get("default")
                rows.append(
                    "<tr>"
                    f"<td><code>{_e(param['name'])}</code></td><td>{_e(param.get('in', ''))}</td>"
                    f"<td>{_e(_schema_text(schema))}</td>"
                    f"<td>{'' if default in (None, []) else '<code>' + _e(json.dumps(default, ensure_ascii=False)) + '</code>'}</td>"
                    f"<td>{_e(param.get('description', schema.get('description', '')))}</td>"
                    "</tr>"
                )
            statuses = ", ".join(
                f"{code} {_e(r.get('description', ''))}" for code, r in op.get("responses", {}).items()
            )
            table = (
                "<table><tr><th>paramètre</th><th>où</th><th>valeurs</th><th>défaut</th><th>rôle</th></tr>"
                + "".join(rows)
                + "</table>"
                if rows
                else ""
            )
            sections.append(
                f'<section id="{_e(op.get("operationId", path))}"><h2><span class="m">{_e(method.upper())}</span> '
                f"<code>{_e(path)}</code> — {_e(op.get('summary', ''))}</h2>"
                f'<p>{_e(op.get("description", ""))}</p>{table}<p class="s">Réponses : {statuses}</p></section>'
            )
    info = openapi.get("info", {})
    return f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{_e(info.get("title", "API"))}</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}}
h2{{font-size:1.1rem;margin-top:2rem}} .m{{background:#1f6feb;color:#fff;padding:.1rem .4rem;border-radius:.2rem}}
table{{border-collapse:collapse;width:100%}} td,th{{border:1px solid #ddd;padding:.3rem;text-align:left;vertical-align:top}}
.s{{color:#555;font-size:.9rem}} code{{background:#f4f4f4;padding:0 .2rem}}
</style></head><body>
<h1>{_e(info.get("title", "API"))}</h1>
<p>{_e(info.get("description", ""))}</p>
<p>Description OpenAPI : <a href="/api/openapi.json">/api/openapi.json</a>.</p>
{"".join(sections)}
</body></html>"""
