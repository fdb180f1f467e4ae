"""The PostgreSQL cases of `make bench` (bench/run.py): the same data as the SQLite cases, on a
durable server of the bench's own (Tests/postgres/postgres.py: initdb in a temporary directory,
fsync on), against psql, COPY and Django's ORM on the same server."""
import datetime
import glob
import json
import os
import statistics
import subprocess
import sys

from run import HERE, registrations_during, run_process, timed

PASSWORD = "accounts-pw"  # the test server's application role (Tests/postgres/postgres.py)
WINDOW = "coalesce(activation_sent_at, date_joined)"
NEVER_ACTIVATED = "NOT is_active AND last_login IS NULL AND activated_at IS NULL"


class Server:
    def __init__(self, python, directory):
        self.process = subprocess.Popen([python, os.path.join(HERE, "..", "Tests", "postgres", "postgres.py"),
                                         "--dir", directory, "--durable"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ready = self.process.stdout.readline().split()
        if len(ready) != 4 or ready[0] != "READY":
            self.stop()
            sys.exit(f"bench: PostgreSQL did not start ({ready}); see {directory}/postgres.log")
        self.port, self.socket = ready[1], ready[2]

    def uri(self, database):
        return f"postgresql://accounts@127.0.0.1:{self.port}/{database}"

    def psql(self, database, *statements, stdout=subprocess.DEVNULL):
        """The administrator's psql on the socket, one -c a statement (each its own transaction)."""
        arguments = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.socket, "-p", self.port, "-U", "admin", "-d", database]
        for statement in statements:
            arguments += ["-c", statement]
        return arguments

    def admin(self, database, *statements):
        return run_process(self.psql(database, *statements))[0]

    def copy_of(self, template, name):
        """A fresh copy of a database, by files (fast; the template must have no connections)."""
        self.admin("postgres", f"DROP DATABASE IF EXISTS {name}",
                   f"CREATE DATABASE {name} TEMPLATE {template} OWNER accounts STRATEGY file_copy")

    def stop(self):
        self.process.stdin.close()
        self.process.wait(120)


def available():
    return bool(glob.glob("/usr/lib/postgresql/*/bin/initdb"))


def run(options, accounts, work, report):
    if not available():
        report.add("PostgreSQL cases", None, None, "", None, "", None, "", "skipped: no PostgreSQL server (make deps installs it)")
        return
    os.chmod(work, 0o755)  # the server runs as postgres when the bench runs as root
    os.environ["PGPASSWORD"] = PASSWORD  # libpq's own variable: accounts, psql and Django read it
    server = Server(options.python, os.path.join(work, "postgresql"))
    try:
        secrets = os.path.join(work, "pg-secrets.json")
        big_table(options, accounts, server, secrets, report)
        registrations(options, accounts, server, work, report)
    finally:
        server.stop()


def big_table(options, accounts, server, secrets, report):
    rows = options.rows
    stale = rows // 4
    server.admin("postgres", "CREATE DATABASE big OWNER accounts")
    run_process([accounts, "init", "-q", "--database", server.uri("big"), "--secrets", secrets])
    print(f"(making a PostgreSQL table of {rows:,} users)", flush=True)
    # The SQLite cases' data: a quarter never activated and stale, a quarter pending, half active.
    server.admin("big", f"""
        INSERT INTO users (user_id, email, password, is_active, level, department, date_joined,
                           last_login, activation_sent_at, activated_at)
        SELECT 'user' || i, 'user' || i || '@example.com', '!' || md5(random()::text), i % 4 IN (1, 2), '2',
               'dept' || (i % 50),
               CASE i % 4 WHEN 3 THEN now() ELSE timestamptz '2020-01-01 00:00:00Z' END,
               CASE WHEN i % 4 IN (1, 2) THEN timestamptz '2020-01-03 00:00:00Z' END,
               CASE i % 4 WHEN 3 THEN NULL ELSE timestamptz '2020-01-02 00:00:00Z' END,
               CASE WHEN i % 4 IN (1, 2) THEN timestamptz '2020-01-03 00:00:00Z' END
        FROM generate_series(1, {rows}) i
        """, "VACUUM ANALYZE users", "CHECKPOINT")

    def fresh():
        server.copy_of("big", "copy")

    # purge-expired against psql running the same DELETE, once bare and once archiving the rows
    # as accounts does (every purged row is kept in purged_users, for `restore`).
    fresh()
    _, _, out = run_process([accounts, "purge-expired", "--format", "json", "--database", server.uri("copy")], stdout=subprocess.PIPE)
    assert json.loads(out)["purged"] == stale, out
    ours, _ = timed([accounts, "purge-expired", "-q", "--database", server.uri("copy")], 3, prepare=fresh)
    expired = f"{NEVER_ACTIVATED} AND {WINDOW} < now() - interval '3 days'"
    bare, _ = timed(server.psql("copy", f"DELETE FROM users WHERE {expired}"), 3, prepare=fresh)
    archiving, _ = timed(server.psql("copy", f"""
        WITH doomed AS (DELETE FROM users WHERE {expired} RETURNING *)
        INSERT INTO purged_users (id, user_id, email, password, is_active, level, department, date_joined,
                                  last_login, activation_sent_at, activated_at, purged_at, audit_id)
        SELECT id, user_id, email, password, is_active, level, department, date_joined,
               last_login, activation_sent_at, activated_at, now(), NULL FROM doomed
        """), 3, prepare=fresh)
    name = f"PG purge-expired, {rows:,} users, {stale:,} stale"
    report.add(name, ours, archiving, "psql DELETE+archive", ours / archiving, "<= 2x psql, batching included",
               ours / archiving <= 2, "s", "batches of 1,000, each its own transaction; psql runs one statement")
    report.add("  same, against a bare DELETE", ours, bare, "psql DELETE", ours / bare, "", None, "s",
               "a bare DELETE only marks rows dead; accounts also writes each row into purged_users")

    # The longest a registration waits while that purge runs (a site keeps signing people up).
    fresh()
    waits, purge_seconds = registrations_during(accounts, server.uri("copy"), secrets,
                                                [accounts, "purge-expired", "-q", "--database", server.uri("copy")])
    typical = statistics.median(waits)
    report.add("  longest registration during that purge", max(waits), typical, "median registration", max(waits) / typical,
               "no registration waits for the purge", max(waits) < purge_seconds / 2, "s",
               f"{len(waits)} registrations (whole processes) during a {purge_seconds:.1f} s purge")

    # list --format json of every user against COPY of row_to_json: flat memory.
    ours, peak = timed([accounts, "list", "--format", "json", "--database", server.uri("big")], 3)
    raw, _ = timed(server.psql("big", "COPY (SELECT row_to_json(u) FROM users u) TO STDOUT"), 3)
    report.add(f"PG list --format json, {rows:,} users", ours, raw, "psql COPY row_to_json", ours / raw, "<= 2x psql",
               ours / raw <= 2, "s")
    report.add("  peak RSS of that process", peak, None, "", None, "< 50 MiB (flat)", peak < 50, "MiB")

    # export, then import into an empty database (COPY).
    export = os.path.join(os.path.dirname(secrets), "export.jsonl")
    seconds, _, _ = run_process([accounts, "export", "-q", "-o", export, "--database", server.uri("big")])
    report.add(f"PG export, {rows:,} users", rows / seconds, None, "", None, "", None, "users per s")
    times = []
    for attempt in range(2):
        server.admin("postgres", "DROP DATABASE IF EXISTS imported", "CREATE DATABASE imported OWNER accounts")
        run_process([accounts, "init", "-q", "--database", server.uri("imported"), "--secrets", secrets])
        times.append(run_process([accounts, "import", "-q", export, "--database", server.uri("imported")])[0])
    os.remove(export)
    rate = rows / statistics.median(times)
    report.add(f"PG import, {rows:,} users (COPY)", rate, None, "", None, ">= 100,000 users per s", rate >= 100_000, "users per s",
               "the whole file: users, audit log, archive, outbox; then the id sequences")


def registrations(options, accounts, server, work, report):
    directory = os.path.join(work, "pg-register")
    os.mkdir(directory)
    count = 10_000
    with open(os.path.join(directory, "class.csv"), "w") as file:
        file.write("user_id,email\n" + "".join(f"bulk{i},bulk{i}@example.com\n" for i in range(count)))
    secrets = os.path.join(directory, "secrets.json")
    times = []
    for attempt in range(3):
        name = f"register{attempt}"
        server.admin("postgres", f"CREATE DATABASE {name} OWNER accounts")
        run_process([accounts, "init", "-q", "--database", server.uri(name), "--secrets", secrets])
        times.append(run_process([accounts, "register", "--from-csv", "class.csv", "--no-send", "-q",
                                  "--database", server.uri(name)], cwd=directory)[0])
    ours = count / statistics.median(times)
    server.admin("postgres", "CREATE DATABASE django OWNER accounts")
    run_process([accounts, "init", "-q", "--database", server.uri("django"), "--secrets", secrets])
    django = float(run_process([options.python, os.path.join(HERE, "django_side.py"), "bulk", server.uri("django"), str(count)],
                               stdout=subprocess.PIPE)[2])
    report.add(f"PG register --from-csv --no-send, {count:,}", ours, django, "Django bulk_create", ours / django,
               ">= 3x Django", ours / django >= 3, "per s",
               "whole process, checking every row and writing an audit entry per account; Django's time is bulk_create alone")
