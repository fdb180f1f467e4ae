#!/usr/bin/env python3
"""PostgreSQL from Debian, in a directory of its own, for the test suite and `make bench`:
initdb into DIR/data, pg_ctl on a free loopback port with its socket in DIR/run, TLS with a
throw-away CA (DIR/ca.pem, a certificate for localhost and 127.0.0.1), and optionally PgBouncer in
transaction-pooling mode in front of it. The system's own cluster is never touched. As root (CI),
the servers run as the unprivileged `postgres` user (setpriv), as they refuse to run as root.

    postgres.py --dir DIR [--pgbouncer] [--durable]

Roles: `admin` (superuser, trusted on the socket only, for the tests' own SQL) and `accounts`
(password `accounts-pw`, SCRAM, on the socket and TCP). Prints

    READY <port> <socket-dir> <pgbouncer-port or 0>

then reads commands on standard input, one a line, answering "OK" (or "ERROR reason"):

    createdb NAME     a new empty database owned by accounts

and stops everything when its standard input closes, so that it never outlives the test or bench
that started it, also when that one fails or crashes. Without --durable, fsync is off (the tests
kill clients, never the server). Logs: DIR/postgres.log, DIR/pgbouncer/pgbouncer.log.
"""
import argparse
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--dir", required=True)
parser.add_argument("--pgbouncer", action="store_true")
parser.add_argument("--durable", action="store_true")
args = parser.parse_args()

D = os.path.abspath(args.dir)
PASSWORD = "accounts-pw"


def bin_dir():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise SystemExit("postgres.py: no PostgreSQL server (apt-get install postgresql)")
    return os.path.dirname(found[-1])


BIN = bin_dir()
as_root = os.getuid() == 0
owner = pwd.getpwnam("postgres") if as_root else pwd.getpwuid(os.getuid())


def run_as_owner(command, **kwargs):
    """`command` as the unprivileged owner of the cluster (root may not run PostgreSQL)."""
    if as_root:
        command = ["setpriv", "--reuid", str(owner.pw_uid), "--regid", str(owner.pw_gid), "--init-groups",
                   "--reset-env"] + command
    return subprocess.run(command, check=True, stdin=subprocess.DEVNULL, capture_output=True, text=True, **kwargs)


def start_as_owner(command, log):
    if as_root:
        command = ["setpriv", "--reuid", str(owner.pw_uid), "--regid", str(owner.pw_gid), "--init-groups",
                   "--reset-env"] + command
    return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, what, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise RuntimeError("timed out waiting for " + what)


def listening(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def psql(database, sql):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", RUN, "-p", str(PORT), "-U", "admin", "-d", database,
                    "-c", sql], check=True, stdin=subprocess.DEVNULL, capture_output=True, text=True)


def chown_tree(path):
    for root, dirs, files in os.walk(path):
        for name in [root] + [os.path.join(root, n) for n in dirs + files]:
            os.chown(name, owner.pw_uid, owner.pw_gid)


# The owner must be able to reach DIR.
parent = os.path.dirname(D)
while as_root and parent != "/":
    if os.stat(parent).st_mode & 0o001 == 0:
        raise SystemExit("postgres.py: %s is closed to other users; PostgreSQL cannot reach %s" % (parent, D))
    parent = os.path.dirname(parent)

DATA, RUN = os.path.join(D, "data"), os.path.join(D, "run")
os.makedirs(RUN, exist_ok=True)
os.makedirs(DATA, exist_ok=True)
os.chmod(DATA, 0o700)
if as_root:
    os.chown(D, owner.pw_uid, owner.pw_gid)
    chown_tree(D)

# A throw-away CA, and a certificate for localhost from it (sslmode=verify-full checks the name).
subprocess.run(["sh", "-ec", """
    cd "$1"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=accounts test PostgreSQL CA"
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost"
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile server.ext
    """, "sh", D], check=True, stdin=subprocess.DEVNULL, capture_output=True)
os.chmod(os.path.join(D, "ca.pem"), 0o644)

PORT = free_port()
run_as_owner([os.path.join(BIN, "initdb"), "-D", DATA, "-U", "admin", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
              "--auth-local=trust", "--auth-host=scram-sha-256"])
