"""The serve section of bench/run.py: wrk (Debian) at 64 connections against `accounts serve` and
against the POST-confirm Django view of docs/django.md under gunicorn (workers = cores), on the
same SQLite database: the GET confirm page and the POST that activates, fresh links each.
Also the CLI's cold start (list on an empty database) with and without the server linked in.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

from run import HERE, run_process, timed  # noqa: F401  (bench/run.py's helpers)

CONNECTIONS = 64
SECONDS = 5


def free_port():
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url, process, what):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"bench: {what} exited at start")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except Exception:
            time.sleep(0.1)
    sys.exit(f"bench: {what} did not answer {url}")


def wrk(port, links_file, method, shape):
    """(successful requests/s, p99 ms, non-2xx responses)."""
    threads = 2
    env = dict(os.environ, LINKS=links_file, METHOD=method, SHAPE=shape, THREADS=str(threads))
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency",
                          "-s", os.path.join(HERE, "links.lua"), f"http://127.0.0.1:{port}"],
                         env=env, capture_output=True, text=True, check=True).stdout
    requests, seconds = re.search(r"(\d+) requests in ([\d.]+)s", out).groups()
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    bad = int(re.search(r"NON2XX (\d+)", out).group(1))
    return (int(requests) - bad) / float(seconds), p99, bad


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run(options, accounts, work, report):
    if not shutil.which("wrk"):
        sys.exit("bench: wrk is not installed (make deps installs it)")
    directory = os.path.join(work, "serve")
    os.mkdir(directory)
    database = os.path.join(directory, "accounts.sqlite3")
    secrets = os.path.join(directory, "secrets.json")
    run_process([accounts, "init", "-q", "--database", database, "--secrets", secrets])
    count = 40_000
    print(f"(registering {count:,} accounts never activated, and Django making their links)", flush=True)
    run_process(["sqlite3", database, f"""
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
        INSERT INTO users (user_id, email, password, is_active, level, department, date_joined, activation_sent_at)
        SELECT 'web' || i, 'web' || i || '@example.com', '!' || hex(randomblob(20)), 0, '2', 'dept',
               strftime('%Y-%m-%d %H:%M:%f000', 'now'), strftime('%Y-%m-%d %H:%M:%f000', 'now') FROM n;
        PRAGMA wal_checkpoint(TRUNCATE);
        """])
    with open(secrets) as file:
        secret_key = json.load(file)["SECRET_KEY"]
    links = subprocess.run([options.python, os.path.join(HERE, "django_side.py"), "links", database, secret_key],
                           capture_output=True, text=True, check=True).stdout.split()
    files = {}
    for name, part in (("all", links), ("ours", links[: count // 2]), ("django", links[count // 2:])):
        files[name] = os.path.join(directory, f"links-{name}.txt")
        with open(files[name], "w") as file:
            file.write("\n".join(part) + "\n")

    ours_port, django_port = free_port(), free_port()
    ours = subprocess.Popen([accounts, "serve", "--listen", f"127.0.0.1:{ours_port}", "--database", database, "--secrets", secrets,
                             "--posts-per-minute", "1000000"],  # the bench is one client
                            cwd=directory, stdout=subprocess.DEVNULL, stderr=open(os.path.join(directory, "serve.log"), "w"))
    workers = os.cpu_count() or 2
    django = subprocess.Popen([options.python, "-m", "gunicorn", "--chdir", HERE, "--workers", str(workers), "--bind",
                               f"127.0.0.1:{django_port}", "--log-level", "warning", "django_wsgi:application"],
                              env=dict(os.environ, BENCH_DATABASE=database, BENCH_SECRET_KEY=secret_key),
                              stdout=subprocess.DEVNULL, stderr=open(os.path.join(directory, "gunicorn.log"), "w"))
    try:
        wait_until_up(f"http://127.0.0.1:{ours_port}/healthz", ours, "accounts serve")
        wait_until_up(f"http://127.0.0.1:{django_port}/users/activate/{links[0]}/", django, "gunicorn")
        for case, method, ours_links, django_links in (("GET confirm page", "GET", "all", "all"),
                                                        ("POST activate", "POST", "ours", "django")):
            our_rate, our_p99, our_bad = wrk(ours_port, files[ours_links], method, "accounts")
            their_rate, their_p99, their_bad = wrk(django_port, files[django_links], method, "django")
            note = f"{CONNECTIONS} connections, {SECONDS} s; non-2xx: ours {our_bad}, Django {their_bad}"
            if method == "GET":
                met = our_rate >= 5 * their_rate and our_p99 <= 10
                report.add(f"serve {case}", our_rate, their_rate, f"Django+gunicorn x{workers}", our_rate / their_rate,
                           ">= 5x, p99 <= 10 ms", met, "requests/s", note)
            else:
                report.add(f"serve {case}", our_rate, their_rate, f"Django+gunicorn x{workers}", our_rate / their_rate,
                           "(reported)", None, "requests/s", note)
            report.add(f"  p99 latency, {case}", our_p99, their_p99, f"Django+gunicorn x{workers}", our_p99 / their_p99,
                       "<= 10 ms" if method == "GET" else "(reported)", our_p99 <= 10 if method == "GET" else None, "ms")
            if our_bad or (method == "GET" and their_bad):
                sys.exit(f"bench: {case}: unexpected non-2xx answers (ours {our_bad}, Django {their_bad})")
    finally:
        stop(ours)
        stop(django)

    metrics_under_load(options, accounts, directory, report)

    # Cold start: what linking the server in costs every other command.
    if options.accounts_before:
        cold_start(options, accounts, directory, secrets, report)


def metrics_under_load(options, accounts, directory, report):
    """A page's latency while four scrapers read /metrics in a loop, on options.rows accounts
    with three audit entries each, against the same page with nobody scraping: /metrics reads on
    a thread and a connection of its own, so the pages should not notice (issue 21)."""
    import threading
    import urllib.request

    rows = options.rows
    database = os.path.join(directory, "big.sqlite3")
    secrets = os.path.join(directory, "big-secrets.json")
    run_process([accounts, "init", "-q", "--database", database, "--secrets", secrets])
    print(f"(metrics under load: {rows:,} accounts, {3 * rows:,} audit entries)", flush=True)
    run_process(["sqlite3", database, f"""
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
        INSERT INTO users (user_id, email, password, is_active, date_joined, activated_at)
        SELECT 'big' || i, 'big' || i || '@example.com', '!x', i % 2, '2026-01-01 00:00:00.000000',
               CASE WHEN i % 2 = 1 THEN '2026-01-02 00:00:00.000000' END FROM n;
        INSERT INTO audit_log (at, os_user, action, account_id, user_id, outcome, detail)
            SELECT '2026-01-01 00:00:00.000000', 'bench', 'register', id, user_id, 'ok', '' FROM users;
        INSERT INTO audit_log (at, os_user, action, account_id, user_id, outcome, detail)
            SELECT '2026-01-01 00:00:00.000000', 'bench', 'send-activation', id, user_id, 'ok', '' FROM users;
        INSERT INTO audit_log (at, os_user, action, account_id, user_id, outcome, detail)
            SELECT '2026-01-02 00:00:00.000000', 'bench', 'activate', id, user_id, 'ok', '' FROM users WHERE is_active = 1;
        PRAGMA wal_checkpoint(TRUNCATE);
        """])
    url = subprocess.run([accounts, "register", "page", "page@example.com", "--no-send", "--database", database, "--secrets", secrets],
                         capture_output=True, text=True, check=True, cwd=directory).stdout.strip()
    link = re.sub(r"^https?://[^/]+/users/activate/", "", url).rstrip("/")
    links = os.path.join(directory, "big-link.txt")
    with open(links, "w") as file:
        file.write(link + "\n")
    reading, _ = timed([accounts, "stats", "--format", "prometheus", "--database", database, "--secrets", secrets], 1, cwd=directory)
    measured = {}
    for max_age in ("15", "0"):
        port = free_port()
        server = subprocess.Popen([accounts, "serve", "--listen", f"127.0.0.1:{port}", "--database", database, "--secrets", secrets,
                                   "--metrics-max-age", max_age],
                                  cwd=directory, stdout=subprocess.DEVNULL, stderr=open(os.path.join(directory, "big-serve.log"), "w"))
        stop_scraping = threading.Event()
        scrapes = []

        def scrape():
            while not stop_scraping.is_set():
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=600) as answer:
                    answer.read()
                scrapes.append(1)

        try:
            wait_until_up(f"http://127.0.0.1:{port}/healthz", server, "accounts serve")
            global CONNECTIONS
            saved, CONNECTIONS = CONNECTIONS, 8
            try:
                quiet = wrk(port, links, "GET", "accounts")
                scrapers = [threading.Thread(target=scrape) for _ in range(4)]
                for scraper in scrapers:
                    scraper.start()
                time.sleep(0.5)
                busy = wrk(port, links, "GET", "accounts")
                stop_scraping.set()
                for scraper in scrapers:
                    scraper.join(600)
            finally:
                CONNECTIONS = saved
        finally:
            stop_scraping.set()
            stop(server)
        measured[max_age] = (quiet, busy, len(scrapes))
    # The bound that matters is the pages' own latency target: scrapers in a loop are extra
    # requests to answer (thousands a second when cached), but no page waits for a reading.
    for max_age in ("15", "0"):
        target = "p99 <= 10 ms"
        (quiet_rate, quiet_p99, _), (busy_rate, busy_p99, bad), readings = measured[max_age]
        note = (f"{rows:,} accounts; 8 connections, {SECONDS} s; 4 scrapers, --metrics-max-age {max_age}; one reading {reading:.2f} s, "
                f"{readings} scrapes while measured; non-2xx {bad}")
        report.add(f"serve GET p99 while /metrics is scraped (max age {max_age} s)", busy_p99, quiet_p99, "nobody scraping",
                   busy_p99 / quiet_p99, target, busy_p99 <= 10, "ms", note)
        report.add("  requests/s meanwhile", busy_rate, quiet_rate, "nobody scraping", busy_rate / quiet_rate, "(reported)", None,
                   "requests/s", "with max age 0 the readings take one of the two cores" if max_age == "0" else "")


def cold_start(options, accounts, directory, secrets, report):
    """`list` on an empty database by the binary without serve and with it: wall time, alternating
    one run of each 60 times (this machine's minutes differ more than the binaries), and the
    instructions callgrind counts, which do not depend on the machine's mood."""
    import statistics

    empty = os.path.join(directory, "empty.sqlite3")
    run_process([accounts, "init", "-q", "--database", empty, "--secrets", secrets + ".2"])
    command = ["list", "--state", "pending", "--format", "json", "--database", empty]
    before_binary = os.path.abspath(options.accounts_before)
    times = {before_binary: [], accounts: []}
    for _ in range(60):
        for binary in times:
            times[binary].append(run_process([binary] + command, cwd=directory)[0])
    before, after = (statistics.median(times[b]) for b in (before_binary, accounts))
    report.add("cold start: list, empty DB (with serve)", after * 1000, before * 1000, "without serve", after / before,
               "within noise (<= 1.1x)", after <= before * 1.1, "ms (median of 60, alternating)")
    if shutil.which("valgrind"):
        counts = []
        for binary in (before_binary, accounts):
            stripped = os.path.join(directory, "stripped-" + str(len(counts)))
            run_process(["strip", "--strip-debug", "-o", stripped, binary])  # valgrind cannot read Swift's debug info
            out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", stripped] + command,
                                 cwd=directory, capture_output=True, text=True).stderr
            counts.append(int(re.search(r"Collected : (\d+)", out).group(1)))
        report.add("  instructions of that process (callgrind)", counts[1], counts[0], "without serve", counts[1] / counts[0],
                   "(reported)", None, "instructions",
                   "the runtime's protocol-conformance scans grow with the conformance records linked in")
