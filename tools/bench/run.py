#!/usr/bin/env python3
"""`make bench`: the library under load beside a fixed-page Django ceiling, in one run.

1. Prepares (once, and keeps) a database of BENCH_ENTRIES generated entries beside the demo library and the
   60 judged dev entries: var/bench/site.sqlite3, or the PostgreSQL database of DATABASE_URL, which must be
   dedicated to the benchmark (created if missing; entries are imported into it and kept).
2. Counts the SQL queries of every page of the mix with Django's test client (CaptureQueriesContext), the
   page cache off, after one request has warmed what a running server keeps warm.
3. Serves the library twice with the production settings under gunicorn (site/gunicorn.conf.py, 2 sync
   workers, no worker recycling): once with the page cache off (every request rendered: "uncached") and once
   with it on ("cached", primed before measuring). Beside them, under the same gunicorn settings, the ceiling
   (tools/bench/ceiling.py), measured at the start and at the end.
4. Drives each page of the mix with wrk (fixed connections and duration, 127.0.0.1 only), then all of them in
   turn, and prints req/s, p50/p95/p99, queries per page, worker RSS after the run and each page as a share
   of the ceiling, as a Markdown table (also written to var/bench/).

Everything is bounded: each wrk run lasts BENCH_SECONDS, every server is stopped at the end."""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "var" / "bench"
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
LUA = str(Path(__file__).with_name("report.lua"))
DEV_ENTRIES = ROOT.parent / "shared" / "eval" / "search-dev-practices.jsonl"
PREFIX = "bench"
# Search words: a common one (hundreds of entries) and a rare one (a handful).
COMMON_WORD = "welfare"
RARE_WORD = "mobilitarsi"


def log(message):
    print(message, file=sys.stderr, flush=True)


# Preparation ------------------------------------------------------------------------------------------------


def base_env(database_url):
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url, MEDIA_ROOT=str(BENCH_DIR / "media"), STATIC_ROOT=str(BENCH_DIR / "static"))
    return env


def manage(env, *args, capture=False):
    command = [PY, str(ROOT / "manage.py"), *args]
    if capture:
        return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return None


def ensure_postgres_database(database_url):
    if not database_url.startswith("postgres"):
        return
    if subprocess.run(["psql", database_url, "-qc", "SELECT 1"], capture_output=True).returncode == 0:
        return
    name = database_url.rsplit("/", 1)[1].split("?")[0]
    server = database_url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", server, "-v", "ON_ERROR_STOP=1", "-qc", f'CREATE DATABASE "{name}"'], check=True)


def prepare(database_url, entries):
    """Migrate, load reference data and the demo library, import the dev entries and top the generated ones up
    to `entries`. Idempotent: a kept database is ready in seconds."""
    ensure_postgres_database(database_url)
    env = base_env(database_url)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    log(f"database: {database_url} (dedicated to the benchmark: entries are imported into it and kept)")
    manage(env, "migrate", "--no-input", "-v0")
    have = int(
        manage(
            env,
            "shell",
            "-v0",
            "-c",
            "from practices.models import LibraryEntry as E; "
            f"print(E.objects.filter(slug__startswith='{PREFIX}-').count())",
            capture=True,
        ).strip()
    )
    if have >= entries:
        log(f"the database holds {have} generated entries: kept")
        return have
    manage(env, "load_reference_data")
    manage(env, "load_demo_library")
    if DEV_ENTRIES.exists():
        manage(env, "import_library", str(DEV_ENTRIES))
    log(f"importing {entries} generated entries (the database holds {have}): this takes minutes, once")
    generated = BENCH_DIR / "entries.jsonl"
    with generated.open("w") as out:
        subprocess.run(
            [PY, str(ROOT / "manage.py"), "generate_library", str(entries), "--prefix", PREFIX],
            env=env,
            check=True,
            stdout=out,
        )
    started = time.monotonic()
    manage(env, "import_library", str(generated))
    log(f"imported in {time.monotonic() - started:.0f} s")
    generated.unlink()
    if database_url.startswith("postgres"):
        # A server whose autovacuum has not analysed the fresh tables plans with empty statistics.
        subprocess.run(["psql", database_url, "-qc", "ANALYZE"], check=True)
    return entries


