#!/usr/bin/env bash
# Installs, from Debian, what `make build` and `make test` need and are missing: the C libraries
# the tool links (OpenSSL 3, SQLite) and the real servers the test suite starts in directories of
# its own (Postfix with Dovecot for SASL). The system's own Postfix and Dovecot are never used:
# Postfix is installed unconfigured, and a Dovecot that its package started is stopped.
#
#   scripts/install-deps.sh          (root, or a user with sudo)
set -euo pipefail

packages=(libssl-dev libsqlite3-dev sqlite3 pkg-config openssl python3 python3-venv postfix dovecot-core bsdutils)
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
$sudo apt-get install -y --no-install-recommends "${missing[@]}"
if command -v systemctl >/dev/null && systemctl is-active --quiet dovecot 2>/dev/null; then
    $sudo systemctl disable --now dovecot
fi
