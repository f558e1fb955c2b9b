#!/usr/bin/env bash
# A throwaway Kerberos realm for the GSSAPI tests: MIT krb5kdc on a free
# loopback port, a database, principals and one keytab, all under DIR.
#
#   realm.sh serve DIR   create the realm, start the KDC, print the
#                        environment (KEY=VALUE lines, then READY), and
#                        keep the KDC until stdin closes; then stop it and
#                        remove DIR. For tests that spawn it as a child.
#   realm.sh start DIR   the same, but print `export` lines and return
#                        with the KDC running (for shell scripts);
#   realm.sh stop DIR    stop that KDC and remove DIR.
#
# Principals (realm ZMQTEST.LOCAL, random keys, all in DIR/keytab):
#   zmqtest2/<host>  zmqtest2/localhost  (host-based service: libzmq's
#                    test_security_gssapi uses "zmqtest2" for both sides)
#   zmqsvc/localhost                      (our tests' service)
#   alice  bob                            (our tests' clients)
# The keytab serves both as acceptor keytab (KRB5_KTNAME) and client
# keytab (KRB5_CLIENT_KTNAME), so clients get tickets without kinit.
# Needs krb5-kdc, krb5-admin-server (kadmin.local) and krb5-user.
set -euo pipefail

cmd=${1:?usage: realm.sh serve|start|stop DIR}
dir=${2:?usage: realm.sh serve|start|stop DIR}
realm=ZMQTEST.LOCAL
PATH=$PATH:/usr/sbin:/sbin

stop() {
    if [ -f "$dir/kdc.pid" ]; then
        kill "$(cat "$dir/kdc.pid")" 2>/dev/null || true
    fi
    rm -rf "$dir"
}

if [ "$cmd" = stop ]; then
    stop
    exit 0
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
host=$(hostname | tr '[:upper:]' '[:lower:]')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cat > "$dir/krb5.conf" <<CONF
[libdefaults]
    default_realm = $realm
    dns_lookup_kdc = false
    dns_lookup_realm = false
    dns_canonicalize_hostname = false
    rdns = false
    udp_preference_limit = 1
    ignore_acceptor_hostname = true
[realms]
    $realm = {
        kdc = 127.0.0.1:$port
    }
[domain_realm]
    $host = $realm
    localhost = $realm
CONF

cat > "$dir/kdc.conf" <<CONF
[kdcdefaults]
    kdc_ports = $port
    kdc_tcp_ports = $port
[realms]
    $realm = {
        database_name = $dir/principal
        key_stash_file = $dir/stash
        acl_file = $dir/kadm5.acl
        kdc_listen = 127.0.0.1:$port
        kdc_tcp_listen = 127.0.0.1:$port
        max_life = 1h
    }
[logging]
    kdc = FILE:$dir/kdc.log
CONF
: > "$dir/kadm5.acl"

export KRB5_CONFIG=$dir/krb5.conf
export KRB5_KDC_PROFILE=$dir/kdc.conf
export KRB5_KTNAME=FILE:$dir/keytab
export KRB5_CLIENT_KTNAME=FILE:$dir/keytab
# A cache collection: each client principal gets its own cache in it
# (a single MEMORY: cache would hold one principal per process).
mkdir -p "$dir/ccache"
export KRB5CCNAME=DIR:$dir/ccache
export KRB5RCACHETYPE=none

kdb5_util create -s -r "$realm" -P "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$dir/setup.log" 2>&1
for p in "zmqtest2/$host" zmqtest2/localhost zmqsvc/localhost alice bob; do
    kadmin.local -r "$realm" -q "addprinc -randkey $p@$realm" >> "$dir/setup.log" 2>&1
    kadmin.local -r "$realm" -q "ktadd -k $dir/keytab $p@$realm" >> "$dir/setup.log" 2>&1
done

env_lines() {
    for v in KRB5_CONFIG KRB5_KDC_PROFILE KRB5_KTNAME KRB5_CLIENT_KTNAME KRB5CCNAME KRB5RCACHETYPE; do
        echo "$1$v=${!v}"
    done
}

# The KDC is up once a client gets a ticket (bounded: 10 s).
wait_ready() {
    for _ in $(seq 100); do
        if KRB5CCNAME=MEMORY:probe kinit -k -t "$dir/keytab" "alice@$realm" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "realm.sh: KDC did not come up; see $dir/kdc.log" >&2
    return 1
}

case "$cmd" in
serve)
    krb5kdc -n -r "$realm" > "$dir/kdc.out" 2>&1 &
    echo $! > "$dir/kdc.pid"
    trap stop EXIT
    wait_ready
    env_lines ""
    echo READY
    # Until our parent goes away (stdin reaches EOF).
    cat > /dev/null || true
    ;;
start)
    krb5kdc -n -r "$realm" > "$dir/kdc.out" 2>&1 < /dev/null &
    echo $! > "$dir/kdc.pid"
    disown || true
    wait_ready || { stop; exit 1; }
    env_lines "export "
    ;;
*)
    echo "usage: realm.sh serve|start|stop DIR" >&2
    exit 2
    ;;
esac
