"""What one researcher's actions cost: CPU of the browser and of the server per action.

    python benchmarks/bench_session_cost.py                      # 2 000 documents, 10 rounds
    python benchmarks/bench_session_cost.py --docs 2000 --rounds 10 --json /tmp/cost.json

`bench_load.py` showed that with ten Chromium sessions on two cores, the browsers take three
quarters of the CPU: the time from action to answer is mostly Chromium rendering Streamlit's page.
This benchmark measures that cost alone, with one session on a quiet app, so that a change to the
page can be judged by what it saves in the browser per action.

1. Builds once the index of --docs documents that `bench_load.py` uses (same working folder layout,
   `--workdir`, default /tmp/bench_cost) and starts `streamlit run app.py` over a copy of it.
2. Drives ONE Chromium session (Playwright, Debian's Chromium) through a fixed script: per round,
   type a query (the queries of `bench_load.py`, in turn), tick or untick a facet value of the
   sidebar, and every other round open the first result and come back with « Recherche » (so
   10 rounds: 10 queries, 10 facet clicks, 5 documents opened, 5 backs).
3. Every 0.5 s, and at the start and end of each action, reads from /proc the CPU time (user +
   system) of every Chromium process of the session and of the server process. A process that ends
   (a renderer replaced) keeps what it used up to its last reading. An action's CPU is what was
   used from the action to --settle seconds after its answer was on screen (Streamlit keeps drawing
   after the first sign of the answer).

It prints, per kind of action: count, median time from action to answer on screen, and the mean
browser and server CPU per action; then the totals.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import (  # noqa: E402  (benchmarks/ is not a package)
    CHROMIUM,
    CHROMIUM_ARGS,
    COUNT,
    CURRENT,
    FACET_VALUE,
    QUERIES,
    _click_and_wait,
    _enter_and_wait,
    _load,
    _open_and_wait,
    base_archive,
    descendants,
    fresh_copy,
    start_app,
)

TICKS_PER_S = os.sysconf("SC_CLK_TCK")
SAMPLE_S = 0.5
PAGE_SIZE = """() => [document.querySelectorAll('[data-testid="stElementContainer"]').length,
  document.getElementsByTagName('*').length]"""
ACTIONS = ("page load", "typed query", "facet click", "open document", "back to results")


def _own_cpu(pid: int) -> float | None:
    """User + system CPU seconds of this process alone, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_S


def _chromium_type(pid: int) -> str | None:
    """« renderer », « gpu-process », « utility »… or « browser » for Chromium's main process;
    None when the process is not Chromium's."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    if not args or b"chromium" not in args[0].split(b" ", 1)[0]:
        return None
    # Chromium rewrites the command line of its children as one space-separated string.
    for arg in b" ".join(args).split():
        if arg.startswith(b"--type="):
            return arg[7:].decode()
    return "browser"


class CpuMeter:
    """The CPU used so far by the Chromium processes under this process and by the server
    process, sampled every 0.5 s by a thread and on demand (`read`)."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.browser: dict[int, float] = {}  # pid → last CPU seconds seen
        self.kind: dict[int, str] = {}  # pid → Chromium process type
        self.server = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        server_tree = {self.server_pid, *descendants(self.server_pid)}
        with self._lock:
            for pid in descendants(os.getpid()):
                if pid in server_tree:
                    continue
                if pid not in self.kind:
                    kind = _chromium_type(pid)
                    if kind is None:
                        continue
                    self.kind[pid] = kind
                used = _own_cpu(pid)
                if used is not None:
                    self.browser[pid] = max(used, self.browser.get(pid, 0.0))
            used = _own_cpu(self.server_pid)
            if used is not None:
                self.server = max(used, self.server)

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            self._sample()

    def read(self) -> tuple[float, float]:
        """(browser, server) CPU seconds used so far."""
        self._sample()
        with self._lock:
            return sum(self.browser.values()), self.server

    def by_kind(self) -> dict[str, float]:
        """CPU seconds so far per Chromium process type."""
        out: dict[str, float] = {}
        with self._lock:
            for pid, used in self.browser.items():
                out[self.kind[pid]] = out.get(self.kind[pid], 0.0) + used
        return out

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Costs:
    seconds: dict[str, list[float]] = field(default_factory=lambda: {a: [] for a in ACTIONS})
    browser: dict[str, list[float]] = field(default_factory=lambda: {a: [] for a in ACTIONS})
    server: dict[str, list[float]] = field(default_factory=lambda: {a: [] for a in ACTIONS})
    # What the browser holds after the action: Streamlit elements and DOM nodes (not timing-dependent).
    elements: dict[str, list[int]] = field(default_factory=lambda: {a: [] for a in ACTIONS})
    nodes: dict[str, list[int]] = field(default_factory=lambda: {a: [] for a in ACTIONS})
    stalls: list[str] = field(default_factory=list)
    browser_kinds: dict[str, float] = field(default_factory=dict)  # whole run, per process type


async def measured(costs: Costs, meter: CpuMeter, action: str, page, coro, settle_s: float) -> bool:
    browser0, server0 = meter.read()
    started = time.perf_counter()
    try:
        await coro
    except Exception as exc:  # a time-out: a stall, reported
        costs.stalls.append(f"{action}: {exc.__class__.__name__} at {page.url}")
        return False
    costs.seconds[action].append(time.perf_counter() - started)
    await page.wait_for_timeout(settle_s * 1000)
    browser1, server1 = meter.read()
    costs.browser[action].append(browser1 - browser0)
    costs.server[action].append(server1 - server0)
    elements, nodes = await page.evaluate(PAGE_SIZE)
    costs.elements[action].append(elements)
    costs.nodes[action].append(nodes)
    return True


