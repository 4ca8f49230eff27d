"""`archive serve`: the real server in a subprocess on a free port, called over HTTP with httpx."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pandas as pd
import pytest
from api_server import running_server, server_process
from archive_testing import children_of, cli, gone, ner_off, wait_for

from archive.engine import open_engine
from archive.models import DocumentRecord, SearchRequest
from archive_api.app import original_file
from conftest import SEEDS
from indexer.pipeline import index_corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The five seed documents, indexed (read-only use by the servers of this module)."""
    base = tmp_path_factory.mktemp("api")
    corpus, index = base / "corpus", base / "index"
    shutil.copytree(SEEDS, corpus)
    with ner_off():
        assert index_corpus(corpus, index, jobs=1).failed == []
    return corpus, index


@pytest.fixture(scope="module")
def api(archive: tuple[Path, Path]):
    corpus, index = archive
    with running_server(index, corpus) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client


def _cli_json(archive: tuple[Path, Path], *args: str) -> dict:
    corpus, index = archive
    done = cli(*args, "--json", "--index", str(index), "--corpus", str(corpus))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _without_time(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "took_ms"}


# -- the same JSON as the command line ------------------------------------------


@pytest.mark.parametrize(
    ("params", "cli_args"),
    [
        ({"q": "réindustrialisation"}, ["réindustrialisation"]),
        (
            {"q": "", "actor": ["CGT", "Bpifrance"], "sort": "-date", "limit": 2, "offset": 1},
            ["", "--actor", "CGT", "--actor", "Bpifrance", "--sort", "-date", "--limit", "2", "--offset", "1"],
        ),
        (
            {"actor": ["CGT", "Renault"], "theme": ["emploi", "relocalisation"], "all_of": ["actor", "theme"]},
            ["", "--actor", "CGT", "--actor", "Renault", "--theme", "emploi", "--theme", "relocalisation"]
            + ["--all-of", "actor,theme"],
        ),
        ({"q": "Vencorec"}, ["Vencorec"]),  # misspelled: corrected results, a notice
        ({"q": "zzzqqq acteur:"}, ["zzzqqq acteur:"]),  # nothing found: notices, alternatives, suggestion
        (
            {"q": "industrie", "year_from": 2015, "year_to": 2026, "type": "invitation", "lang": "fr"},
            ["industrie", "--year-from", "2015", "--year-to", "2026", "--type", "invitation", "--lang", "fr"],
        ),
    ],
)
def test_search_answers_exactly_the_json_of_archive_search(api, archive, params, cli_args) -> None:
    got = api.get("/api/search", params=params)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/json"
    expected = _cli_json(archive, "search", *cli_args)
    assert _without_time(got.json()) == _without_time(expected)
    assert set(got.json()) == set(expected)


def test_all_of_asks_for_every_value_at_once(api) -> None:
    """`all_of=actor` is the app's « Toutes à la fois (ET) » (`SearchRequest.all_of`)."""

    def ids(**params) -> set[str]:
        got = api.get("/api/search", params={"limit": 50, **params})
        assert got.status_code == 200, got.text
        return {h["id"] for h in got.json()["hits"]}

    either = ids(actor=["CGT", "Renault"])
    both = ids(actor=["CGT", "Renault"], all_of="actor")
    assert both == ids(actor="CGT") & ids(actor="Renault")
    assert both and both < either
    assert ids(actor=["CGT", "Renault"], all_of="theme") == either  # AND only where asked
    timeline = api.get("/api/timeline", params={"actor": ["CGT", "Renault"], "all_of": "actor"}).json()
    assert sum(sum(counts) for counts in timeline["series"].values()) + timeline["undated"] == len(both), timeline
    bad = api.get("/api/search", params={"actor": "CGT", "all_of": "place"})
    assert bad.status_code == 400
    assert bad.json()["message"] == "Requête invalide : paramètre « all_of » : doit valoir 'actor' ou 'theme'."


