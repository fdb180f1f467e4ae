#!/usr/bin/env bash
# Installs, from Debian, what `make build` (build) or `make test` (test) need and are missing: the
# C libraries the tool links (OpenSSL 3, SQLite, libpq), and for the tests the real servers the test suite starts in
# directories of its own (Postfix with Dovecot for SASL, PostgreSQL, PgBouncer), the browser that
# `serve`'s tests drive (headless Chromium, its driver, a Korean font), and wrk for the bench. The system's own
# instances are never used: Postfix is installed unconfigured, PostgreSQL without a cluster, and
# a Dovecot or PgBouncer that its package started is stopped.
#
#   scripts/install-deps.sh build    the build's only: the C libraries' -dev packages, pkg-config
#   scripts/install-deps.sh test     and everything the tests and the bench use
#   scripts/install-deps.sh deb      and what `make deb` builds and checks the package with
#   (root, or a user with sudo)
set -euo pipefail

build=(libssl-dev libsqlite3-dev libpq-dev pkg-config)
deb=(debhelper dpkg-dev lintian systemd adduser libpq5)
test=(sqlite3 openssl python3 python3-venv postfix dovecot-core bsdutils postgresql postgresql-client pgbouncer util-linux
      chromium chromium-driver fonts-nanum wrk time)
case "${1:-test}" in
    build) packages=("${build[@]}") ;;
    test) packages=("${build[@]}" "${test[@]}") ;;
    deb) packages=("${build[@]}" "${deb[@]}") ;;
    *) echo "usage: $0 build|test|deb" >&2; exit 64 ;;
esac
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "installing ${missing[*]} (apt)"
export DEBIAN_FRONTEND=noninteractive
# Postfix without a system configuration: the tests write their own, in a temporary directory.
echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
$sudo apt-get update
# PostgreSQL without the "main" cluster its package would create and start: the tests run
# initdb in a temporary directory of their own.
if [[ " ${missing[*]} " == *" postgresql "* ]]; then
    $sudo apt-get install -y --no-install-recommends postgresql-common
    $sudo sed -i 's/^#\?\s*create_main_cluster\s*=.*/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf
fi
$sudo apt-get install -y --no-install-recommends "${missing[@]}"
for service in dovecot pgbouncer; do
    if command -v systemctl >/dev/null && systemctl is-active --quiet "$service" 2>/dev/null; then
        $sudo systemctl disable --now "$service"
    fi
done
