"""Many researchers on one server: the real app under concurrent browser sessions, ingestion and CLI.

Size (~670 lines): one benchmark script, read top to bottom; its parts only make sense together.

    python benchmarks/bench_load.py --docs 1000 --sessions 3 --files 50 --duration 120
    python benchmarks/bench_load.py --docs 10000 --sessions 10 --files 500 --duration 300   # the issue's scale

What it does, on a working folder (--workdir, default /tmp/bench_load):

1. Builds once an index of --docs documents (benchmarks/make_corpus.py, then
   benchmarks/build_index.py with ARCHIVE_NER=0) and keeps it as the pristine base; each run
   works on a copy, so runs are comparable.
2. Starts `streamlit run app.py` on a free port over the copy and switches on the app's folder
   watcher from « État de l'archive » (as a lab would).
3. For --duration seconds, at the same time:
   - --sessions researchers, each its own Chromium context (Playwright, Debian's Chromium), loop
     over: open the app, type a query, tick a facet value, open a document; session 0 also sends
     a pathological query (prefix and fuzzy expansions that run into the search time budget)
     on its first round and every other one after;
   - --files new documents (same generator, numbers after the base) are copied into
     corpus/depots/ at an even pace over the first 60 % of the run;
   - a second process runs `archive search` in a loop (a fresh process each time).
4. Waits for the watcher to take in every dropped file, then checks that each one is in the index
   exactly once and that `archive check` passes.

It prints, per action, the time from the user's action to the answer on screen (p50/p95, count,
errors), the typed queries of the other sessions while a pathological query was running and
otherwise, the CLI loop's latency, lost and duplicated files, and the server's resident memory
(its own and with its child processes: the watcher's writer and extraction workers). An answer is « on
screen » when the element showing it belongs to the new script run (Streamlit marks elements of
the previous run `data-stale`). Errors: an action without an answer within --action-timeout, a
Streamlit exception shown in a page, a CLI search that exits non-zero.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
QUERIES = [
    "industrie",
    "transition écologique",
    "usine fermeture salariés",
    '"plan social"',
    "hydrogene",
    "relocalisation",
    "formation apprentissage",
    "sidérurgie acier",
    "batteries",
    "souveraineté industrielle",
    "semi-conducteurs",
    "emplois",
]
CLI_QUERIES = ["industrie", "hydrogène", "acteur:CGT", "relocalis*", '"plan social"', "année:2020 usine"]
# Ten prefixes (each up to 200 words) and eight fuzzy words: the kind of query that stalled every
# session before the limits; it now stops at the search time budget with what it found.
PATHOLOGICAL = " OR ".join(
    [f"{c}*" for c in "abcdefprst"]
    + [
        f"{w}~2"
        for w in (
            "réindustrialisation",
            "relocalisation",
            "décarbonation",
            "souveraineté",
            "industrialisation",
            "compétitivité",
            "transformation",
            "investissements",
        )
    ]
)
COUNT = r"documents? trouvés?|Aucun document ne correspond"
FACET_VALUE = re.compile(r"\(\d[\d\s\u202f\u00a0]*\)")  # « CGT (12) »
DROP_DIR = "depots"
SHOTS = Path(os.environ["BENCH_LOAD_SHOTS"]) if os.environ.get("BENCH_LOAD_SHOTS") else None  # error screenshots

# The answer is on screen: the URL changed (and holds `needle`), and an element of the current
# script run (not marked stale) shows text matching `pattern` that differs from `before`.
# textContent (no layout) rules a container out before innerText (which lays the page out, and
# ignores hidden text) confirms it: polling innerText of every container 20 times a second in ten
# pages was the load generator's main cost, on the cores the server shares with it.
ANSWERED = """([pattern, before, needle, beforeUrl]) => {
  if (beforeUrl && location.href === beforeUrl) return false;
  if (needle && !decodeURIComponent(location.search.replace(/\\+/g, ' ')).includes(needle)) return false;
  const re = new RegExp(pattern);
  for (const el of document.querySelectorAll('[data-testid="stElementContainer"]')) {
    if (!re.test(el.textContent || '') || el.closest('[data-stale="true"]')) continue;
    const text = el.innerText || '';
    if (re.test(text) && text !== before) return true;
  }
  return false;
}"""
CURRENT = """(pattern) => {
  const re = new RegExp(pattern);
  for (const el of document.querySelectorAll('[data-testid="stElementContainer"]')) {
    if (!re.test(el.textContent || '') || el.closest('[data-stale="true"]')) continue;
    const text = el.innerText || '';
    if (re.test(text)) return text;
  }
  return '';
}"""


# -- the archive to load ----------------------------------------------------------------------


def run_step(cmd: list[str], **env: str) -> None:
    full_env = dict(os.environ, PYTHONPATH=str(ROOT), **env)
    subprocess.run(cmd, cwd=ROOT, env=full_env, check=True)


def base_archive(workdir: Path, docs: int, jobs: int) -> tuple[Path, Path]:
    """The pristine corpus and index of `docs` documents, built once."""
    base = workdir / f"base-{docs}"
    corpus, index, done = base / "corpus", base / "index", base / "built"
    if not done.exists():
        shutil.rmtree(base, ignore_errors=True)
        print(f"building the base archive of {docs} documents in {base} (once)…", flush=True)
        run_step([sys.executable, "benchmarks/make_corpus.py", str(corpus), "-n", str(docs)])
        run_step(
            [sys.executable, "benchmarks/build_index.py", str(corpus), str(index), "--jobs", str(jobs)], ARCHIVE_NER="0"
        )
        done.write_text("ok\n")
    return corpus, index


def fresh_copy(workdir: Path, corpus: Path, index: Path) -> tuple[Path, Path]:
    """A run's own copy: the corpus hard-linked (files are never modified), the index copied."""
    run = workdir / "run"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    shutil.copytree(corpus, run / "corpus", copy_function=os.link)
    shutil.copytree(index, run / "index")
    return run / "corpus", run / "index"