def production_env(database_url, page_cache_seconds):
    env = base_env(database_url)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        # Plain HTTP on the loopback: no redirect to HTTPS, no HSTS.
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        # Persistent connections, as a production deployment sets them (a new PostgreSQL connection per
        # request costs milliseconds).
        CONN_MAX_AGE=env.get("CONN_MAX_AGE", "60"),
        PAGE_CACHE_SECONDS=str(page_cache_seconds),
    )
    return env


def collect_static(database_url):
    manifest = BENCH_DIR / "static" / "staticfiles.json"
    sources = [path for path in (ROOT / "static").rglob("*") if path.is_file()]
    if manifest.exists() and all(path.stat().st_mtime < manifest.stat().st_mtime for path in sources):
        return
    log("collecting static files (WhiteNoise's manifest, as in production)")
    manage(production_env(database_url, 0), "collectstatic", "--no-input", "-v0")


# The pages --------------------------------------------------------------------------------------------------


def page_mix():
    """(name, path) of every page of the mix, from what the database holds. Runs inside Django."""
    from library.models import LibraryIndexPage
    from practices.models import (
        CaseStudyPage,
        GoodPracticePage,
        NetworkPage,
        ResidencyPage,
        TrainingModulePage,
        TrainingProgrammePage,
    )

    def first(model):
        # Generated entries where there are some (the typical page), the demo's otherwise.
        pages = model.objects.live().filter(locale__language_code="it").order_by("path")
        return (pages.filter(slug__startswith=f"{PREFIX}-").first() or pages.first()).url

    library_page = LibraryIndexPage.objects.get(locale__language_code="it")
    library = library_page.url
    return [
        ("home", library_page.get_parent().url),
        ("library", library),
        ("library ?sdg", library + "?sdg=13"),
        ("library ?sdg&territory", library + "?sdg=13&territory=01"),
        ("library ?sdg&territory&type", library + "?sdg=13&territory=01&type=good_practice"),
        ("landing: goal", library + "sdg/13/"),
        ("landing: region", library + "territorio/01/"),
        ("good practice", first(GoodPracticePage)),
        ("case study", first(CaseStudyPage)),
        ("residency", first(ResidencyPage)),
        ("training module", first(TrainingModulePage)),
        ("training programme", first(TrainingProgrammePage)),
        ("network", first(NetworkPage)),
        (f"search {COMMON_WORD}", f"/it/search/?q={COMMON_WORD}"),
        (f"search {RARE_WORD}", f"/it/search/?q={RARE_WORD}"),
        ("API list ?sdg", "/api/v2/pages/?type=good_practice&sdg=13"),
        (f"API search={COMMON_WORD}", f"/api/v2/pages/?search={COMMON_WORD}"),
    ]


