"""Load benchmark: concurrent ``POST /chat`` against ``reportqa serve`` on loopback.

``python -m evals.bench_load`` (short: about a minute) or
``python -m evals.bench_load --requests 3000 --workers 1,2`` (full).

Ingests a small corpus (the small suite's letters and the real Portsmouth letter) into a fresh
embedded store in a temporary folder, with vectors from :class:`evals.standin.HashEmbedder`
(the server embeds questions with the real model; answers are not checked for accuracy),
starts the server as a subprocess with the rate limit off (``REPORTQA_RATE_LIMIT_PER_MINUTE=0``)
and its SQLite database in the same folder, and for each concurrency level (16 and 64 clients,
asyncio + httpx) sends ``--requests`` questions of the suite and reports requests/s,
p50/p95/p99 latency, errors (non-200 answers and failed connections; must be zero) and the
server's resident memory.
With ``--workers 1,2`` it repeats the runs with two uvicorn workers
(``uvicorn --factory api.app:create_app --workers 2``: the app factory needs no extra option).
Finally it times the same questions answered in-process (``Assistant.ask``) for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from evals.metrics import percentile  # noqa: E402
from evals.standin import STANDIN_NOTE, HashEmbedder  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "evals" / "suites" / "small"
REAL = ROOT / "data" / "sample" / "letters"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _questions(limit: int = 200) -> list[str]:
    out = []
    with (SUITE / "questions.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            if not item.get("history"):
                out.append(str(item["question"]))
    return out[:limit]


def _rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn workers), MiB."""
    total = 0
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
        pids += [int(p) for p in children.stdout.split()]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def _ingest(data_dir: Path, chroma_url: str | None = None) -> int:
    from ingest.pipeline import IngestPipeline
    from vectorstore.settings import StoreSettings
    from vectorstore.store import LetterStore, make_client

    settings = StoreSettings(_env_file=None, data_dir=data_dir,  # type: ignore[call-arg]
                             chroma_url=chroma_url)
    client = make_client(settings)
    store = LetterStore(client, 384, settings.collection_prefix)
    report = IngestPipeline(store, HashEmbedder()).ingest(
        [SUITE / "letters", REAL / "portsmouth-2009-ucra-letter.txt"])
    if not report.ok:
        raise SystemExit(f"ingest failed: {report.to_dict()}")
    n = len(store.list_letters(include_text=False))
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    return n