def files_to_drop(workdir: Path, docs: int, files: int) -> list[Path]:
    """Documents docs … docs+files-1 of the same generator, written once to a staging folder."""
    stage = workdir / f"drop-{docs}-{files}"
    if not (stage / "ready").exists():
        shutil.rmtree(stage, ignore_errors=True)
        run_step(
            [sys.executable, "benchmarks/make_corpus.py", str(stage), "-n", str(docs + files), "--start", str(docs)]
        )
        (stage / "ready").write_text("ok\n")
    found = sorted(stage.rglob("*.txt"))
    assert len(found) == files, (len(found), files)
    return found


# -- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_first(pid: int) -> None:
    """Give the app (and its watcher's workers) the CPU before the browsers: the app gets its own
    scheduling group at nice -10, this process (Playwright, the Chromium renderers, the CLI loop) +10.
    The researchers' browsers run on their own computers, not on the lab server's two cores; on one
    machine this is the nearest honest stand-in. Linux autogroups; needs root."""
    Path(f"/proc/{pid}/autogroup").write_text("-10")
    Path("/proc/self/autogroup").write_text("10")


def start_app(corpus: Path, index: Path, workdir: Path, own_group: bool = False) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        ARCHIVE_CORPUS=str(corpus),
        ARCHIVE_INDEX=str(index),
        ARCHIVE_NER="0",
        ARCHIVE_LAB_DB=str(workdir / "run" / "lab.sqlite"),
        ARCHIVE_FEEDS_DIR=str(workdir / "run" / "feeds"),
    )
    for name in ("ARCHIVE_READONLY", "ARCHIVE_ADMIN_PASSWORD"):
        env.pop(name, None)
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port)]
    cmd += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    log = (workdir / "run" / "streamlit.log").open("wb")
    process = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=own_group
    )
    if own_group:
        server_first(process.pid)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"streamlit exited ({process.returncode}); see {log.name}")
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2):
                return process, base
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("streamlit did not start")


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int, waited_children: bool = True) -> float:
    """CPU time of a process (user + system), with that of its children it has waited for."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if waited_children else 0)
    return ticks / TICKS


def machine_busy_seconds() -> float:
    """CPU time all cores spent on anything but idling, since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / TICKS