for name in ["server.crt", "server.key"]:
    shutil.copy(os.path.join(D, name), os.path.join(DATA, name))
    os.chmod(os.path.join(DATA, name), 0o600)
    if as_root:
        os.chown(os.path.join(DATA, name), owner.pw_uid, owner.pw_gid)
with open(os.path.join(DATA, "pg_hba.conf"), "w") as hba:
    hba.write("local all admin trust\n"
              "local all all scram-sha-256\n"
              "host all all 127.0.0.1/32 scram-sha-256\n")
settings = {
    "port": str(PORT),
    "listen_addresses": "'127.0.0.1'",
    "unix_socket_directories": "'%s'" % RUN,
    "ssl": "on",
    "ssl_cert_file": "'server.crt'",
    "ssl_key_file": "'server.key'",
    "max_connections": "200",
    "password_encryption": "'scram-sha-256'",
}
if not args.durable:
    settings.update({"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"})
with open(os.path.join(DATA, "postgresql.conf"), "a") as conf:
    conf.write("\n# postgres.py\n" + "".join("%s = %s\n" % item for item in settings.items()))

LOG = os.path.join(D, "postgres.log")
open(LOG, "a").close()
if as_root:
    os.chown(LOG, owner.pw_uid, owner.pw_gid)
bouncer = None
try:
    run_as_owner([os.path.join(BIN, "pg_ctl"), "-D", DATA, "-l", LOG, "-w", "-t", "60", "start"])
    psql("postgres", "CREATE ROLE accounts LOGIN PASSWORD '%s'" % PASSWORD)
    psql("postgres", "CREATE DATABASE accounts OWNER accounts")

    bouncer_port = 0
    if args.pgbouncer:
        B = os.path.join(D, "pgbouncer")
        os.makedirs(B, exist_ok=True)
        bouncer_port = free_port()
        with open(os.path.join(B, "userlist.txt"), "w") as users:
            users.write('"accounts" "%s"\n' % PASSWORD)
        with open(os.path.join(B, "pgbouncer.ini"), "w") as ini:
            ini.write("[databases]\n* = host=%s port=%d\n\n[pgbouncer]\n" % (RUN, PORT)
                      + "listen_addr = 127.0.0.1\nlisten_port = %d\nunix_socket_dir =\n" % bouncer_port
                      + "auth_type = scram-sha-256\nauth_file = %s/userlist.txt\n" % B
                      + "pool_mode = transaction\nmax_client_conn = 400\ndefault_pool_size = 10\n"
                      + "logfile = %s/pgbouncer.log\npidfile = %s/pgbouncer.pid\n" % (B, B))
        os.chmod(os.path.join(B, "userlist.txt"), 0o600)
        if as_root:
            chown_tree(B)
        bouncer = start_as_owner([shutil.which("pgbouncer") or "/usr/sbin/pgbouncer", os.path.join(B, "pgbouncer.ini")], open(os.path.join(B, "stderr.log"), "w"))
        wait_for(lambda: listening(bouncer_port), "PgBouncer listening")

    print("READY %d %s %d" % (PORT, RUN, bouncer_port), flush=True)
    for line in sys.stdin:
        command = line.strip().split(" ", 1)
        try:
            if command[0] == "createdb" and len(command) == 2 and command[1].replace("_", "").isalnum():
                psql("postgres", "CREATE DATABASE %s OWNER accounts" % command[1])
            else:
                raise RuntimeError("unknown command " + line.strip())
            print("OK", flush=True)
        except Exception as error:  # a failed command is the caller's to report
            detail = getattr(error, "stderr", "") or ""
            print("ERROR %s %s" % (error, detail.strip().replace("\n", " ")), flush=True)
finally:
    if bouncer is not None:
        bouncer.terminate()
        try:
            bouncer.wait(10)
        except subprocess.TimeoutExpired:
            bouncer.kill()
    try:
        run_as_owner([os.path.join(BIN, "pg_ctl"), "-D", DATA, "-m", "immediate", "-w", "stop"])
    except subprocess.CalledProcessError:
        pass
    shutil.rmtree(D, ignore_errors=True)