def measure_pages():
    """Print, as JSON, the mix with the queries, status and size of each page. Runs inside Django."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    client = Client()
    pages = []
    for name, path in page_mix():
        client.get(path)  # what a running worker keeps warm: content types, site root paths, vocabulary
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        context = response.context or {}
        results = None
        for key in ("page_obj", "results", "search_results"):
            found = context.get(key) if hasattr(context, "get") else None
            if found is not None and hasattr(found, "paginator"):
                results = found.paginator.count
                break
        if path.startswith("/api/"):
            results = json.loads(response.content).get("meta", {}).get("total_count")
        pages.append(
            {
                "name": name,
                "path": path,
                "status": response.status_code,
                "queries": len(queries),
                "bytes": len(response.content),
                "results": results,
            }
        )
    entries = __import__("practices.models", fromlist=["LibraryEntry"]).LibraryEntry.objects.count()
    print(json.dumps({"pages": pages, "entries": entries, "vendor": connection.vendor}))


# Servers and load -------------------------------------------------------------------------------------------


class Server:
    def __init__(self, name, port, env, app, pythonpath=None):
        self.name, self.port = name, port
        command = [
            GUNICORN,
            "-c",
            str(ROOT / "site" / "gunicorn.conf.py"),
            # The same for the library and the ceiling: no per-request log line, no recycling (the worker's
            # memory after the whole run is measured).
            "--access-logfile",
            "/dev/null",
            "--max-requests",
            "0",
        ]
        if pythonpath:
            command += ["--pythonpath", pythonpath]
        env = dict(env, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2", GUNICORN_THREADS="1")
        self.log = open(BENCH_DIR / f"gunicorn-{name}.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [*command, app], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def wait(self, path="/", timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name}: gunicorn exited, see {self.log.name}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=30) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"{self.name}: no answer on {self.base}{path} within {timeout} s")

    def workers(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def rss_mb(self):
        sizes = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
        return sizes

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def wrk(url, seconds, args, paths=()):
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        f"--timeout={args.timeout}s",
        "-s",
        LUA,
        url,
    ]
    if paths:
        command += ["--", *paths]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + args.timeout + 30).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    result = json.loads(line[len("BENCH ") :])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[key] for key in ("connect", "read", "write", "status", "timeout"))
    return result


def header(url, name):
    request = urllib.request.Request(url)
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.headers.get(name)


# Report -----------------------------------------------------------------------------------------------------


def ms(microseconds):
    value = microseconds / 1000
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def share(rps, ceiling):
    value = 100 * rps / ceiling
    return f"{value:.1f} %" if value >= 1 else f"{value:.2f} %"


def cell(result, ceiling):
    if not result["requests"]:
        return f"– | none answered within {result['duration_us'] / 1e6:.0f} s | –"
    errors = f", {result['errors']} errors ({result['timeout']} time-outs)" if result["errors"] else ""
    return (
        f"{result['rps']:,.1f} | {ms(result['p50'])} / {ms(result['p95'])} / {ms(result['p99'])}{errors} | "
        f"{share(result['rps'], ceiling)}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=int(os.environ.get("BENCH_ENTRIES", "10000")))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "10")))
    parser.add_argument("--warmup", type=int, default=int(os.environ.get("BENCH_WARMUP", "2")))
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=10, help="seconds before wrk counts a request as timed out")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8640")))
    parser.add_argument("--only", default="", help="comma-separated page names (substrings) to run")
    parser.add_argument("--measure-pages", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_pages:
        return measure_pages()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{BENCH_DIR / 'site.sqlite3'}"
    prepare(database_url, args.entries)
    collect_static(database_url)

    log("counting queries per page (test client, page cache off)")
    measured = subprocess.run(
        [PY, __file__, "--measure-pages"],
        env=production_env(database_url, 0),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    facts = json.loads(measured.stdout.strip().splitlines()[-1])
    pages = [page for page in facts["pages"] if not args.only or any(o in page["name"] for o in args.only.split(","))]
    cache_url = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL")

    load_before = os.getloadavg()
    started = datetime.now()
    servers = []
    try:
        ceiling = Server("ceiling", args.port, production_env(database_url, 0), "ceiling:application", "tools/bench")
        uncached = Server("uncached", args.port + 1, production_env(database_url, 0), "config.wsgi")
        # Its own key prefix: in a shared cache (Redis), pages of an earlier run (same URLs, same database)
        # would otherwise be served at once and hide the first renders.
        cached_env = production_env(database_url, 3600)
        cached_env["CACHE_KEY_PREFIX"] = f"{cached_env.get('CACHE_KEY_PREFIX', '')}bench-{time.time_ns()}"
        cached = Server("cached", args.port + 2, cached_env, "config.wsgi")
        servers = [ceiling, uncached, cached]
        for server in servers:
            server.wait()
        ceilings = [wrk(ceiling.base + "/", args.seconds, args)]
        log(f"ceiling: {ceilings[0]['rps']:,.0f} req/s")
        rows = []
        for page in pages:
            row = {"page": page}
            for server in (uncached, cached):
                url = server.base + page["path"]
                wrk(url, args.warmup, args)  # warm: the page cache primed, the worker's own caches filled
                row[server.name] = wrk(url, args.seconds, args)
                if server is cached:
                    row["cache"] = header(url, "X-Page-Cache")
            log(f"{page['name']}: {row['uncached']['rps']:,.1f} / {row['cached']['rps']:,.0f} req/s")
            rows.append(row)
        paths = [page["path"] for page in pages]
        mixed = {server.name: wrk(server.base + "/", args.seconds * 2, args, paths) for server in (uncached, cached)}
        ceilings.append(wrk(ceiling.base + "/", args.seconds, args))
        log(f"ceiling again: {ceilings[1]['rps']:,.0f} req/s")
        rss = {server.name: server.rss_mb() for server in servers}
        served = {
            "uncached": sum(row["uncached"]["requests"] for row in rows) + mixed["uncached"]["requests"],
            "cached": sum(row["cached"]["requests"] for row in rows) + mixed["cached"]["requests"],
        }
    finally:
        for server in servers:
            server.stop()
    load_after = os.getloadavg()

    ceiling_rps = sum(result["rps"] for result in ceilings) / len(ceilings)
    lines = [
        f"# make bench, {started:%Y-%m-%d %H:%M}",
        "",
        f"- {facts['entries']:,} library entries ({args.entries:,} generated), {facts['vendor']}, page cache in "
        f"{'Redis' if cache_url else 'each worker (local memory)'}; production settings, gunicorn with 2 sync "
        f"workers; wrk -t{args.threads} -c{args.connections} -d{args.seconds}s per page after {args.warmup} s of "
        "warm-up, 127.0.0.1.",
        f"- {os.cpu_count()} CPUs, load average {load_before[0]:.1f} before and {load_after[0]:.1f} after "
        "(a shared machine: compare the shares of the ceiling, not the req/s of different runs).",
        "- Ceiling (fixed 1 KB Django page, same gunicorn settings): "
        + " and ".join(f"{result['rps']:,.0f}" for result in ceilings)
        + f" req/s (start, end), p50 {ms(ceilings[0]['p50'])} ms; mean {ceiling_rps:,.0f} req/s = 100 %.",
        "- Uncached: the page cache off, every request rendered. Cached: the page cache on and primed. "
        "Latency p50 / p95 / p99 in ms. Queries: one uncached request after a warm-up (test client).",
        "",
        "| page | queries | uncached req/s | p50 / p95 / p99 | of ceiling | cached req/s | p50 / p95 / p99 "
        "| of ceiling |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        page = row["page"]
        note = "" if page["status"] == 200 else f" (HTTP {page['status']})"
        if page["results"] is not None:
            note += f" ({page['results']:,} results)"
        if row.get("cache") != "hit":
            note += f" (cache: {row.get('cache')})"
        lines.append(
            f"| {page['name']}{note} | {page['queries']} | {cell(row['uncached'], ceiling_rps)} | "
            f"{cell(row['cached'], ceiling_rps)} |"
        )
    lines.append(
        f"| all of them in turn ({args.seconds * 2} s) | | {cell(mixed['uncached'], ceiling_rps)} | "
        f"{cell(mixed['cached'], ceiling_rps)} |"
    )
    lines += [
        "",
        "Worker RSS after the run (MB): "
        + "; ".join(
            f"{name} {', '.join(f'{size:.0f}' for size in sizes)}"
            + (f" after {served[name]:,} requests" if name in served else "")
            for name, sizes in rss.items()
        )
        + ".",
    ]
    report = "\n".join(lines)
    print(report)
    path = BENCH_DIR / f"report-{started:%Y%m%d-%H%M}.md"
    path.write_text(report + "\n")
    log(f"written to {path.relative_to(ROOT)}")
    return None


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