@dataclass
class CpuShare:
    """Where the machine's CPU went during the load: the app's server (its own process and its
    children: the watcher's writer and extraction workers, search processes), the load generator (Playwright
    and the Chromium sessions, the CLI loop), and the whole machine (the rest is other work)."""

    server: float = 0.0
    extraction: float = 0.0
    generator: float = 0.0
    machine: float = 0.0


class CpuTally:
    """Samples every process of both trees each second, so that a process ending during the load
    (a Chromium renderer replaced at a page load, a CLI run) keeps what it used up to its last
    sample. (Taking the trees' totals at the start and at the end lost those: the first runs
    counted the ten browsers at a sixth of what `top` showed.) Only a process's own time is read,
    never its waited-for children's, which would count them twice."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.kind: dict[int, str] = {}
        self.machine_start = machine_busy_seconds()
        self._sample(initial=True)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self, initial: bool = False) -> None:
        server_tree = set(descendants(self.server_pid))
        for pid in [os.getpid(), *descendants(os.getpid())]:
            used = cpu_seconds(pid, waited_children=False)
            if not used and pid not in self.last:
                continue
            kind = "server" if pid == self.server_pid else "extraction" if pid in server_tree else "generator"
            self.first.setdefault(pid, used if initial else 0.0)  # born during the load: all of it
            self.last[pid] = max(used, self.last.get(pid, 0.0))
            self.kind[pid] = kind

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self._sample()

    def finish(self) -> CpuShare:
        self._stop.set()
        self._thread.join()
        self._sample()
        share = CpuShare(machine=machine_busy_seconds() - self.machine_start)
        for pid, last in self.last.items():
            kind = self.kind[pid]
            setattr(share, kind, getattr(share, kind) + last - self.first[pid])
        return share


@dataclass
class Memory:
    server_peak: int = 0
    total_peak: int = 0
    server_last: int = 0
    total_last: int = 0

    def sample(self, pid: int) -> None:
        own = rss_kb(pid)
        total = own + sum(rss_kb(c) for c in descendants(pid))
        self.server_last, self.total_last = own, total
        self.server_peak, self.total_peak = max(self.server_peak, own), max(self.total_peak, total)


# -- what is measured -----------------------------------------------------------------------------


@dataclass
class Stats:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    # (start, end) of every pathological query, to classify the others' queries
    slow_windows: list[tuple[float, float]] = field(default_factory=list)
    queries: list[tuple[float, float, int]] = field(default_factory=list)  # (start, end, session)

    def add(self, action: str, seconds: float) -> None:
        self.times.setdefault(action, []).append(seconds)

    def error(self, action: str, what: str) -> None:
        self.errors.setdefault(action, []).append(what)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# -- one researcher -----------------------------------------------------------------------------------


async def answered(page, pattern: str, before: str, needle: str, before_url: str, timeout_ms: int) -> None:
    await page.wait_for_function(ANSWERED, arg=[pattern, before, needle, before_url], timeout=timeout_ms, polling=50)


async def check_page(page, stats: Stats, action: str) -> None:
    if await page.locator('[data-testid="stException"]').count():
        text = await page.locator('[data-testid="stException"]').first.inner_text()
        stats.error(action, "exception: " + text[:200])


async def timed(stats: Stats, action: str, page, coro) -> bool:
    started = time.perf_counter()
    try:
        await coro
    except Exception as exc:  # a time-out or a detached element: counted, and the session goes on
        stats.error(action, f"{exc.__class__.__name__}: {str(exc).splitlines()[0][:160]} at {page.url}")
        if SHOTS:
            try:
                await page.screenshot(
                    path=str(SHOTS / f"error-{sum(map(len, stats.errors.values()))}.png"), full_page=True
                )
            except Exception:
                pass
        return False
    stats.add(action, time.perf_counter() - started)
    await check_page(page, stats, action)
    return True


async def research(
    n: int,
    browser,
    base: str,
    stats: Stats,
    stop_at: float,
    timeout_ms: int,
    think_s: tuple[float, float],
    hammer: bool = False,
) -> None:
    """One researcher: open the app once, then type a query, tick or untick a facet value, open a
    document and come back to the results, reading for ``think_s`` seconds (a random time
    between the two) between actions. With ``hammer``, session 0 sends nothing but the
    pathological query, 0.5–1.5 s apart, for as long as the others work."""
    rng = random.Random(n)
    hammering = hammer and n == 0
    if hammering:
        think_s = (0.5, 1.5)
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    context.set_default_timeout(timeout_ms)
    page = await context.new_page()
    previous, need_load, rounds = None, True, 0

    async def think() -> None:
        await page.wait_for_timeout(rng.uniform(*think_s) * 1000)

    try:
        while time.monotonic() < stop_at:
            if need_load:
                need_load = not await timed(stats, "page load", page, _load(page, base, timeout_ms))
                continue
            await think()
            # Session 0: the pathological query on its first round and every other one after, so
            # that even a short or slow run has the others' queries during one.
            pathological = hammering or (n == 0 and rounds % 2 == 0)
            rounds += 1
            if pathological:  # the same query again would change nothing on the page: alternate two
                query = PATHOLOGICAL if previous != PATHOLOGICAL else f"({PATHOLOGICAL}) NOT usine"
            else:
                query = rng.choice([q for q in QUERIES if q != previous])
            previous = query
            box = page.get_by_role("textbox", name="Rechercher dans l'archive")
            await box.fill(query)
            before, before_url = await page.evaluate(CURRENT, COUNT), page.url
            started = time.monotonic()
            ok = await timed(
                stats,
                "pathological query" if pathological else "typed query",
                page,
                _enter_and_wait(box, page, before, query, before_url, timeout_ms),
            )
            if pathological:
                stats.slow_windows.append((started, time.monotonic()))
            elif ok:
                stats.queries.append((started, time.monotonic(), n))
            if not ok:
                need_load = True
                continue
            if hammering:
                continue
            await think()
            sidebar = page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]')
            ticked = sidebar.filter(has=page.locator("input:checked"))
            values = sidebar.filter(has_text=FACET_VALUE)
            target = (
                ticked.first
                if await ticked.count()
                else values.nth(rng.randrange(max(1, min(await values.count(), 6))))
            )
            if await target.count():
                before, before_url = await page.evaluate(CURRENT, COUNT), page.url
                if not await timed(
                    stats, "facet click", page, _click_and_wait(target, page, before, before_url, timeout_ms)
                ):
                    need_load = True
                    continue
            await think()
            titles = page.locator('[data-testid="stElementContainer"]:not([data-stale="true"]) .arc-card .arc-title a')
            if not await titles.count():
                continue
            before_url = page.url
            if not await timed(
                stats, "open document", page, _open_and_wait(titles.first, page, before_url, timeout_ms)
            ):
                need_load = True
                continue
            await think()
            back = page.locator('[data-testid="stSidebar"]').get_by_text("Recherche", exact=True)
            before_url = page.url
            need_load = not await timed(
                stats, "back to results", page, _click_and_wait(back, page, "", before_url, timeout_ms)
            )
    finally:
        await context.close()


async def _load(page, base: str, timeout_ms: int) -> None:
    await page.goto(base + "/", wait_until="domcontentloaded")
    await answered(page, COUNT, "", "", "", timeout_ms)


async def _enter_and_wait(box, page, before: str, query: str, before_url: str, timeout_ms: int) -> None:
    await box.press("Enter")
    await answered(page, COUNT, before, query, before_url, timeout_ms)


async def _click_and_wait(target, page, before: str, before_url: str, timeout_ms: int) -> None:
    await target.click()
    await answered(page, COUNT, before, "", before_url, timeout_ms)


async def _open_and_wait(link, page, before_url: str, timeout_ms: int) -> None:
    await link.click()
    await answered(page, "Documents similaires", "", "vue=document", before_url, timeout_ms)


async def switch_watcher_on(browser, base: str, timeout_ms: int) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    context.set_default_timeout(timeout_ms)
    page = await context.new_page()
    await page.goto(base + "/?vue=etat")
    toggle = page.get_by_text("Surveiller le dossier du corpus")
    await toggle.wait_for()
    await toggle.click()
    await page.get_by_text("État :").first.wait_for()
    await context.close()


async def sessions(
    base: str,
    n: int,
    stats: Stats,
    duration: float,
    timeout_ms: int,
    ready: threading.Event,
    think_s: tuple[float, float],
    hammer: bool = False,
) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await switch_watcher_on(browser, base, timeout_ms)
        ready.set()
        stop_at = time.monotonic() + duration
        await asyncio.gather(
            *(research(i, browser, base, stats, stop_at, timeout_ms, think_s, hammer) for i in range(n))
        )
        await browser.close()


# -- the other load: dropped files, CLI searches, memory ------------------------------------------------


def drop_files(files: list[Path], corpus: Path, window: float, stop: threading.Event) -> list[str]:
    """Copy the files into corpus/depots/ at an even pace; their paths relative to the corpus."""
    target = corpus / DROP_DIR
    target.mkdir(exist_ok=True)
    dropped = []
    pace = window / max(1, len(files))
    for f in files:
        if stop.wait(pace):
            break
        shutil.copyfile(f, target / f.name)  # as a researcher's copy: not atomic, the watcher waits
        dropped.append(f"{DROP_DIR}/{f.name}")
    return dropped


def cli_loop(corpus: Path, index: Path, stop: threading.Event, stats: Stats) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), ARCHIVE_CORPUS=str(corpus), ARCHIVE_INDEX=str(index))
    i = 0
    while not stop.is_set():
        query = CLI_QUERIES[i % len(CLI_QUERIES)]
        i += 1
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "archive_cli", "search", query, "--limit", "10", "--json"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=300,
        )
        if done.returncode != 0:
            stats.error("CLI search", done.stderr.decode(errors="replace").strip()[-200:])
            continue
        try:
            json.loads(done.stdout)
        except ValueError:
            stats.error("CLI search", "not JSON")
            continue
        stats.add("CLI search", time.perf_counter() - started)


def sample_memory(pid: int, memory: Memory, stop: threading.Event) -> None:
    while not stop.is_set():
        memory.sample(pid)
        stop.wait(2.0)


# -- the end: every dropped file in the index once ----------------------------------------------------------


def index_contents(index: Path) -> tuple[int, dict[str, int]]:
    """Number of documents, and path → number of documents that hold it."""
    from archive.engine import open_engine

    engine = open_engine(index)
    try:
        ids = engine.document_ids()
        holders: dict[str, int] = {}
        for doc_id in ids:
            record = engine.document(doc_id)
            if record is None:
                continue
            for path in set(record.paths or [record.path]):
                holders[path] = holders.get(path, 0) + 1
        return len(ids), holders
    finally:
        engine.close()


def wait_for_ingestion(index: Path, dropped: list[str], expected: int, timeout: float) -> tuple[float, int, dict]:
    started = time.monotonic()
    while True:
        documents, holders = index_contents(index)
        if documents >= expected and all(holders.get(p) for p in dropped):
            return time.monotonic() - started, documents, holders
        if time.monotonic() - started > timeout:
            return time.monotonic() - started, documents, holders
        time.sleep(3)


def archive_check(corpus: Path, index: Path) -> tuple[int, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), ARCHIVE_CORPUS=str(corpus), ARCHIVE_INDEX=str(index))
    done = subprocess.run(
        [sys.executable, "-m", "archive_cli", "check", "--json"], cwd=ROOT, env=env, capture_output=True, timeout=600
    )
    return done.returncode, done.stdout.decode(errors="replace").strip()


# -- report ------------------------------------------------------------------------------------------------


def report(stats: Stats, args, memory: Memory, end: dict) -> dict:
    print()
    print(
        f"load: {args.sessions} sessions, {args.docs} documents + {args.files} dropped, {args.duration:.0f} s, "
        f"{args.think[0]:g}–{args.think[1]:g} s of reading between actions, load average at start {end['load_start']}, at end {end['load_end']}"
        + ("; the app's processes scheduled before the browsers (--server-first)" if args.server_first else "")
        + ("; session 0 sends only the pathological query (--hammer)" if args.hammer else "")
    )
    print(f"{'action':22s} {'n':>5s} {'p50 ms':>8s} {'p95 ms':>8s} {'max ms':>8s} {'errors':>7s}")
    rows = {}
    names = ["page load", "typed query", "facet click", "open document", "back to results", "pathological query"]
    names += [n for n in stats.times if n not in names] + [
        n for n in stats.errors if n not in names + list(stats.times)
    ]
    for name in names:
        ms = [v * 1000 for v in stats.times.get(name, [])]
        errors = len(stats.errors.get(name, []))
        if not ms and not errors:
            continue
        row = {
            "n": len(ms),
            "p50": round(statistics.median(ms)) if ms else None,
            "p95": round(percentile(ms, 0.95)) if ms else None,
            "max": round(max(ms)) if ms else None,
            "errors": errors,
        }
        rows[name] = row
        fmt = lambda v: f"{v:8d}" if v is not None else "       -"  # noqa: E731
        print(f"{name:22s} {row['n']:5d} {fmt(row['p50'])} {fmt(row['p95'])} {fmt(row['max'])} {errors:7d}")

    def overlaps(start: float, end_: float) -> bool:
        return any(s < end_ and start < e for s, e in stats.slow_windows)

    during = [(e - s) * 1000 for s, e, n in stats.queries if n != 0 and overlaps(s, e)]
    outside = [(e - s) * 1000 for s, e, n in stats.queries if n != 0 and not overlaps(s, e)]
    split = {}
    for label, values in (("while a pathological query ran", during), ("otherwise", outside)):
        if values:
            split[label] = {
                "n": len(values),
                "p50": round(statistics.median(values)),
                "p95": round(percentile(values, 0.95)),
            }
            print(
                f"typed queries of the other sessions {label}: n {len(values)}, p50 {split[label]['p50']} ms, p95 {split[label]['p95']} ms"
            )
    for name, errors in stats.errors.items():
        for what in errors[:5]:
            print(f"  error [{name}] {what}")
    print(
        f"dropped files: {end['dropped']}; in the index {end['ingested']} after {end['ingest_wait']:.0f} s of waiting "
        f"once the load stopped; lost {end['lost']}, duplicated {end['duplicated']}; documents {end['documents']} "
        f"(expected {end['expected']})"
    )
    print(f"archive check: exit {end['check_exit']}")
    cpu, wall = end["cpu_seconds"], end["wall_seconds"]
    browser_actions = sum(len(v) for k, v in stats.times.items() if k != "CLI search")
    print(
        f"CPU during the {wall:.0f} s of load ({os.cpu_count()} cores = {wall * (os.cpu_count() or 1):.0f} CPU-s): "
        f"app server {cpu['server']:.0f} s, its watcher's processes (writer, extraction) {cpu['extraction']:.0f} s, load generator "
        f"(Chromium sessions, Playwright, CLI loop) {cpu['generator']:.0f} s, whole machine {cpu['machine']:.0f} s; "
        f"app server per browser action: {1000 * cpu['server'] / max(browser_actions, 1):.0f} ms "
        f"({browser_actions} actions)"
    )
    print(
        f"server RSS: peak {memory.server_peak // 1024} MB, end {memory.server_last // 1024} MB; with its child "
        f"processes (the watcher's writer and extraction workers): peak {memory.total_peak // 1024} MB"
    )
    return {
        "actions": rows,
        "typed_query_split": split,
        "end": end,
        "memory_mb": {
            "server_peak": memory.server_peak // 1024,
            "server_end": memory.server_last // 1024,
            "with_children_peak": memory.total_peak // 1024,
        },
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000, help="documents in the index at the start")
    ap.add_argument("--sessions", type=int, default=3, help="concurrent researchers (browser contexts)")
    ap.add_argument("--files", type=int, default=50, help="files dropped into the corpus during the run")
    ap.add_argument("--duration", type=float, default=120.0, help="seconds of load")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/bench_load"))
    ap.add_argument("--jobs", type=int, default=2, help="extraction workers for the base build")
    ap.add_argument("--action-timeout", type=float, default=60.0, help="seconds before an action counts as an error")
    ap.add_argument(
        "--ingest-timeout", type=float, default=900.0, help="seconds to wait for the dropped files after the load"
    )
    ap.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(0.5, 1.5),
        metavar=("MIN", "MAX"),
        help="seconds a researcher reads between two actions (default: 0.5 1.5)",
    )
    ap.add_argument(
        "--server-first",
        action="store_true",
        help="the app's processes get the CPU before the browsers' (as if the browsers ran on other machines)",
    )
    ap.add_argument(
        "--hammer",
        action="store_true",
        help="session 0 sends the pathological query again and again (0.5–1.5 s apart) while the others work",
    )
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)

    args.workdir.mkdir(parents=True, exist_ok=True)
    base_corpus, base_index = base_archive(args.workdir, args.docs, args.jobs)
    staged = files_to_drop(args.workdir, args.docs, args.files)
    corpus, index = fresh_copy(args.workdir, base_corpus, base_index)
    process, base = start_app(corpus, index, args.workdir, own_group=args.server_first)
    stats, memory = Stats(), Memory()
    stop, ready = threading.Event(), threading.Event()
    load_start = os.getloadavg()[0]
    background: list[threading.Thread] = []
    dropped: list[str] = []
    try:
        sampler = threading.Thread(target=sample_memory, args=(process.pid, memory, stop), daemon=True)
        sampler.start()
        result: dict = {}

        def run_sessions() -> None:
            try:
                asyncio.run(
                    sessions(
                        base,
                        args.sessions,
                        stats,
                        args.duration,
                        int(args.action_timeout * 1000),
                        ready,
                        tuple(args.think),
                        args.hammer,
                    )
                )
            except BaseException as exc:  # reported after the load
                result["error"] = exc
                ready.set()

        browsers = threading.Thread(target=run_sessions)
        browsers.start()
        ready.wait()
        if "error" in result:
            raise result["error"]
        print(f"app on {base}, watcher on; load for {args.duration:.0f} s…", flush=True)
        tally, load_started = CpuTally(process.pid), time.monotonic()
        dropper = threading.Thread(
            target=lambda: dropped.extend(drop_files(staged, corpus, args.duration * 0.6, stop)), daemon=True
        )
        cli = threading.Thread(target=cli_loop, args=(corpus, index, stop, stats), daemon=True)
        background = [dropper, cli]
        for t in background:
            t.start()
        browsers.join()
        cpu = tally.finish()
        wall = time.monotonic() - load_started
        if "error" in result:
            raise result["error"]
        dropper.join()
        stop.set()
        cli.join(timeout=300)
        load_end = os.getloadavg()[0]
        print("load over; waiting for the watcher to take in the dropped files…", flush=True)
        expected = args.docs + len(dropped)
        waited, documents, holders = wait_for_ingestion(index, dropped, expected, args.ingest_timeout)
        memory.sample(process.pid)
        check_exit, check_text = archive_check(corpus, index)
        end = {
            "dropped": len(dropped),
            "ingested": sum(1 for p in dropped if holders.get(p)),
            "lost": sum(1 for p in dropped if not holders.get(p)),
            "duplicated": sum(1 for p in dropped if holders.get(p, 0) > 1),
            "documents": documents,
            "expected": expected,
            "ingest_wait": waited,
            "check_exit": check_exit,
            "load_start": round(load_start, 1),
            "load_end": round(load_end, 1),
            "cpu_seconds": {k: round(v, 1) for k, v in vars(cpu).items()},
            "wall_seconds": round(wall, 1),
        }
        if check_exit:
            print(check_text[:2000])
        figures = report(stats, args, memory, end)
        if args.json:
            args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, **figures}, indent=2))
    finally:
        stop.set()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    main()
