#!/usr/bin/env bash
# GSSAPI end to end, in one step of .ci/run (needs krb5-kdc,
# krb5-admin-server, krb5-user and libkrb5-dev):
#  1. our mechanism's tests over a throwaway realm (crates/zmq/tests/gssapi.rs,
#     the framing unit tests of zmq-mechanisms), with the `gssapi` feature;
#  2. libzmq 4.3.5's test_security_gssapi (from the conformance build, where
#     run.py skips it) on our libzmq.so.5 built with the feature, every case
#     must pass; the same binary on a libzmq built with GSSAPI is the
#     control, reported (Debian's libzmq5, unpacked into the cache, never
#     installed: our libzmq.so.5 is not shadowed);
#  3. options.c: every GSSAPI option set and read through the C ABI, the
#     output compared with that libzmq's;
#  4. interop.sh: GSSAPI clients and servers of ours against that libzmq,
#     both directions, wrapped and plaintext, with and without ZAP.
# The default build stays without GSSAPI (as the control libzmq of the
# other suites), so this builds zmq-capi with the feature on its own.
set -euo pipefail
# The features zmq and zmq-capi are built with here: this step's own, or
# (from .ci/run) every system-library feature at once, so that the three
# steps share one build.
features="${ZMQ_RS_SYSLIB_FEATURES:-gssapi}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
cache="${ZMQ_RS_CACHE:-$HOME/.cache/zmq-rs}"
# shellcheck source=../syslibs.sh
. "$root/tests/syslibs.sh"

echo "== GSSAPI: mechanism tests (realm per test binary)"
cargo test -p zmq-mechanisms --features gssapi --lib gssapi
cargo test -p zmq --features "$features" --test gssapi --test options --test option_table

echo "== GSSAPI: our libzmq.so.5 with the feature"
work=$(mktemp -d)
trap 'bash "$here/realm.sh" stop "$work/realm" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
ours_with_features "$work/ours"

# A libzmq built with GSSAPI for the control: Debian's libzmq5 (4.3.4,
# the same GSSAPI code as 4.3.5).
theirs=$(debian_libzmq5)

echo "== GSSAPI: the options through the C ABI, ours against libzmq"
cc -o "$work/options" "$here/options.c" -I"$root/crates/zmq-capi/include" -L"$work/ours" -l:libzmq.so.5
LD_LIBRARY_PATH="$theirs" "$work/options" > "$work/options.theirs"
LD_LIBRARY_PATH="$work/ours" "$work/options" > "$work/options.ours"
diff -u "$work/options.theirs" "$work/options.ours"
echo "same as libzmq ($(wc -l < "$work/options.ours") lines)"

echo "== GSSAPI: libzmq's test_security_gssapi"
build="$(bash "$root/tests/conformance/build_libzmq.sh")"
(
    eval "$(bash "$here/realm.sh" start "$work/realm")"
    mkdir -p "$work/run"
    cd "$work/run"
    test_bin="$build/bin/test_security_gssapi"
    echo "-- control (Debian libzmq5 with GSSAPI):"
    LD_LIBRARY_PATH="$theirs" timeout 120 "$test_bin" 2>&1 | grep -E ':(PASS|FAIL|IGNORE)' | sed 's/.*tests\///' || true
    echo "-- ours:"
    out=$(LD_LIBRARY_PATH="$work/ours" timeout 120 "$test_bin" 2>&1) || { echo "$out"; exit 1; }
    echo "$out" | grep -E ':(PASS|FAIL|IGNORE)' | sed 's/.*tests\///'
    # Every case must pass on ours (none ignored: the realm is set up).
    if echo "$out" | grep -Eq ':(FAIL|IGNORE)' || ! echo "$out" | grep -q '^5 Tests 0 Failures 0 Ignored'; then
        echo "test_security_gssapi: not every case passed on ours" >&2
        exit 1
    fi
)

echo "== GSSAPI: interop with libzmq"
bash "$here/interop.sh" "$work/ours" "$theirs"
