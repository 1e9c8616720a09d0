"""`make bench`: the service under gunicorn with production settings, driven by wrk on loopback.

For the full data set and for a tenth of it, each in its own PostgreSQL database made afresh, it
runs every scenario for the same time at the same concurrency and prints one table: requests per
second, latency percentiles, errors, database queries per request, throughput as a ratio to the
health check's in the same run, and how much slower each page is at ten times the data. The
table is also written to bench-results.json.

Both runs use the shared cache in Redis (BENCH_REDIS_URL), as production does. With the full data
it then serves the same scenarios from two gunicorn instances on two more ports behind HAProxy on
loopback, like two machines behind a load balancer, prints the ratio of their throughput to one
instance's, and checks that they act as one service (tests/instances.py)."""

import csv
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests import instances

ROOT = Path(__file__).resolve().parents[2]
WRK_SCRIPTS = Path(__file__).resolve().parent / "wrk"
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/feedback_bench"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
# Each scenario first runs unmeasured: a worker's first requests load templates and URL patterns,
# and the progress page's first answer fills its cache. Measured cold, they put seconds into p99.
WARM_UP_SECONDS = int(os.environ.get("BENCH_WARM_UP_SECONDS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
# A worker's start-up imports the suggestion engine's libraries: on a busy machine, over 30 s.
START_SECONDS = int(os.environ.get("BENCH_START_SECONDS", "120"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")
RESULTS_FILE = ROOT / "bench-results.json"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
# The two instances and the load balancer in front of them.
INSTANCE_PORTS = (PORT + 1, PORT + 2)
BALANCER_PORT = PORT + 3
SIZES = {"full": 1.0, "tenth": 0.1}
SCENARIOS = {
    "healthz": "health check (the ceiling)",
    "progress": "public progress page, busy workshop",
    "owner_actions": "owner's actions (50 actions)",
    "capture": "capture submit of 10 notes",
    "admin_list": "admin contributions, untriaged, 100",
    "workbench_page": "workbench page of 50 notes",
    "workbench_save": "one workbench save",
}
# Scenarios that post rather than get, by their wrk script.
POST_SCRIPTS = {"capture": "capture.lua", "workbench_save": "workbench_save.lua"}


def database_url_for(size: str) -> str:
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if size == "full":
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path}_{size}"))


def stored_submits(url: str) -> int:
    """Capture submits stored, to show that each request of the scenario added its notes."""
    connection = psycopg2.connect(url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM workshops_capturebatch")
        (count,) = cursor.fetchone()
    connection.close()
    return count


def recreate_database(url: str) -> None:
    """Drop and create the benchmark database. Only names with "bench" in them are touched."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("make bench needs PostgreSQL: set DATABASE_URL=postgres://...")
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"Refusing to recreate database {name!r}: its name must contain 'bench'.")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    connection = psycopg2.connect(maintenance)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def production_environment(database_url: str) -> dict[str, str]:
    """Production settings on loopback: DEBUG off, a fresh secret, plain HTTP, kept connections."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": REDIS_URL,
        # As production: jobs wait in the database for a worker (none runs here), so a save
        # never runs one, such as the suggestion engine's training, inside its request.
        "TASKS_BACKEND": "database",
        # Each run's entries apart from anything else in that Redis database.
        "CACHE_KEY_PREFIX": f"bench-{secrets.token_hex(6)}",
    }


def train_suggestions(environment: dict) -> dict:
    """Train the suggestion engine on the fresh data, as the job does after triage, and time it;
    the workbench page is then measured with a model, as in production."""
    started = time.monotonic()
    output = subprocess.run(
        [PYTHON, "manage.py", "train_suggestions"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    ).stdout
    return {"training_seconds": round(time.monotonic() - started, 1), "training": output.strip()}


def manage(environment: dict, *arguments: str) -> None:
    subprocess.run([PYTHON, "manage.py", *arguments], cwd=ROOT, env=environment, check=True)


def start_server(environment: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "feedback_site.wsgi",
            f"--workers={WORKERS}",
            f"--worker-class={WORKER_CLASS}",
            "--threads=1",
            f"--bind=127.0.0.1:{PORT}",
            # A worker still in a slow request is stopped within this, inside the 30 s wait.
            "--graceful-timeout=10",
        ],
        cwd=ROOT,
        env=environment,
    )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=10):
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    sys.exit(f"gunicorn did not answer /healthz within {START_SECONDS} seconds")


def worker_peak_memory_mib(server: subprocess.Popen) -> float:
    """The largest peak resident size (VmHWM) among the server's worker processes."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    peaks = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return round(max(peaks), 1)


def run_wrk(scenario: str, details: dict, seconds: int, port: int = PORT) -> dict:
    script = POST_SCRIPTS.get(scenario, "get.lua")
    environment = {
        **os.environ,
        "BENCH_COOKIE": details.get("cookie", ""),
        "BENCH_CSRF_TOKEN": details.get("csrf_token", ""),
        "BENCH_NOTES": str(details.get("notes", 0)),
        "BENCH_NOTE_IDS": ",".join(map(str, details.get("note_ids", []))),
        "BENCH_AREA_IDS": ",".join(map(str, details.get("area_ids", []))),
    }
    output = subprocess.run(
        [
            "wrk",
            "--threads=2",
            f"--connections={CONNECTIONS}",
            f"--duration={seconds}s",
            "--timeout=10s",
            f"--script={WRK_SCRIPTS / script}",
            f"http://127.0.0.1:{port}{details['path']}",
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH-RESULT "))
    figures = json.loads(line.removeprefix("BENCH-RESULT "))
    return {
        "requests_per_second": round(figures["requests"] / (figures["duration_us"] / 1e6), 1),
        "p50_ms": figures["p50_us"] / 1000,
        "p95_ms": figures["p95_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "errors": figures["socket_errors"] + figures["status_errors"],
        "requests": figures["requests"],
        "queries": details["queries"],
    }


def json_from(environment: dict, module: str):
    """What a module of the benchmark prints as JSON, run in its own process."""
    printed = subprocess.run(
        [PYTHON, "-m", module],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    ).stdout
    return json.loads(printed)


IMPORT_ROWS = 10_000


IMPORTED_IN = re.compile(r"Imported ([\d,]+) notes .* in ([\d.]+) s")


def measure_import(environment: dict, details: dict) -> dict:
    """Seconds for `import_notes` to take a file of 10,000 rows, as it reports them (reading and
    checking every row, then storing all or none), then the same file again, which must add
    nothing; and each run's seconds from start to end, Python's start-up included."""
    groups = details["groups"]
    with tempfile.NamedTemporaryFile("w", suffix=".csv", newline="", delete=False) as file:
        writer = csv.writer(file)
        writer.writerow(["text", "kind", "group", "asked_by", "asked_at", "source"])
        for n in range(IMPORT_ROWS):
            writer.writerow(
                [
                    f"Imported note {n} of the benchmark: access to social media is blocked",
                    ["comment", "question", "idea", "positive"][n % 4],
                    groups[n % len(groups)],
                    f"@person{n % 300}",
                    f"2026-06-21 {9 + n % 8:02d}:{n % 60:02d}",
                    "Benchmark",
                ]
            )
    runs = []
    try:
        for _ in range(2):
            started = time.perf_counter()
            output = subprocess.run(
                [PYTHON, "manage.py", "import_notes", details["workshop_slug"], file.name],
                cwd=ROOT,
                env=environment,
                stdout=subprocess.PIPE,
                text=True,
                check=True,
            ).stdout
            reported = IMPORTED_IN.search(output)
            runs.append(
                {
                    "added": int(reported[1].replace(",", "")) if reported else None,
                    "seconds": float(reported[2]) if reported else None,
                    "start_to_end_seconds": round(time.perf_counter() - started, 1),
                }
            )
    finally:
        os.unlink(file.name)
    if [run["added"] for run in runs] != [IMPORT_ROWS, 0]:
        sys.exit(f"The import did not add {IMPORT_ROWS:,} rows, then none: {runs}")
    return {"rows": IMPORT_ROWS, "first": runs[0], "again": runs[1]}


def measure_size(size: str, scale: float) -> dict:
    database_url = database_url_for(size)
    environment = production_environment(database_url)
    print(f"\n== {size} data (scale {scale}) in {urlsplit(database_url).path.lstrip('/')}")
    recreate_database(database_url)
    manage(environment, "migrate", "--no-input", "--verbosity=0")
    manage(environment, "bench_data", f"--scale={scale}")
    training = train_suggestions(environment)
    details = json_from(environment, "tests.benchmarks.prepare")
    board_pack = json_from(environment, "tests.benchmarks.board_pack")
    server = start_server(environment)
    try:
        results = {}
        for scenario in SCENARIOS:
            print(f"   {SCENARIOS[scenario]}: {SECONDS} s at {CONNECTIONS} connections")
            run_wrk(scenario, details[scenario], WARM_UP_SECONDS)
            if scenario == "capture":
                stored_before = stored_submits(database_url)
            results[scenario] = run_wrk(scenario, details[scenario], SECONDS)
        results["capture"]["stored_submits"] = stored_submits(database_url) - stored_before
        ceiling = results["healthz"]["requests_per_second"]
        for figures in results.values():
            figures["ratio_to_ceiling"] = round(figures["requests_per_second"] / ceiling, 3)
        peak = worker_peak_memory_mib(server)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    measured = {
        "scale": scale,
        "scenarios": results,
        "worker_peak_mib": peak,
        "board_pack": board_pack,
        "suggestions": {**details["suggestions"], **training},
    }
    if size == "full":
        measured["two_instances"] = measure_two_instances(environment, details, database_url)
        print(f"   import of {IMPORT_ROWS:,} rows with import_notes, then the same file again")
        measured["import"] = measure_import(environment, details["import"])
    return measured


HAPROXY_CONFIG = """global
    maxconn 1024
defaults
    mode http
    option http-keep-alive
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend web
    bind 127.0.0.1:{balancer}
    default_backend service
backend service
    balance roundrobin
    server one 127.0.0.1:{one}
    server two 127.0.0.1:{two}
"""


def start_balancer(folder: Path) -> subprocess.Popen:
    config = folder / "haproxy.cfg"
    one, two = INSTANCE_PORTS
    config.write_text(HAPROXY_CONFIG.format(balancer=BALANCER_PORT, one=one, two=two))
    balancer = subprocess.Popen(["haproxy", "-f", str(config), "-db"])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{BALANCER_PORT}/healthz", timeout=5):
                return balancer
        except OSError:
            time.sleep(0.2)
    balancer.terminate()
    sys.exit("HAProxy did not answer within 15 seconds")


def measure_two_instances(environment: dict, details: dict, database_url: str) -> dict:
    """The same scenarios through HAProxy to two instances of WORKERS workers each, then the
    checks that they act as one service."""
    print(f"\n== two instances behind HAProxy on {BALANCER_PORT} (ports {INSTANCE_PORTS})")
    servers = [instances.start_instance(environment, port, WORKERS) for port in INSTANCE_PORTS]
    folder = Path(tempfile.mkdtemp(prefix="bench-haproxy-"))
    balancer = start_balancer(folder)
    try:
        results = {}
        for scenario in SCENARIOS:
            print(f"   {SCENARIOS[scenario]}: {SECONDS} s at {CONNECTIONS} connections")
            run_wrk(scenario, details[scenario], WARM_UP_SECONDS, BALANCER_PORT)
            results[scenario] = run_wrk(scenario, details[scenario], SECONDS, BALANCER_PORT)
        checks = details["two_instances"]
        one, two = INSTANCE_PORTS
        results["checks"] = {
            "no stale page": instances.change_shows_on_the_other_instance(
                one,
                two,
                session=checks["session"],
                capture_path=checks["capture_path"],
                progress_path=checks["progress_path"],
            )
            and instances.change_shows_on_the_other_instance(
                two,
                one,
                session=checks["session"],
                capture_path=checks["capture_path"],
                progress_path=checks["progress_path"],
            ),
            "rate limit on both": instances.rate_limit_counts_on_both(
                one,
                two,
                email=f"bench-{secrets.token_hex(4)}@bench.invalid",
                limit=checks["sign_in_link_rate"],
            ),
            "session on both": instances.session_holds_on_both(
                one, two, session=checks["session"], path=checks["signed_in_path"]
            ),
        }
    finally:
        balancer.terminate()
        balancer.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
        for server in servers:
            instances.stop_instance(server)
    return results


def two_instance_table(sizes: dict) -> str:
    one = sizes["full"]["scenarios"]
    two = sizes["full"]["two_instances"]
    header = (
        f"{'scenario (full data)':<38} {'1 inst req/s':>12} {'2 inst req/s':>12} {'2 / 1':>6} "
        f"{'errors':>6} {'p99 ms':>8}"
    )
    lines = [header, "-" * len(header)]
    for scenario, label in SCENARIOS.items():
        ratio = two[scenario]["requests_per_second"] / one[scenario]["requests_per_second"]
        lines.append(
            f"{label:<38} {one[scenario]['requests_per_second']:>12.1f} "
            f"{two[scenario]['requests_per_second']:>12.1f} {ratio:>6.2f} "
            f"{two[scenario]['errors']:>6} {two[scenario]['p99_ms']:>8.1f}"
        )
    checks = ", ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in two["checks"].items())
    lines.append(f"Two instances of {WORKERS} {WORKER_CLASS} workers behind HAProxy; {checks}")
    return "\n".join(lines)


def table(sizes: dict, load_before: str) -> str:
    header = (
        f"{'scenario':<38} {'size':<6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'errors':>6} {'queries':>7} {'x ceiling':>9} {'10x data':>8}"
    )
    lines = [header, "-" * len(header)]
    for scenario, label in SCENARIOS.items():
        for size, measured in sizes.items():
            figures = measured["scenarios"][scenario]
            slowdown = ""
            if size == "full":
                slowdown = f"{figures['slowdown_at_10x']:.2f}x"
            lines.append(
                f"{label:<38} {size:<6} {figures['requests_per_second']:>8.1f} "
                f"{figures['p50_ms']:>8.1f} {figures['p95_ms']:>8.1f} {figures['p99_ms']:>8.1f} "
                f"{figures['errors']:>6} {figures['queries']:>7} "
                f"{figures['ratio_to_ceiling']:>9.3f} {slowdown:>8}"
            )
    stored = ", ".join(
        f"{size} {m['scenarios']['capture']['requests']} answered, "
        f"{m['scenarios']['capture']['stored_submits']} stored"
        for size, m in sizes.items()
    )
    lines.append(f"Capture submits of the measured runs (stored ones include in-flight): {stored}")
    for size, measured in sizes.items():
        pack = measured["board_pack"]
        lines.append(
            f"Board pack of a body with {pack['owned_actions']} actions ({size} data, "
            f"{pack['actions_in_pack']} in the pack, {pack['pdf_pages']} PDF pages), in process: "
            f"page {pack['page_s']:.2f} s, PDF laid out {pack['pdf_s']:.2f} s, PDF served as "
            f"stored {pack['pdf_stored_s']:.2f} s, XLSX {pack['xlsx_s']:.2f} s (processor time "
            f"{pack['page_cpu_s']:.2f} s, {pack['pdf_cpu_s']:.2f} s, "
            f"{pack['pdf_stored_cpu_s']:.2f} s, {pack['xlsx_cpu_s']:.2f} s)"
        )
        figures = measured["suggestions"]
        lines.append(
            f"Suggestions, {size}: training (manage.py train_suggestions, as the job) "
            f"{figures['training_seconds']} s: {figures['training']}"
        )
        lines.append(
            f"Suggestions, {size}: suggesting for {figures['page']} notes "
            f"{figures['suggest_cpu_ms']} ms CPU, repeats among {figures['repeats_over']} notes "
            f"{figures['repeats_cpu_ms']} ms CPU (in process, uncached; pages then read both "
            "from the cache)"
        )
    memory = ", ".join(f"{size} {m['worker_peak_mib']} MiB" for size, m in sizes.items())
    lines.append(f"Peak memory of a gunicorn worker (VmHWM): {memory}")
    lines.append(
        f"gunicorn {WORKERS} {WORKER_CLASS} workers; wrk 2 threads, {CONNECTIONS} connections, "
        f"{SECONDS} s per scenario; load average before: {load_before}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    for program in ("wrk", "haproxy"):
        if shutil.which(program) is None:
            sys.exit(f"{program} is not installed: apt-get install -y {program}")
    load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    manage(
        {**os.environ, "DEBUG": "false", "SECRET_KEY": "collectstatic"},
        "collectstatic",
        "--no-input",
        "--verbosity=0",
    )
    sizes = {size: measure_size(size, scale) for size, scale in SIZES.items()}
    for scenario in SCENARIOS:
        full, tenth = (sizes[size]["scenarios"][scenario] for size in ("full", "tenth"))
        full["slowdown_at_10x"] = round(
            tenth["requests_per_second"] / full["requests_per_second"], 2
        )
    RESULTS_FILE.write_text(
        json.dumps({"load_average_before": load_before, "sizes": sizes}, indent=2)
    )
    print()
    print(table(sizes, load_before))
    print()
    print(two_instance_table(sizes))
    imported = sizes["full"]["import"]
    first, again = imported["first"], imported["again"]
    print(
        f"Import of {imported['rows']:,} rows (import_notes, full data): {first['seconds']} s "
        f"({first['start_to_end_seconds']} s with Python's start-up); the same file again added "
        f"none in {again['seconds']} s ({again['start_to_end_seconds']} s)"
    )
    print(f"Written to {RESULTS_FILE.name}")
    two = sizes["full"]["two_instances"]
    if not all(two["checks"].values()) or any(two[scenario]["errors"] for scenario in SCENARIOS):
        sys.exit("Two instances did not act as one service without errors: see above.")
