#!/usr/bin/env bash
# The shell completions and the man page, generated from the ArgumentParser definitions, into
# DIR: accounts.bash, _accounts, accounts.fish, accounts.1. Used by `make share` (and so
# `make install`) and by the Debian package (debian/rules).
#
#   scripts/share.sh DIR ACCOUNTS GENERATE_MANUAL
set -euo pipefail
out=$1 accounts=$2 manual=$3
mkdir -p "$out"
# bash-completion sources the file; a #! line would only be noise there (lintian says so too).
"$accounts" --generate-completion-script bash | sed '1{/^#!/d}' > "$out/accounts.bash"
"$accounts" --generate-completion-script zsh > "$out/_accounts"
"$accounts" --generate-completion-script fish > "$out/accounts.fish"
"$manual" "$accounts" --output-directory "$out" --authors "the accounts developers"
# A blank line between paragraphs of a discussion is an "empty input line" to groff (mdoc wants
# .Pp): `man --warnings` and lintian say so, once for each.
sed -i 's/^$/.Pp/' "$out/accounts.1"
# And groff, with every warning on, has nothing to say about it.
if command -v groff >/dev/null; then
    warnings=$(groff -ww -z -mandoc -Tutf8 "$out/accounts.1" 2>&1)
    [ -z "$warnings" ] || { echo "share.sh: groff -ww on accounts.1: $warnings" >&2; exit 1; }
fi
