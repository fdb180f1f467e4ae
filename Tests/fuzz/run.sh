#!/usr/bin/env bash
# Builds the libFuzzer targets (swiftc -sanitize=fuzzer,address, each with just the sources it
# tests) and runs each for SECONDS. New inputs go to .build/fuzz/corpus/TARGET, crashes to
# .build/fuzz/TARGET-crash-*; the seeds in Tests/fuzz/corpus/TARGET are only read.
#
#   Tests/fuzz/run.sh [SECONDS] [TARGET...]      (default: 60 seconds, every target)
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(activation-link uid token smtp-reply)
core=Sources/AccountsCore
out=.build/fuzz
mkdir -p "$out"
# libFuzzer reports the crash and its stack itself; the Swift backtracer would only get in its way.
export SWIFT_BACKTRACE=enable=no

sources() {
    local activation=$core/Tokens flow=$core/Flows/Activation
    case $1 in
        activation-link) echo Tests/fuzz/ActivationLinkFuzz.swift $activation/ActivationLink.swift $activation/LinkTemplate.swift \
                              $activation/UIDCodec.swift $activation/Digits.swift $core/Common/AccountsError.swift \
                              $core/Common/Printable.swift $core/Common/UTCDateTime.swift ;;
        uid)             echo Tests/fuzz/UIDFuzz.swift $activation/UIDCodec.swift $activation/Digits.swift ;;
        token)           echo Tests/fuzz/TokenFuzz.swift $activation/TokenGenerator.swift $activation/TokenPurpose.swift $flow/ActivationPurpose.swift $activation/Base36.swift $activation/Digits.swift \
                              $activation/ZoneOffsets.swift $activation/TokenClock.swift $flow/ActivationWindow.swift \
                              $core/Crypto/HMACKey.swift $core/Crypto/OpenSSLCrypto.swift $core/Common/UTCDateTime.swift \
                              $core/Accounts/User.swift $core/Accounts/AccountState.swift ;;
        smtp-reply)      echo Tests/fuzz/SMTPReplyFuzz.swift $core/Mail/SMTP/SMTPReply.swift $core/Mail/SMTP/SMTPReplyReader.swift \
                              $core/Common/Printable.swift ;;
        *) echo "unknown fuzz target '$1' (activation-link, uid, token, smtp-reply)" >&2; exit 64 ;;
    esac
}

# Bigger than libFuzzer's default of 4096, so that overlong lines and 8 KB pasted links are tried.
max_len=10000
status=0
for target in "${targets[@]}"; do
    binary=$out/$target
    # shellcheck disable=SC2046 # word splitting of the source list is intended
    swiftc -swift-version 6 -O -g -parse-as-library -sanitize=fuzzer,address -use-ld=lld \
        -module-name Fuzz -I Sources/COpenSSL $(sources "$target") -o "$binary"
    mkdir -p "$out/corpus/$target"
    log=$out/$target.log
    if "$binary" -max_total_time="$seconds" -max_len=$max_len -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$out/$target-" "$out/corpus/$target" "Tests/fuzz/corpus/$target" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        echo "fuzz $target: ${seconds}s, $runs executions, corpus $(ls "$out/corpus/$target" | wc -l) inputs, no crash"
    else
        status=1
        echo "fuzz $target: FAILED, see $log:" >&2
        grep -E "ERROR|Fatal error|Precondition|artifact" "$log" | head -5 >&2
    fi
done
exit $status