def test_a_misspelled_query_says_so_like_the_cli(api) -> None:
    data = api.get("/api/search", params={"q": "Vencorec"}).json()
    assert data["corrected"] == "vencorex" and data["total"] == 2
    assert data["notices"] and "vencorex" in data["notices"][0]


def test_document_answers_exactly_the_json_of_archive_show(api, archive) -> None:
    first = api.get("/api/search", params={"q": "Vencorex", "limit": 1}).json()["hits"][0]
    got = api.get(f"/api/documents/{first['id']}")
    assert got.status_code == 200
    assert got.json() == _cli_json(archive, "show", first["id"])
    assert "Vencorex" in got.json()["text"]


def test_stats_answers_the_json_of_archive_stats(api, archive) -> None:
    assert api.get("/api/stats").json() == _cli_json(archive, "stats")


def test_an_unknown_document_is_404_in_french(api) -> None:
    for path in ("/api/documents/0000000000000000", "/api/documents/0000000000000000/original"):
        got = api.get(path)
        assert got.status_code == 404
        assert got.json() == {"status": 404, "message": "Aucun document avec l'identifiant « 0000000000000000 »."}


# -- originals -------------------------------------------------------------------


def test_the_original_file_is_sent_as_an_attachment(api, archive) -> None:
    corpus, _ = archive
    hit = api.get("/api/search", params={"q": "Vencorex", "limit": 1}).json()["hits"][0]
    got = api.get(f"/api/documents/{hit['id']}/original")
    assert got.status_code == 200
    assert got.content == (corpus / hit["path"]).read_bytes()
    assert got.headers["content-disposition"].startswith("attachment;")
    assert Path(hit["path"]).name in got.headers["content-disposition"]
    assert got.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/api/documents/..%2F..%2F..%2Fetc%2Fpasswd/original",
        "/api/documents/%2Fetc%2Fpasswd/original",
        "/api/documents/../../etc/passwd",
        "/api/documents/corpus%2F001.txt/original",
    ],
)
def test_no_path_from_the_request_reaches_the_file_system(api, path: str) -> None:
    got = api.get(path)
    assert got.status_code == 404
    assert "root:" not in got.text and got.headers["content-type"] == "application/json"


def test_a_record_pointing_outside_the_corpus_serves_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (corpus / "lien.txt").symlink_to(tmp_path / "secret.txt")
    (corpus / "vrai.txt").write_text("ok", encoding="utf-8")
    record = DocumentRecord("x", "t", None, None, [], [], [], "", "", ["../secret.txt", "lien.txt"], 1, "", 0, "")
    assert original_file(corpus, record) is None
    record.paths.append("vrai.txt")
    assert original_file(corpus, record) == (corpus / "vrai.txt").resolve()


# -- facets, timeline, CSV -------------------------------------------------------


def test_facet_values_with_counts(api, archive) -> None:
    data = api.get("/api/facets/actor").json()
    assert data["facet"] == "actor"
    engine = open_engine(archive[1])
    try:
        assert {v["value"]: v["count"] for v in data["values"]} == engine.facet_values("actor")
    finally:
        engine.close()
    counts = [v["count"] for v in data["values"]]
    assert counts == sorted(counts, reverse=True) and {"value": "CGT", "count": 2} in data["values"]


def test_timeline_is_the_series_of_the_chronologie_view(api, archive) -> None:
    from archive.payloads import search_request

    got = api.get("/api/timeline", params={"q": "industrie", "granularity": "month", "split": "theme", "top": 3})
    assert got.status_code == 200
    engine = open_engine(archive[1])
    try:
        request = search_request("industrie", with_facets=False, with_snippets=False)
        assert got.json() == engine.timeline(request, "month", "theme", 3, None).to_dict()
    finally:
        engine.close()
    plain = api.get("/api/timeline").json()
    assert list(plain["series"]) == ["documents"] and sum(plain["series"]["documents"]) + plain["undated"] == 5


