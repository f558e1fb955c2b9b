# Sourced by tests/gssapi/ci.sh, tests/norm/ci.sh and tests/pgm/ci.sh, after
# they set `root`, `target`, `cache` and `features`.

# Builds our libzmq.so.5 with `$features` into "$1" (a directory), then
# puts the default build's cdylib back in target/debug: the C-program
# tests link it, and `cargo test` does not rebuild a cdylib (that build is
# fresh, cargo only copies it back).
ours_with_features() {
    cargo build -p zmq-capi --features "$features"
    mkdir -p "$1"
    cp "$target/debug/libzmq_capi.so" "$1/libzmq.so.5"
    cargo build -p zmq-capi
}

# Debian's libzmq5 (4.3.4, built with GSSAPI, OpenPGM 5.3 and NORM) and
# the libraries it needs, unpacked into the cache, never installed (our
# libzmq.so.5 is not shadowed). Prints the directory holding them; fails
# when they cannot be fetched (use as `theirs=$(debian_libzmq5)`).
debian_libzmq5() {
    local theirs="$cache/debian-libzmq5/usr/lib/x86_64-linux-gnu"
    if [ ! -f "$theirs/libzmq.so.5" ] || [ ! -f "$theirs/libpgm-5.3.so.0" ] ||
        [ ! -f "$theirs/libnorm.so.1" ]; then
        mkdir -p "$cache/debian-libzmq5/debs"
        (cd "$cache/debian-libzmq5/debs" &&
            { apt-get download libzmq5 libpgm-5.3-0 libnorm1 2>/dev/null ||
              { apt-get update -qq && apt-get download libzmq5 libpgm-5.3-0 libnorm1; }; }) >&2 ||
            return 1
        for deb in "$cache/debian-libzmq5/debs"/*.deb; do
            dpkg -x "$deb" "$cache/debian-libzmq5" || return 1
        done
    fi
    echo "$theirs"
}