def _heartbeat(url: str) -> bool:
    import httpx

    try:
        return httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _start_chroma(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A Chroma server for several workers (the embedded store belongs to one process)."""
    program = str(Path(sys.executable).with_name("chroma"))
    if not Path(program).is_file():
        program = shutil.which("chroma") or "chroma"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with (folder / "chroma.log").open("ab") as out:
        proc = subprocess.Popen([program, "run", "--path", str(folder / "chroma"), "--host",
                                 "127.0.0.1", "--port", str(port)], stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    t = time.perf_counter()
    while not _heartbeat(url):
        if proc.poll() is not None or time.perf_counter() - t > 60:
            _stop(proc)
            raise SystemExit(f"`chroma run` did not start (see {folder / 'chroma.log'})")
        time.sleep(0.3)
    return proc, url


def _start(workers: int, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    if workers == 1:
        program = shutil.which("reportqa") or str(Path(sys.executable).with_name("reportqa"))
        cmd = [program, "serve", "--host", "127.0.0.1", "--port", str(port)]
    else:
        cmd = [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app",
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
               "--log-level", "warning"]
    with log.open("ab") as out:
        return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
                                start_new_session=True)


def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout_s: float) -> float:
    import httpx

    t = time.perf_counter()
    while time.perf_counter() - t < timeout_s:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return time.perf_counter() - t
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the server was not ready within {timeout_s} s")


async def _load(url: str, questions: list[str], clients: int, requests: int) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    errors: dict[str, int] = {}
    counter = iter(range(requests))

    async def client(http: httpx.AsyncClient) -> None:
        for i in counter:
            body = {"message": questions[i % len(questions)]}
            t = time.perf_counter()
            try:
                response = await http.post(f"{url}/chat", json=body)
                if response.status_code != 200:
                    key = f"http {response.status_code}"
                    errors[key] = errors.get(key, 0) + 1
                    continue
            except httpx.HTTPError as e:
                key = type(e).__name__
                errors[key] = errors.get(key, 0) + 1
                continue
            latencies.append((time.perf_counter() - t) * 1000)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        t = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        wall = time.perf_counter() - t
    return {"clients": clients, "requests": requests, "ok": len(latencies),
            "errors": sum(errors.values()), "error_kinds": errors,
            "requests_per_s": round(len(latencies) / wall, 1), "wall_s": round(wall, 1),
            "p50_ms": _r(percentile(latencies, 50)), "p95_ms": _r(percentile(latencies, 95)),
            "p99_ms": _r(percentile(latencies, 99))}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _in_process(data_dir: Path, questions: list[str], n: int) -> dict[str, Any]:
    from assistant.chain import Assistant
    from vectorstore.embedder import Embedder
    from vectorstore.settings import StoreSettings
    from vectorstore.store import LetterStore, make_client

    settings = StoreSettings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]
    store = LetterStore(make_client(settings), 384, settings.collection_prefix)
    assistant = Assistant(store, Embedder())
    for q in questions[:5]:
        assistant.ask(q)
    times = []
    for i in range(n):
        t = time.perf_counter()
        assistant.ask(questions[i % len(questions)])
        times.append((time.perf_counter() - t) * 1000)
    return {"n": n, "p50_ms": _r(percentile(times, 50)), "p95_ms": _r(percentile(times, 95)),
            "p99_ms": _r(percentile(times, 99)),
            "sequential_per_s": round(n / (sum(times) / 1000), 1)}


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: run the load levels and print the figures (JSON with ``--json``)."""
    parser = argparse.ArgumentParser(prog="python -m evals.bench_load",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="16,64", help="concurrency levels")
    parser.add_argument("--requests", type=int, default=160, help="requests per level")
    parser.add_argument("--workers", default="1", help="server worker counts, e.g. 1,2")
    parser.add_argument("--ready-timeout", type=float, default=180.0)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.clients.split(",") if x.strip()]
    worker_counts = [int(x) for x in args.workers.split(",") if x.strip()]
    questions = _questions()
    work = Path(tempfile.mkdtemp(prefix="reportqa-load-"))
    result: dict[str, Any] = {"note": STANDIN_NOTE, "servers": []}
    try:
        t = time.perf_counter()
        result["letters"] = _ingest(work / "store")  # embedded; a server copy for 2+ workers
        result["ingest_s"] = round(time.perf_counter() - t, 1)
        env = {k: v for k, v in os.environ.items()
               if k not in ("REPORTQA_DATABASE_URL", "REPORTQA_API_KEYS", "REPORTQA_ADMIN_KEYS",
                            "REPORTQA_CHROMA_URL")}
        env.update({"REPORTQA_DATA_DIR": str(work / "store"),  # the SQLite database too
                    "REPORTQA_RATE_LIMIT_PER_MINUTE": "0"})
        chroma: subprocess.Popen[bytes] | None = None
        chroma_url = ""
        for workers in worker_counts:
            port = _free_port()
            url = f"http://127.0.0.1:{port}"
            server_env = dict(env)
            if workers > 1:  # several processes share a Chroma server, as in deployment.md
                if chroma is None:
                    chroma, chroma_url = _start_chroma(work)
                    _ingest(work / "store", chroma_url)
                server_env["REPORTQA_CHROMA_URL"] = chroma_url
            proc = _start(workers, port, server_env, work / f"server-{workers}.log")
            try:
                server: dict[str, Any] = {"workers": workers,
                                          "chroma": "server" if workers > 1 else "embedded",
                                          "ready_s": round(_wait_ready(url, proc,
                                                                       args.ready_timeout), 1)}
                t = time.perf_counter()
                warm = asyncio.run(_load(url, questions, max(1, workers) * 2, 10 * workers))
                server["warm_up_s"] = round(time.perf_counter() - t, 1)
                server["warm_up_errors"] = warm["errors"]
                server["rss_idle_mib"] = _rss_mib(proc.pid)
                server["levels"] = []
                for clients in levels:
                    level = asyncio.run(_load(url, questions, clients, args.requests))
                    level["server_rss_mib"] = _rss_mib(proc.pid)
                    server["levels"].append(level)
                result["servers"].append(server)
            finally:
                _stop(proc)
        if chroma is not None:
            _stop(chroma)
        result["in_process"] = _in_process(work / "store", questions, min(200, len(questions)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0 if all(x["errors"] == 0 for s in result["servers"] for x in s["levels"]) else 1
    print(f"NOTE: {STANDIN_NOTE}; the server embeds questions with the packaged model")
    print(f"{result['letters']} letters ingested in {result['ingest_s']} s")
    for server in result["servers"]:
        print(f"\n{server['workers']} worker(s), {server['chroma']} Chroma: ready after "
              f"{server['ready_s']} s, warm-up {server['warm_up_s']} s, idle RSS "
              f"{server['rss_idle_mib']} MiB")
        for x in server["levels"]:
            print(f"  {x['clients']:3} clients, {x['ok']}/{x['requests']} ok, errors "
                  f"{x['errors']} {x['error_kinds'] or ''}: {x['requests_per_s']} req/s, "
                  f"p50 {x['p50_ms']} ms, p95 {x['p95_ms']} ms, p99 {x['p99_ms']} ms, "
                  f"server RSS {x['server_rss_mib']} MiB")
    p = result["in_process"]
    print(f"\nin-process Assistant.ask, sequential: p50 {p['p50_ms']} ms, p95 {p['p95_ms']} ms, "
          f"p99 {p['p99_ms']} ms ({p['sequential_per_s']} answers/s)")
    failed = any(x["errors"] for s in result["servers"] for x in s["levels"])
    if failed:
        print("ERRORS: some requests failed (see above)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
