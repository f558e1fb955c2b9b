#!/usr/bin/env bash
# pgm and epgm PUB→SUB between our libzmq.so.5 and another libzmq built
# with OpenPGM, both directions, in two network namespaces of our own
# joined by a veth pair (libzmq turns multicast loopback off, so sender
# and receiver need separate stacks):
#   A (this script, under `unshare --net`): v0 10.9.0.1
#   B (a sleeping helper's namespace):       v1 10.9.0.2
# Cells: for each scheme and direction, a plain run (every message, in
# order), a late joiner (the SUB starts while the PUB is sending: it gets
# a gap-free run from where it joined), and a repaired loss (every 5th
# ODATA packet the PUB sends is dropped by drop.so: NAK/RDATA repair must
# deliver every message). First, errors.c on both libraries: the same
# output. With ZRS_PGM_RATES=1, only the rates: PUB→SUB throughput at
# ZMQ_RATE 100000 kbit/s, each pair of libraries, epgm and pgm.
#   interop.sh OURS_DIR THEIRS_DIR BIN_DIR   (BIN_DIR: peer, errors, drop.so)
set -euo pipefail
ours="$1" theirs="$2" bin="$3"
peer="$bin/peer" drop="$bin/drop.so"
if [ -z "${ZRS_PGM_NETNS:-}" ]; then
    exec env ZRS_PGM_NETNS=1 unshare --net bash "$0" "$@"
