#!/usr/bin/env bash
# norm PUB → SUB against a libzmq built with NORM (Debian's libzmq5),
# both directions, the control (theirs with theirs) and ours with ours,
# inside a network namespace of its own (multicast on the loopback).
#
#   interop.sh OURS_DIR THEIRS_DIR
#
# Each cell: an early SUB that must get every message in order, though
# the PUB's every 7th data datagram is dropped (tests/norm/drop.c, on
# the sender: NACKs and repairs must fill the gaps), and a SUB joining
# after PAUSE messages that must get a whole, in-order run to the end.
# Then the rate of a lossless run each way (default ZMQ_NORM_MODE, CC).
# Fails if any cell with ours fails, or the control does.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ -z "${ZMQ_RS_NORM_NETNS:-}" ]; then
    exec unshare --net env ZMQ_RS_NORM_NETNS=1 sh -c \
        'ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && exec bash "$0" "$@"' \
        "$0" "$@"
fi
ours=$(cd "${1:?OURS_DIR}" && pwd)
theirs=$(cd "${2:?THEIRS_DIR}" && pwd)

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

cc -O1 -o "$work/peer" "$here/peer.c" -I"$root/crates/zmq-capi/include" -L"$ours" -l:libzmq.so.5
cc -shared -fPIC -O1 -o "$work/libdrop.so" "$here/drop.c" -ldl

lib() { if [ "$1" = ours ]; then echo "$ours"; else echo "$theirs"; fi; }

# Waits (at most 30 s) for a line starting with $2 in file $1.
wait_for() {
    for _ in $(seq 600); do
        grep -q "^$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "  no \"$2\" from $1" >&2
    return 1
}

# Bodies under 2 KB: libzmq 4.3.x's NORM sender spins forever on a frame that
# does not fit its 2048-byte buffer (tx_index is not reset between chunks);
# 1500 bytes still spans two NORM segments, so a late joiner lands mid-message.
count=200 size=1500 pause=60
cell=0
# One cell: PUB library, SUB library.
run() {
    local pub=$1 sub=$2 status=ok
    cell=$((cell + 1))
    local group="239.192.9.$cell:$((7000 + cell))"
    local d="$work/cell$cell"
    mkdir -p "$d"
    mkfifo "$d/pub.in"
    LD_LIBRARY_PATH=$(lib "$sub") timeout 60 "$work/peer" sub "norm://2,$group" $count $size $pause all \
        > "$d/early.out" 2> "$d/early.err" &
    local early=$!
    pids+=("$early")
    wait_for "$d/early.out" ready || status=FAIL
    LD_PRELOAD="$work/libdrop.so" ZMQ_RS_DROP_EVERY=7 ZMQ_RS_DROP_MIN=200 ZMQ_RS_DROP_REPORT=1 \
        LD_LIBRARY_PATH=$(lib "$pub") timeout 90 "$work/peer" pub "norm://1,$group" $count $size $pause \
        < "$d/pub.in" > "$d/pub.out" 2> "$d/pub.err" &
    local publisher=$!
    pids+=("$publisher")
    exec 3> "$d/pub.in"
    wait_for "$d/early.out" "at $pause" || status=FAIL
    LD_LIBRARY_PATH=$(lib "$sub") timeout 60 "$work/peer" sub "norm://3,$group" $count $size $pause late \
        > "$d/late.out" 2> "$d/late.err" &
    local late=$!
    pids+=("$late")
    wait_for "$d/late.out" ready || status=FAIL
    echo go >&3
    wait "$early" || status=FAIL
    wait "$late" || status=FAIL
    exec 3>&-
    wait "$publisher" || status=FAIL
    local dropped
    dropped=$(sed -n 's/^drop shim: dropped \([0-9]*\) .*/\1/p' "$d/pub.err")
    [ "${dropped:-0}" -gt 0 ] || status=FAIL
    printf '%-6s PUB -> %-6s SUB: early (every 7th data datagram dropped: %s repaired): %s; late joiner: %s: %s\n' \
        "$pub" "$sub" "${dropped:-0}" "$(grep '^ok' "$d/early.out" | cut -d' ' -f2-3 || true)" \
        "$(grep '^ok' "$d/late.out" | cut -d' ' -f2-3 || true)" "$status"
    if [ "$status" != ok ]; then
        for f in "$d"/*.err; do sed "s|^|  $(basename "$f" .err): |" "$f"; done
        return 1
    fi
}

# The rate of a lossless run: COUNT messages of SIZE bytes, in mode CC
# (Debian's 4.3.4 cannot set another). Not more: at 10,000 NORM's
# congestion control overruns a busy loopback and loses runs of messages
# in every cell, the control too (docs/norm.md, "Volume"); ours at volume
# is tests/norm.rs, at a fixed rate. SNDHWM 0: the PUB must not drop.
rate() {
    local pub=$1 sub=$2 status=ok
    cell=$((cell + 1))
    local group="239.192.9.$cell:$((7000 + cell))" n=1000 bytes=1000
    local d="$work/cell$cell"
    mkdir -p "$d"
    mkfifo "$d/pub.in"
    LD_LIBRARY_PATH=$(lib "$sub") timeout 60 "$work/peer" sub "norm://2,$group" $n $bytes $n all \
        > "$d/sub.out" 2> "$d/sub.err" &
    local subscriber=$!
    pids+=("$subscriber")
    wait_for "$d/sub.out" ready || status=FAIL
    SNDHWM=0 LD_LIBRARY_PATH=$(lib "$pub") timeout 90 "$work/peer" pub "norm://1,$group" $n $bytes $n \
        < "$d/pub.in" > /dev/null 2> "$d/pub.err" &
    local publisher=$!
    pids+=("$publisher")
    exec 3> "$d/pub.in"
    wait "$subscriber" || status=FAIL
    exec 3>&-
    wait "$publisher" || status=FAIL
    printf 'rate %-6s PUB -> %-6s SUB, %d x %d bytes: %s: %s\n' "$pub" "$sub" $n $bytes \
        "$(grep '^ok' "$d/sub.out" | cut -d' ' -f4- || true)" "$status"
    [ "$status" = ok ] || { sed 's/^/  /' "$d"/*.err; return 1; }
}

# The mixed pairs always; libzmq on both ends (the control) and ours on
# both ends (also crates/zmq/tests/norm.rs) with ZMQ_RS_NORM_ALL_PAIRS=1,
# to keep CI's step short.
pairs=("ours theirs" "theirs ours")
if [ "${ZMQ_RS_NORM_ALL_PAIRS:-0}" = 1 ]; then
    pairs=("theirs theirs" "ours theirs" "theirs ours" "ours ours")
fi
failed=0
for pair in "${pairs[@]}"; do
    # shellcheck disable=SC2086
    run $pair || failed=1
done
for pair in "${pairs[@]}"; do
    # shellcheck disable=SC2086
    rate $pair || failed=1
done
exit $failed
