#!/usr/bin/env bash
# What CI checks of the Debian package (as root, on a machine it may change): installs it with
# dpkg -i, checks its units with systemd-analyze verify, runs the demo's flow with the installed
# binaries as the package's user (serve included), removes and purges it, and checks that the
# data stayed; then walks docs/getting-started.md (Tests/docs/getting_started.py). Leaves the
# machine as it found it.
#
#   scripts/check-deb.sh .build/deb/accounts_VERSION_amd64.deb
set -euo pipefail
deb=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "check-deb: run as root (it installs a package)" >&2; exit 77; }
fail() { echo "check-deb: $*" >&2; exit 1; }
cleanup() {
    [ -n "${serve:-}" ] && kill "$serve" 2>/dev/null || true
    dpkg -P accounts >/dev/null 2>&1 || true
    rm -rf /var/lib/accounts
    if getent passwd accounts >/dev/null; then deluser --system accounts >/dev/null 2>&1 || true; fi
    if getent group accounts >/dev/null; then delgroup --system accounts >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
cleanup

echo "check-deb: installing $deb"
dpkg -i "$deb"
[ -x /usr/bin/accounts ] && [ -x /usr/libexec/accounts/accounts-serve ] || fail "the executables are not where the package puts them"
getent passwd accounts >/dev/null || fail "no accounts user"
[ "$(stat -c '%a %U' /var/lib/accounts)" = "700 accounts" ] || fail "/var/lib/accounts is $(stat -c '%a %U' /var/lib/accounts)"
[ "$(stat -c '%a %U' /var/lib/accounts/secrets.json)" = "600 accounts" ] || fail "secrets.json is $(stat -c '%a %U' /var/lib/accounts/secrets.json)"
[ "$(stat -c '%a %U' /var/lib/accounts/accounts.sqlite3)" = "600 accounts" ] || fail "the database is $(stat -c '%a %U' /var/lib/accounts/accounts.sqlite3)"
man -w accounts >/dev/null || fail "no man page"

echo "check-deb: systemd-analyze verify"
systemd-analyze verify /lib/systemd/system/accounts-serve.service /lib/systemd/system/accounts-purge.service \
    /lib/systemd/system/accounts-purge.timer /lib/systemd/system/accounts-outbox-retry.service \
    /lib/systemd/system/accounts-outbox-retry.timer

echo "check-deb: the demo's flow, as the accounts user, with /etc/accounts/settings.json"
# setpriv execs the command itself (runuser would wait as its parent and not pass on a kill).
as() { setpriv --reuid=accounts --regid=accounts --init-groups --reset-env -- "$@"; }
cd /tmp
url=$(as accounts register hong hong@example.com)
[ -n "$(ls /var/lib/accounts/outbox)" ] || fail "no mail in /var/lib/accounts/outbox"
as accounts activate "$url"
as accounts list --format csv | grep -q '^1,hong,hong@example.com,active,' || fail "hong is not active"
as accounts purge-expired --dry-run --quiet
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as accounts serve --listen "127.0.0.1:$port" --quiet 2>/dev/null &
serve=$!
for _ in $(seq 100); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=1)" 2>/dev/null && break
    sleep 0.1
done
python3 -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=5).status != 200)" \
    || fail "accounts serve (/usr/libexec/accounts/accounts-serve) did not answer /healthz"
kill "$serve"; wait "$serve" || true; serve=""

echo "check-deb: remove, then purge: the data stays"
dpkg -r accounts
[ ! -e /usr/bin/accounts ] || fail "/usr/bin/accounts is still there after remove"
[ -f /var/lib/accounts/accounts.sqlite3 ] && [ -f /var/lib/accounts/secrets.json ] || fail "remove took the data"
[ -f /etc/accounts/settings.json ] || fail "remove took the settings (a conffile stays until purge)"
dpkg -P accounts
[ ! -e /etc/accounts/settings.json ] || fail "purge left /etc/accounts/settings.json"
[ -f /var/lib/accounts/accounts.sqlite3 ] || fail "purge took the data"

# docs/getting-started.md, as a newcomer follows it: the page's own commands (it builds and
# installs this package again), the rest as an ordinary user in an empty home. The trap
# removes what it installed.
echo "check-deb: docs/getting-started.md, walked"
cleanup
cd "$repo"
Tests/docs/getting_started.py --repo "$repo"
echo "check-deb: ok"