fi
ip link set lo up
unshare --net sleep 300 &
helper=$!
trap 'kill $helper 2>/dev/null || true' EXIT
# The helper's namespace exists once unshare has exec'd sleep.
for _ in $(seq 50); do
    [ "$(readlink /proc/$helper/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
    sleep 0.02
done
ip link add v0 type veth peer name v1 netns "$helper"
ip link set v0 up
ip addr add 10.9.0.1/24 dev v0
ip route add 224.0.0.0/4 dev v0
nsenter -t "$helper" -n sh -c 'ip link set lo up && ip link set v1 up &&
    ip addr add 10.9.0.2/24 dev v1 && ip route add 224.0.0.0/4 dev v1'

fails=0 passes=0
port=5600

if [ -z "${ZRS_PGM_RATES:-}" ]; then
    LD_LIBRARY_PATH="$theirs" timeout 30 "$bin/errors" >"$bin/errors.theirs" 2>&1 || true
    LD_LIBRARY_PATH="$ours" timeout 30 "$bin/errors" >"$bin/errors.ours" 2>&1 || true
    if diff -u "$bin/errors.theirs" "$bin/errors.ours"; then
        passes=$((passes + 1))
        echo "PASS errors.c: the same as libzmq ($(wc -l <"$bin/errors.ours") lines)"
    else
        fails=$((fails + 1))
        echo "FAIL errors.c differs from libzmq"
    fi
fi

# rate SCHEME PUB_LIB SUB_LIB LABEL: throughput of 1000-byte messages.
rate() {
    local scheme="$1" publib="$2" sublib="$3" label="$4"
    port=$((port + 1))
    local group="239.192.8.$((port % 200 + 1))" out
    out=$(mktemp)
    nsenter -t "$helper" -n env LD_LIBRARY_PATH="$sublib" \
        timeout 60 "$peer" sub "$scheme://10.9.0.2;$group:$port" 20000 1000 100000 -1 3000 >"$out" 2>&1 &
    local sub=$!
    sleep 0.5
    env LD_LIBRARY_PATH="$publib" timeout 60 "$peer" pub "$scheme://10.9.0.1;$group:$port" 20000 1000 100000 -1 0 >/dev/null 2>&1 || true
    wait "$sub" || true
    echo "$scheme $label: $(tr '\n' ' ' <"$out")"
    rm -f "$out"
}
if [ -n "${ZRS_PGM_RATES:-}" ]; then
    for scheme in epgm pgm; do
        rate "$scheme" "$theirs" "$theirs" "libzmq→libzmq"
        rate "$scheme" "$ours" "$ours" "ours→ours"
        rate "$scheme" "$ours" "$theirs" "ours→libzmq"
        rate "$scheme" "$theirs" "$ours" "libzmq→ours"
    done
    exit 0
fi
# cell NAME PUB_LIB SUB_LIB SCHEME COUNT SIZE RATE PAUSE_US MODE
#   MODE: all (every message), late (gap-free from wherever it joined,
#   not from 0), loss (every message, with drops at the PUB)
cell() {
    local name="$1" publib="$2" sublib="$3" scheme="$4" count="$5" size="$6" rate="$7" pause="$8" mode="$9"
    # ZRS_PGM_CELLS: run only the cells whose name matches (a grep -E).
    if [ -n "${ZRS_PGM_CELLS:-}" ] && ! echo "$name" | grep -Eq "$ZRS_PGM_CELLS"; then
        return 0
    fi
    port=$((port + 1))
    local group="239.192.7.$((port % 200 + 1))"
    local out pubenv=""
    [ "$mode" = loss ] && pubenv="LD_PRELOAD=$drop ZRS_DROP_EVERY=5"
    out=$(mktemp)
    if [ "$mode" = late ]; then
        # The PUB sends for ~2 s; the SUB starts 0.7 s after it.
        env LD_LIBRARY_PATH="$publib" timeout 60 "$peer" pub "$scheme://10.9.0.1;$group:$port" "$count" "$size" "$rate" -1 "$pause" >/dev/null 2>&1 &
        local pub=$!
        sleep 0.7
        nsenter -t "$helper" -n env LD_LIBRARY_PATH="$sublib" \
            timeout 60 "$peer" sub "$scheme://10.9.0.2;$group:$port" "$count" "$size" "$rate" -1 4000 >"$out" 2>&1 || true
        wait "$pub" || true
    else
        nsenter -t "$helper" -n env LD_LIBRARY_PATH="$sublib" \
            timeout 60 "$peer" sub "$scheme://10.9.0.2;$group:$port" "$count" "$size" "$rate" -1 4000 >"$out" 2>&1 &
        local sub=$!
        sleep 0.5
        env $pubenv LD_LIBRARY_PATH="$publib" timeout 60 "$peer" pub "$scheme://10.9.0.1;$group:$port" "$count" "$size" "$rate" -1 "$pause" 2>&1 >/dev/null | grep drop.so >"$out.pub" || true
        wait "$sub" || true
    fi
    local line
    line=$(head -1 "$out")
    local ok=0
    # shellcheck disable=SC2086
    set -- $line
    # first F last L got G gaps X bad B
    if [ "${1:-}" = first ]; then
        local first=$2 last=$4 got=$6 gaps=$8 bad=${10}
        case "$mode" in
            loss) grep -q "dropped [1-9]" "$out.pub" && [ "$first" = 0 ] && [ "$last" = $((count - 1)) ] && [ "$got" = "$count" ] && [ "$gaps" = 0 ] && [ "$bad" = 0 ] && ok=1 ;;
            all) [ "$first" = 0 ] && [ "$last" = $((count - 1)) ] && [ "$got" = "$count" ] && [ "$gaps" = 0 ] && [ "$bad" = 0 ] && ok=1 ;;
            late) [ "$first" -gt 0 ] && [ "$last" -ge $((count - 5)) ] && [ "$gaps" = 0 ] && [ "$bad" = 0 ] && ok=1 ;;
        esac
    fi
    if [ $ok = 1 ]; then
        passes=$((passes + 1))
        echo "PASS $name: $(cat "$out" "$out.pub" 2>/dev/null | tr '\n' ' ')"
    else
        fails=$((fails + 1))
        echo "FAIL $name: $(cat "$out" "$out.pub" 2>/dev/null | tr '\n' ' ')"
    fi
    rm -f "$out" "$out.pub"
}

for scheme in epgm pgm; do
    for dir in "ours:theirs" "theirs:ours"; do
        pubname=${dir%%:*} subname=${dir##*:}
        [ "$pubname" = ours ] && publib=$ours || publib=$theirs
        [ "$subname" = ours ] && sublib=$ours || sublib=$theirs
        label="$scheme $pubname→$subname"
        cell "$label plain" "$publib" "$sublib" "$scheme" 2000 100 10000 100 all
        cell "$label late joiner" "$publib" "$sublib" "$scheme" 1500 3000 10000 1000 late
        cell "$label repaired loss" "$publib" "$sublib" "$scheme" 1000 700 10000 200 loss
    done
done
echo "${passes} passed, ${fails} failed"
[ "$fails" = 0 ]