async def one_session(base: str, server_pid: int, rounds: int, timeout_ms: int, settle_s: float) -> Costs:
    from playwright.async_api import async_playwright

    costs = Costs()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        context.set_default_timeout(timeout_ms)
        page = await context.new_page()
        meter = CpuMeter(server_pid)
        try:
            if not await measured(costs, meter, "page load", page, _load(page, base, timeout_ms), settle_s):
                return costs
            for n in range(rounds):
                query = QUERIES[n % len(QUERIES)]
                box = page.get_by_role("textbox", name="Rechercher dans l'archive")
                await box.fill(query)
                before, before_url = await page.evaluate(CURRENT, COUNT), page.url
                if not await measured(
                    costs,
                    meter,
                    "typed query",
                    page,
                    _enter_and_wait(box, page, before, query, before_url, timeout_ms),
                    settle_s,
                ):
                    return costs
                # Untick what is ticked, else tick one of the first visible values (in turn).
                boxes = page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]:visible')
                ticked = boxes.filter(has=page.locator("input:checked"))
                values = boxes.filter(has_text=FACET_VALUE)
                if await ticked.count():
                    target = ticked.first
                else:
                    target = values.nth(n % max(1, min(await values.count(), 4)))
                if await target.count():
                    before, before_url = await page.evaluate(CURRENT, COUNT), page.url
                    if not await measured(
                        costs,
                        meter,
                        "facet click",
                        page,
                        _click_and_wait(target, page, before, before_url, timeout_ms),
                        settle_s,
                    ):
                        return costs
                if n % 2:
                    continue
                titles = page.locator(
                    '[data-testid="stElementContainer"]:not([data-stale="true"]) .arc-card .arc-title a'
                )
                if not await titles.count():
                    continue
                before_url = page.url
                if not await measured(
                    costs,
                    meter,
                    "open document",
                    page,
                    _open_and_wait(titles.first, page, before_url, timeout_ms),
                    settle_s,
                ):
                    return costs
                back = page.locator('[data-testid="stSidebar"]').get_by_text("Recherche", exact=True)
                before_url = page.url
                if not await measured(
                    costs,
                    meter,
                    "back to results",
                    page,
                    _click_and_wait(back, page, "", before_url, timeout_ms),
                    settle_s,
                ):
                    return costs
        finally:
            meter.stop()
            costs.browser_kinds = meter.by_kind()
            await context.close()
            await browser.close()
    return costs


def report(costs: Costs, label: str) -> dict:
    rows = {}
    print(f"\n{label}")
    print("| action | n | median time | browser CPU / action | server CPU / action | elements | DOM nodes |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    every = [a for a in ACTIONS if a != "page load"]
    for action in ACTIONS:
        n = len(costs.seconds[action])
        if not n:
            continue
        row = {
            "n": n,
            "median_s": statistics.median(costs.seconds[action]),
            "browser_cpu_s": statistics.fmean(costs.browser[action]),
            "server_cpu_s": statistics.fmean(costs.server[action]),
            "elements": statistics.fmean(costs.elements[action]),
            "nodes": statistics.fmean(costs.nodes[action]),
        }
        rows[action] = row
        print(
            f"| {action} | {n} | {row['median_s'] * 1000:.0f} ms | {row['browser_cpu_s'] * 1000:.0f} ms "
            f"| {row['server_cpu_s'] * 1000:.0f} ms | {row['elements']:.0f} | {row['nodes']:.0f} |"
        )
    n = sum(len(costs.seconds[a]) for a in every)
    if n:
        browser = sum(sum(costs.browser[a]) for a in every) / n
        server = sum(sum(costs.server[a]) for a in every) / n
        median = statistics.median([s for a in every for s in costs.seconds[a]])
        elements = sum(sum(costs.elements[a]) for a in every) / n
        nodes = sum(sum(costs.nodes[a]) for a in every) / n
        rows["all but page load"] = {
            "n": n,
            "median_s": median,
            "browser_cpu_s": browser,
            "server_cpu_s": server,
            "elements": elements,
            "nodes": nodes,
        }
        print(
            f"| **all but page load** | {n} | {median * 1000:.0f} ms | {browser * 1000:.0f} ms "
            f"| {server * 1000:.0f} ms | {elements:.0f} | {nodes:.0f} |"
        )
    kinds = ", ".join(f"{k} {v:.1f} s" for k, v in sorted(costs.browser_kinds.items(), key=lambda kv: -kv[1]))
    print(f"browser CPU over the whole run, by process type: {kinds}")
    for stall in costs.stalls:
        print(f"STALL (no answer within the time-out): {stall}")
    return {"label": label, "actions": rows, "browser_by_type": costs.browser_kinds, "stalls": costs.stalls}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=2000, help="documents in the index")
    ap.add_argument("--rounds", type=int, default=10, help="rounds of query, facet click (and document, back)")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/bench_cost"))
    ap.add_argument("--jobs", type=int, default=2, help="extraction workers for the one-time build")
    ap.add_argument("--action-timeout", type=float, default=60.0, help="seconds before an action is a stall")
    ap.add_argument("--settle", type=float, default=1.0, help="seconds counted after each answer")
    ap.add_argument("--label", default="", help="a name for this run in the report")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)

    corpus, index = base_archive(args.workdir, args.docs, args.jobs)
    corpus, index = fresh_copy(args.workdir, corpus, index)
    process, base = start_app(corpus, index, args.workdir)
    try:
        costs = asyncio.run(one_session(base, process.pid, args.rounds, int(args.action_timeout * 1000), args.settle))
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except Exception:
            process.kill()
    label = args.label or f"{args.docs} documents, {args.rounds} rounds, one session"
    figures = report(costs, label)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    if costs.stalls:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
