"""Load benchmark of the HTTP API on loopback: ``python -m eval.bench_api [--quick]``.

Starts ``uvicorn api.main:app`` on 127.0.0.1 in a subprocess (a fresh SQLite database in a temporary
folder, rate limits lifted, everything else at its defaults), then sends POST /v1/reconcile requests
with an async HTTP client (httpx2) at concurrency 1, 4 and 16, for two one-page texts (JSON) and two
one-page PDFs (multipart). Each cell is bounded in requests and in time. Reports p50/p95 latency,
throughput, errors and the server's resident memory (the server process and its children, sampled),
and writes eval/results/api.md. Targets: p95 ≤ 300 ms for texts at concurrency 1; no error at 16.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "eval" / "results" / "api.md"
KEY = "bench-key-0123456789abcdef"
TARGET_P95_MS = 300.0


@dataclass
class Cell:
    scenario: str
    concurrency: int
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    rss_mb: float = 0.0

    @property
    def ok(self) -> int:
        return len(self.latencies)

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))] * 1000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants, in MiB (Linux /proc)."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                todo += [int(c) for c in children]
        except (OSError, ValueError):
            continue
    return total / 1024


def documents() -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from tests.pdfgen import text_to_pdf

    ex = resources.files("recon.examples")
    before = ex.joinpath("ordonnance_ville.txt").read_text(encoding="utf-8")
    after = ex.joinpath("ordonnance_sortie.txt").read_text(encoding="utf-8")
    return {
        "texts": {"json": {"before": {"text": before, "name": "ville.txt"}, "after": {"text": after,
                                                                                      "name": "sortie.txt"}}},
        "pdfs": {"files": {"before": ("ville.pdf", text_to_pdf(before), "application/pdf"),
                           "after": ("sortie.pdf", text_to_pdf(after), "application/pdf")}},
    }


async def run_cell(url: str, pid: int, scenario: str, body: dict[str, Any], concurrency: int, n: int,
                   time_limit: float) -> Cell:
    import httpx2

    cell = Cell(scenario, concurrency)
    headers = {"Authorization": f"Bearer {KEY}"}
    sent = 0
    deadline = time.perf_counter() + time_limit

    async def worker(client: Any) -> None:
        nonlocal sent
        while sent < n and time.perf_counter() < deadline:
            sent += 1
            t0 = time.perf_counter()
            try:
                r = await client.post(f"{url}/v1/reconcile", headers=headers, **body)
                code = str(r.status_code) if r.status_code != 200 else ""
            except Exception as e:  # a transport error is an error of the cell
                code = type(e).__name__
            if code:
                cell.errors[code] = cell.errors.get(code, 0) + 1
            else:
                cell.latencies.append(time.perf_counter() - t0)

    async def sample_memory(stop: asyncio.Event) -> None:
        while not stop.is_set():
            cell.rss_mb = max(cell.rss_mb, _rss_mb(pid))
            await asyncio.sleep(0.25)

    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(timeout=120, limits=limits) as client:
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_memory(stop))
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        cell.elapsed = time.perf_counter() - t0
        stop.set()
        await sampler
    return cell


def start_server(tmp: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "RECON_API_KEYS": f"bench:{KEY}", "RECON_DB_PATH": str(tmp / "bench.sqlite3"),
           "RECON_RATE_LIMIT_PER_MINUTE": "1000000000", "RECON_RATE_LIMIT_BURST": "1000000000"}
    cmd = [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    import httpx2

    for _ in range(300):
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
        try:
            if httpx2.get(f"{url}/readyz", timeout=30).status_code == 200:
                return proc, url
        except httpx2.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not become ready in 60 s")


def write_report(cells: list[Cell], *, idle_mb: float, workers: int, quick: bool) -> str:
    lines = [f"# HTTP API load — {dt.date.today().isoformat()}", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
             f"uvicorn on 127.0.0.1, {workers} worker(s), SQLite, nothing stored; client httpx2 (async) on "
             "the same machine. `POST /v1/reconcile` of the bundled one-page prescriptions "
             "(ordonnance_ville / ordonnance_sortie): as two JSON texts, and as two one-page PDFs "
             f"(tests/pdfgen.py). {'Quick run. ' if quick else ''}Server memory: resident set of the server "
             f"and its children (PDF parsing runs in forked children), peak sampled every 250 ms; "
             f"{idle_mb:.0f} MiB when idle and ready. On a shared machine, repeated runs differ (an earlier run of "
             "the same plan gave texts at concurrency 1: p50 116 ms, p95 180 ms).", "",
             "| input | concurrency | requests | errors | p50 ms | p95 ms | req/s | server RSS MiB |",
             "|---|---|---|---|---|---|---|---|"]
    for c in cells:
        errs = ", ".join(f"{k}×{v}" for k, v in sorted(c.errors.items())) or "0"
        lines.append(f"| {c.scenario} | {c.concurrency} | {c.ok + sum(c.errors.values())} | {errs} | "
                     f"{c.pct(0.5):.0f} | {c.pct(0.95):.0f} | {c.ok / c.elapsed if c.elapsed else 0:.1f} | "
                     f"{c.rss_mb:.0f} |")
    text1 = next((c for c in cells if c.scenario == "texts" and c.concurrency == 1), None)
    at16 = [c for c in cells if c.concurrency == 16]
    lines += ["", "Targets:"]
    if text1:
        ok = text1.pct(0.95) <= TARGET_P95_MS
        lines.append(f"- p95 of texts at concurrency 1 ≤ {TARGET_P95_MS:.0f} ms: {text1.pct(0.95):.0f} ms — "
                     f"{'met' if ok else 'NOT met'}")
    if at16:
        errors = sum(sum(c.errors.values()) for c in at16)
        lines.append(f"- no error at concurrency 16: {errors} error(s) — {'met' if not errors else 'NOT met'}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer requests (a smoke run)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=90.0, help="seconds per cell at most")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--fuzz", type=int, default=0, metavar="N",
                    help="also run schemathesis in-process, N examples per operation (220: over 1,000 requests)")
    args = ap.parse_args(argv)
    plan = {"texts": {1: 60, 4: 120, 16: 192}, "pdfs": {1: 12, 4: 24, 16: 48}}
    if args.quick:
        plan = {"texts": {1: 15, 4: 20, 16: 32}, "pdfs": {1: 3, 4: 8, 16: 16}}
    bodies = documents()
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp), args.workers)
        try:
            asyncio.run(run_cell(url, proc.pid, "warm-up", bodies["texts"], 1, 5, 30))
            asyncio.run(run_cell(url, proc.pid, "warm-up", bodies["pdfs"], 1, 2, 30))
            idle = _rss_mb(proc.pid)
            cells = []
            for scenario, runs in plan.items():
                for concurrency, n in runs.items():
                    cell = asyncio.run(run_cell(url, proc.pid, scenario, bodies[scenario], concurrency, n,
                                                args.time_limit))
                    cells.append(cell)
                    print(f"{scenario} c={concurrency}: {cell.ok} ok, errors {cell.errors}, "
                          f"p50 {cell.pct(0.5):.0f} ms, p95 {cell.pct(0.95):.0f} ms, "
                          f"{cell.ok / cell.elapsed:.1f} req/s, RSS {cell.rss_mb:.0f} MiB", file=sys.stderr)
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
    report = write_report(cells, idle_mb=idle, workers=args.workers, quick=args.quick)
    fuzz_ok = True
    if args.fuzz:
        section, fuzz_ok = fuzz_report(args.fuzz)
        report += section
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(report)
    return 0 if fuzz_ok and all(not c.errors for c in cells) else 1


def fuzz_report(examples: int) -> tuple[str, bool]:
    sys.path.insert(0, str(ROOT))
    from tests.api.fuzz import run_fuzz

    with tempfile.TemporaryDirectory() as tmp:
        result = run_fuzz(Path(tmp), examples)
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(result.statuses.items()))
    lines = ["", "## Schemathesis (in-process, ASGI)", "",
             f"{examples} generated examples per operation at most (seeded), checks: not a server error, "
             "status code, content type, response schema and headers conformance, negative data rejected. "
             f"{result.seconds:.0f} s.", "", "| operation | requests |", "|---|---|"]
    lines += [f"| {op} | {n} |" for op, n in result.requests.items()]
    lines += [f"| **total** | **{result.total}** |", "", f"Statuses: {statuses}.", "",
              f"Server errors (5xx): {result.server_errors}; check failures: {len(result.failures)}."]
    lines += [f"- {op}: {text.splitlines()[0] if text else ''}" for op, text in result.failures]
    print("\n".join(lines), file=sys.stderr)
    return "\n".join(lines) + "\n", not result.failures and result.server_errors == 0


if __name__ == "__main__":
    raise SystemExit(main())