def test_search_as_csv_streams_the_export_columns(api) -> None:
    json_ids = [h["id"] for h in api.get("/api/search", params={"q": "industrie", "limit": 3}).json()["hits"]]
    for kwargs in (
        {"params": {"q": "industrie", "limit": 3, "format": "csv"}},
        {"params": {"q": "industrie", "limit": 3}, "headers": {"Accept": "text/csv"}},
    ):
        with api.stream("GET", "/api/search", **kwargs) as got:
            assert got.status_code == 200
            assert got.headers["content-type"].startswith("text/csv")
            assert got.headers.get("transfer-encoding") == "chunked"  # streamed, no length known ahead
            body = got.read()
        frame = pd.read_csv(io.BytesIO(body), encoding="utf-8-sig")
        assert list(frame["id"]) == json_ids
        assert list(frame.columns[:3]) == ["id", "titre", "date"]


def test_the_readme_pandas_example_runs(api) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme.split("```python\n", 1)[1].split("```", 1)[0]
    assert len([line for line in example.splitlines() if line.strip()]) == 5
    code = example.replace("http://127.0.0.1:8502", str(api.base_url).rstrip("/"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "acteurs" in done.stdout and "Bpifrance" in done.stdout  # the seeds' documents since 2020


def test_pandas_reads_the_csv_header_without_the_byte_order_mark(api) -> None:
    frame = pd.read_csv(str(api.base_url).rstrip("/") + "/api/search?q=industrie&limit=1000&format=csv")
    assert len(frame) == 5 and list(frame.columns[:2]) == ["id", "titre"] and "thèmes" in frame.columns


# -- errors and limits -------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"limit": 1001}, 400, "« limit » : doit être au plus 1000"),
        ({"limit": 0}, 400, "« limit » : doit être au moins 1"),
        ({"limit": "dix"}, 400, "« limit » : doit être un nombre entier"),
        ({"sort": "titre"}, 400, "« sort »"),
        ({"q": "année:deux-mille"}, 400, "Année illisible"),
        ({"q": "le la de"}, 400, "mots trop courants"),
    ],
)
def test_bad_requests_get_400_with_a_french_message(api, params, status, words) -> None:
    got = api.get("/api/search", params=params)
    assert got.status_code == status
    body = got.json()
    assert body["status"] == status and words in body["message"], body
    assert "Traceback" not in got.text


def test_an_unknown_route_or_a_write_method_is_refused_in_french(api) -> None:
    assert api.get("/api/nulle-part").json()["message"].startswith("Adresse inconnue")
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        got = api.request(method, "/api/search")
        assert got.status_code == 405 and "lecture seule" in got.json()["message"]


def test_a_request_body_over_the_cap_is_413(api) -> None:
    got = api.request("GET", "/api/search", content=b"x" * (64 * 1024))
    assert got.status_code == 413 and "trop volumineux" in got.json()["message"]

    def chunks():
        for _ in range(64):
            yield b"y" * 1024

    got = api.request("GET", "/api/stats", content=chunks())  # chunked: no length announced
    assert got.status_code == 413
    assert api.request("GET", "/api/stats", content=b"small").status_code == 200


