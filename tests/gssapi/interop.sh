#!/usr/bin/env bash
# GSSAPI against real libzmq, both directions, wrapped and plaintext, over
# a throwaway realm (realm.sh). The peer (peer.c) is one C program run on
# either library through LD_LIBRARY_PATH.
#
#   interop.sh OURS_DIR THEIRS_DIR
#
# OURS_DIR holds our libzmq.so.5 (built with the `gssapi` feature),
# THEIRS_DIR a libzmq.so.5 built with GSSAPI (ci.sh uses Debian's
# libzmq5, unpacked, not installed). Runs every pairing, the control
# (theirs with theirs) included; fails if any pairing with ours fails or
# the control does.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
ours=$(cd "${1:?OURS_DIR}" && pwd)
theirs=$(cd "${2:?THEIRS_DIR}" && pwd)

work=$(mktemp -d)
cleanup() { bash "$here/realm.sh" stop "$work/realm" || true; rm -rf "$work"; }
trap cleanup EXIT
eval "$(bash "$here/realm.sh" start "$work/realm")"

cc -O1 -o "$work/peer" "$here/peer.c" -I"$root/crates/zmq-capi/include" \
    -L"$ours" -l:libzmq.so.5 -lpthread

lib() { if [ "$1" = ours ]; then echo "$ours"; else echo "$theirs"; fi; }

# One pairing: server library, client library, plaintext (0/1), ZAP (0/1).
run() {
    local srv=$1 cli=$2 plain=$3 zap=$4 user=()
    [ "$zap" = 1 ] && user=("alice@ZMQTEST.LOCAL")
    local out="$work/server.out"
    # Emptied here, not by the redirection below: the loop must never read
    # the previous run's endpoint before the server's shell truncates it.
    : > "$out"
    LD_LIBRARY_PATH=$(lib "$srv") timeout 30 "$work/peer" server "$plain" "${user[@]}" > "$out" 2> "$work/server.err" &
    local spid=$!
    local endpoint=""
    for _ in $(seq 100); do
        endpoint=$(head -n1 "$out" 2>/dev/null || true)
        [ -n "$endpoint" ] && break
        sleep 0.05
    done
    local status=ok
    if [ -z "$endpoint" ] || ! LD_LIBRARY_PATH=$(lib "$cli") timeout 30 "$work/peer" client "$plain" "$endpoint" > "$work/client.out" 2> "$work/client.err"; then
        status=FAIL
    fi
    wait "$spid" || status=FAIL
    printf '%-7s server, %-7s client, plaintext=%s zap=%s: %s\n' "$srv" "$cli" "$plain" "$zap" "$status"
    if [ "$status" != ok ]; then
        sed 's/^/  server: /' "$work/server.err" "$out"
        sed 's/^/  client: /' "$work/client.err"
        return 1
    fi
}

failed=0
for plain in 0 1; do
    for zap in 0 1; do
        for pair in "theirs theirs" "ours theirs" "theirs ours" "ours ours"; do
            # shellcheck disable=SC2086
            run $pair "$plain" "$zap" || failed=1
        done
    done
done
exit $failed