def test_an_index_still_being_built_is_503_then_searchable(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(SEEDS, corpus)
    with running_server(index, corpus) as url, httpx.Client(base_url=url, timeout=60) as client:
        got = client.get("/api/search", params={"q": "industrie"})
        assert got.status_code == 503 and got.headers["retry-after"] == "5"
        assert "en cours de construction" in got.json()["message"]
        assert client.get("/api/openapi.json").status_code == 200  # the description needs no index
        with ner_off():
            report = index_corpus(corpus, index, jobs=1)
        assert report.failed == [], report.failed  # e.g. a per-file time limit on a loaded machine
        found = client.get("/api/search", params={"q": "industrie"}).json()
        assert found["total"] == 5, found.get("notices")


def test_a_search_over_the_time_budget_is_503(archive) -> None:
    corpus, index = archive
    with running_server(index, corpus, env={"ARCHIVE_API_TIME_BUDGET": "0.000001"}) as url:
        got = httpx.get(f"{url}/api/search", params={"q": "industrie"}, timeout=60)
        assert got.status_code == 503 and "Temps imparti dépassé" in got.json()["message"]
        assert httpx.get(f"{url}/api/openapi.json", timeout=60).status_code == 200


def test_several_workers_answer_and_stop_with_the_server(archive) -> None:
    corpus, index = archive
    with server_process(index, corpus, workers=2) as (proc, url):
        with httpx.Client(base_url=url, timeout=60) as client:
            totals = {client.get("/api/search", params={"q": "industrie"}).json()["total"] for _ in range(8)}
        workers = wait_for(lambda: children_of(proc.pid) if len(children_of(proc.pid)) >= 2 else None, timeout=30)
    assert totals == {5}
    assert workers and len(workers) >= 2
    assert wait_for(lambda: all(gone(pid) for pid in workers), timeout=30)


def _socket_inodes(pid: int, port: int, state: str) -> set[str]:
    """Inodes of the TCP sockets in `state` ("0A" listening, "01" established) whose local port
    is `port`, that process `pid` holds."""
    wanted = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == state and int(fields[1].rsplit(":", 1)[1], 16) == port:
                wanted.add(fields[9])
    held: set[str] = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except FileNotFoundError:  # the process has ended
        return held
    for fd in fds:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in wanted:
            held.add(target[8:-1])
    return held


@pytest.mark.parametrize("clients", [4, 6])
def test_workers_take_the_clients_connections_in_turn(archive, clients: int) -> None:
    """A client keeps its connection, so where it lands decides which process serves it. One shared
    socket let the first worker to wake take every connection of a burst; one SO_REUSEPORT socket
    per worker let the kernel's hash put three of four on one process more often than not. The
    workers now take connections in turn, the one holding fewest first: two each."""
    corpus, index = archive
    with server_process(index, corpus, workers=2) as (proc, url):
        port = int(url.rsplit(":", 1)[1])

        def listening() -> set[int]:  # the workers (not multiprocessing's resource tracker)
            return {pid for pid in children_of(proc.pid) if _socket_inodes(pid, port, "0A")}

        workers = wait_for(lambda: listening() if len(listening()) == 2 else None, timeout=30)
        assert workers

        def burst() -> list[int]:
            """How many of `clients` new keep-alive connections each worker holds (the ones holding any)."""
            connections = [httpx.Client(base_url=url, timeout=60) for _ in range(clients)]
            try:
                for client in connections:
                    assert client.get("/api/search", params={"q": "industrie"}).json()["total"] == 5
                return sorted(n for pid in workers if (n := len(_socket_inodes(pid, port, "01"))))
            finally:
                for client in connections:
                    client.close()
                wait_for(lambda: not any(_socket_inodes(pid, port, "01") for pid in workers) or None, timeout=30)

        even = [clients // 2, clients // 2]
        assert wait_for(lambda: burst() == even or None, timeout=90)  # both workers up
        held_by = [burst() for _ in range(3)]
    assert held_by == [even] * 3, held_by


def test_serve_with_workers_refuses_a_port_already_taken(archive, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers' sockets may share a port among themselves, never with another program."""
    import socket

    from archive_api.server import ServeError, serve

    corpus, index = archive
    for name in ("ARCHIVE_INDEX", "ARCHIVE_CORPUS"):  # serve() sets them for its workers: undone after
        monkeypatch.setenv(name, os.environ.get(name, ""))
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(ServeError, match="impossible d'écouter"):
            serve(corpus=corpus, index=index, port=taken.getsockname()[1], workers=2)


def test_a_bad_setting_stops_serve_with_a_message(archive) -> None:
    corpus, index = archive
    done = subprocess.run(
        [sys.executable, "-m", "archive_cli", "serve", "--port", "0", "--index", str(index)],
        env={**os.environ, "ARCHIVE_API_TIME_BUDGET": "vite"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == "archive: ARCHIVE_API_TIME_BUDGET doit être un nombre, pas 'vite'"


# -- security ----------------------------------------------------------------------


def test_a_token_is_required_on_every_route_when_set(archive) -> None:
    corpus, index = archive
    token = "jeton-secret-123"
    with running_server(index, corpus, env={"ARCHIVE_API_TOKEN": token}) as url:
        hit_id = httpx.get(
            f"{url}/api/search", params={"limit": 1}, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ).json()["hits"][0]["id"]
        routes = [
            "/api/search",
            f"/api/documents/{hit_id}",
            f"/api/documents/{hit_id}/original",
            "/api/facets/actor",
            "/api/timeline",
            "/api/stats",
            "/api/openapi.json",
            "/api/docs",
            "/",
            "/api/nulle-part",
        ]
        for route in routes:
            for headers in ({}, {"Authorization": "Bearer mauvais"}, {"Authorization": token}):
                got = httpx.get(url + route, headers=headers, timeout=60)
                assert got.status_code == 401, (route, headers)
                assert got.headers["www-authenticate"].startswith("Bearer")
                assert "Authorization: Bearer" in got.json()["message"]
            ok = httpx.get(url + route, headers={"Authorization": f"Bearer {token}"}, timeout=60)
            assert ok.status_code == {"/api/nulle-part": 404, "/": 307}.get(route, 200), route
        spec = httpx.get(f"{url}/api/openapi.json", headers={"Authorization": f"Bearer {token}"}, timeout=60).json()
        assert spec["components"]["securitySchemes"] == {"bearer": {"type": "http", "scheme": "bearer"}}


def test_cors_is_off_unless_origins_are_listed(api, archive) -> None:
    origin = {"Origin": "https://labo.example.org"}
    assert "access-control-allow-origin" not in api.get("/api/stats", headers=origin).headers
    corpus, index = archive
    env = {"ARCHIVE_API_CORS": "https://labo.example.org, https://autre.example.org", "ARCHIVE_API_TOKEN": "t"}
    with running_server(index, corpus, env=env) as url:
        auth = {"Authorization": "Bearer t"}
        got = httpx.get(f"{url}/api/stats", headers={**origin, **auth}, timeout=60)
        assert got.headers["access-control-allow-origin"] == "https://labo.example.org"
        other = httpx.get(f"{url}/api/stats", headers={"Origin": "https://intrus.example.com", **auth}, timeout=60)
        assert "access-control-allow-origin" not in other.headers
        preflight = httpx.options(
            f"{url}/api/search",
            headers={
                **origin,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
            timeout=60,
        )
        assert preflight.status_code == 200  # a browser's preflight carries no token
        assert "GET" in preflight.headers["access-control-allow-methods"]
        refused = httpx.options(
            f"{url}/api/search", headers={**origin, "Access-Control-Request-Method": "DELETE"}, timeout=60
        )
        assert refused.status_code == 400


def test_read_only_by_construction(api) -> None:
    spec = api.get("/api/openapi.json").json()
    assert {method for ops in spec["paths"].values() for method in ops} == {"get"}
    assert set(spec["paths"]) == {
        "/api/search",
        "/api/documents/{doc_id}",
        "/api/documents/{doc_id}/original",
        "/api/facets/{facet}",
        "/api/timeline",
        "/api/stats",
        "/api/saved/{name}.atom",
    }
    # The server process never loads the indexer (the only writer of the index).
    code = (
        "import sys, archive_api.app, archive_api.server; "
        "print(sorted(m for m in sys.modules if m == 'indexer' or m.startswith('indexer.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_docs_page_lists_every_route(api) -> None:
    page = api.get("/api/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for path in api.get("/api/openapi.json").json()["paths"]:
        assert f"<code>{path}</code>" in page.text
    assert "<script" not in page.text and "http" not in page.text.split("<body>")[1].replace("/api/openapi.json", "")


# -- concurrency -------------------------------------------------------------------


def _doc(i: int) -> str:
    return (
        f"Note d'étape numéro {i} sur la filière hydrogène\n\n"
        f"Le comité de suivi numéro {i} de la filière hydrogène s'est réuni à Fos-sur-Mer le {1 + i % 27} mars 2024. "
        "Les industriels ont présenté l'avancement des électrolyseurs et les besoins de formation.\n"
    )


def test_concurrent_requests_while_the_indexer_adds_documents(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(SEEDS, corpus)
    with ner_off():
        index_corpus(corpus, index, jobs=1)
    batches, per_batch = 4, 5
    failures: list[str] = []
    totals: dict[int, list[int]] = {}
    stop = threading.Event()
    with running_server(index, corpus) as url:

        def client(n: int) -> None:
            seen = totals.setdefault(n, [])
            with httpx.Client(base_url=url, timeout=60) as c:
                while not stop.is_set():
                    got = c.get("/api/search", params={"q": "", "limit": 3})
                    if got.status_code != 200:
                        failures.append(f"{got.status_code} {got.text[:200]}")
                        continue
                    seen.append(got.json()["total"])
                    hits = got.json()["hits"]
                    doc = c.get(f"/api/documents/{hits[0]['id']}")
                    if doc.status_code != 200:
                        failures.append(f"document {doc.status_code}")
                    for other in ("/api/stats", "/api/facets/place", "/api/timeline"):
                        if (r := c.get(other)).status_code != 200:
                            failures.append(f"{other} {r.status_code}")

        threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        try:
            for b in range(batches):
                for i in range(per_batch):
                    (corpus / f"hydrogene-{b}-{i}.txt").write_text(_doc(b * per_batch + i), encoding="utf-8")
                with ner_off():
                    assert index_corpus(corpus, index, jobs=1).added == per_batch
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=120)
        # Every document added, versions of one text included (these notes share one template).
        params = {"q": "hydrogène électrolyseurs", "limit": 100, "group": "false"}
        final = httpx.get(f"{url}/api/search", params=params, timeout=60)
        found = final.json()
    assert failures == []
    assert all(seen == sorted(seen) for seen in totals.values()), totals  # the index only grew
    assert sum(len(seen) for seen in totals.values()) >= 6
    assert max(max(seen) for seen in totals.values() if seen) <= 5 + batches * per_batch
    assert found["total"] == batches * per_batch


def test_a_saved_search_s_atom_feed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import feedparser

    monkeypatch.setenv("ARCHIVE_FEEDS_DIR", str(tmp_path / "feeds"))  # `saved add` writes the feed file

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(SEEDS, corpus)
    with ner_off():
        assert index_corpus(corpus, index, jobs=1).failed == []
    lab = tmp_path / "labo.sqlite"
    done = cli("saved", "add", "Vencorex", "Vencorex", "--index", str(index), "--lab", str(lab))
    assert done.returncode == 0, done.stderr
    with running_server(index, corpus, env={"ARCHIVE_LAB_DB": str(lab)}) as url:
        feed = httpx.get(f"{url}/api/saved/Vencorex.atom", timeout=60)
        missing = httpx.get(f"{url}/api/saved/inconnue.atom", timeout=60)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(feed.content)
    assert parsed.version == "atom10" and parsed.feed.title == "Veille : Vencorex"
    engine = open_engine(index)
    expected = {h.title for h in engine.search(SearchRequest("Vencorex", limit=50)).hits if not h.partial}
    engine.close()
    assert expected and {e.title for e in parsed.entries} == expected
    assert missing.status_code == 404 and "inconnue" in missing.json()["message"]
