/* zmq_setsockopt / zmq_getsockopt: types, size rules, read-only options,
 * options not implemented yet (EINVAL unless set to their default). */
#include "testutil.h"
#include <stdint.h>

/* Draft numbers (zmq.h lists them only with ZMQ_BUILD_DRAFT_API). */
#define OPT_PRIORITY 112
#define OPT_NORM_MODE 117
#define OPT_THREAD_AFFINITY_CPU_ADD 7
#define OPT_THREAD_AFFINITY_CPU_REMOVE 8
#define OPT_ZERO_COPY_RECV 10
#ifndef ZMQ_METADATA
#define ZMQ_METADATA 95
#endif
#ifndef ZMQ_IN_BATCH_SIZE
#define ZMQ_IN_BATCH_SIZE 101
#endif
#ifndef ZMQ_RECONNECT_STOP
#define ZMQ_RECONNECT_STOP 109
#endif
#ifndef ZMQ_HELLO_MSG
#define ZMQ_HELLO_MSG 110
#endif
#ifndef ZMQ_DISCONNECT_MSG
#define ZMQ_DISCONNECT_MSG 111
#endif
#ifndef ZMQ_HICCUP_MSG
#define ZMQ_HICCUP_MSG 114
#endif

int main (void)
{
    void *ctx = zmq_ctx_new ();
    void *s = zmq_socket (ctx, ZMQ_DEALER);
    NOT_NULL (s);

    int value = 0;
    size_t size = sizeof value;
    OK (zmq_getsockopt (s, ZMQ_SNDHWM, &value, &size));
    VI (value);
    VU (size);
    value = 50;
    OK (zmq_setsockopt (s, ZMQ_SNDHWM, &value, sizeof value));
    value = 0;
    OK (zmq_getsockopt (s, ZMQ_SNDHWM, &value, &size));
    VI (value);
    /* wrong sizes */
    int64_t wide = 5;
    R (zmq_setsockopt (s, ZMQ_SNDHWM, &wide, sizeof wide));
    size = sizeof wide;
    R (zmq_getsockopt (s, ZMQ_SNDHWM, &wide, &size));
    size = 2;
    R (zmq_getsockopt (s, ZMQ_LINGER, &value, &size));
    value = -5;
    R (zmq_setsockopt (s, ZMQ_SNDHWM, &value, sizeof value));

    /* linger, timeouts */
    value = 0;
    OK (zmq_setsockopt (s, ZMQ_LINGER, &value, sizeof value));
    size = sizeof value;
    OK (zmq_getsockopt (s, ZMQ_LINGER, &value, &size));
    VI (value);

    /* int64 and uint64 options */
    int64_t maxmsg = 0;
    size = sizeof maxmsg;
    OK (zmq_getsockopt (s, ZMQ_MAXMSGSIZE, &maxmsg, &size));
    VI (maxmsg);
    VU (size);
    maxmsg = 4096;
    OK (zmq_setsockopt (s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg));
    R (zmq_setsockopt (s, ZMQ_MAXMSGSIZE, &value, sizeof value));
    uint64_t affinity = 3;
    OK (zmq_setsockopt (s, ZMQ_AFFINITY, &affinity, sizeof affinity));
    affinity = 0;
    size = sizeof affinity;
    OK (zmq_getsockopt (s, ZMQ_AFFINITY, &affinity, &size));
    VU (affinity);

    /* binary: routing id */
    OK (zmq_setsockopt (s, ZMQ_ROUTING_ID, "me", 2));
    char id[255];
    size = sizeof id;
    OK (zmq_getsockopt (s, ZMQ_ROUTING_ID, id, &size));
    say ("routing id: %zu \"%s\"", size, printable (id, size));
    size = 1;
    R (zmq_getsockopt (s, ZMQ_ROUTING_ID, id, &size));
    R (zmq_setsockopt (s, ZMQ_ROUTING_ID, "", 0));

    /* read-only socket values; the larger buffer rule for them */
    int type = -1;
    size = sizeof type;
    OK (zmq_getsockopt (s, ZMQ_TYPE, &type, &size));
    VI (type);
    R (zmq_setsockopt (s, ZMQ_TYPE, &type, sizeof type));
    int64_t rcvmore = 7;
    size = sizeof rcvmore;
    OK (zmq_getsockopt (s, ZMQ_RCVMORE, &rcvmore, &size));
    VI (rcvmore);
    VU (size);
    zmq_fd_t fd = -1;
    size = sizeof fd;
    OK (zmq_getsockopt (s, ZMQ_FD, &fd, &size));
    CHECK (fd >= 0);
    int events = -1;
    size = sizeof events;
    OK (zmq_getsockopt (s, ZMQ_EVENTS, &events, &size));
    VI (events);
    int mechanism = -1;
    size = sizeof mechanism;
    OK (zmq_getsockopt (s, ZMQ_MECHANISM, &mechanism, &size));
    VI (mechanism);

    /* ZMQ_LAST_ENDPOINT: NUL included, too small a buffer refused */
    char endpoint[64];
    size = sizeof endpoint;
    OK (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, endpoint, &size));
    VU (size);
    VS (endpoint);
    OK (zmq_bind (s, "inproc://options"));
    size = sizeof endpoint;
    OK (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, endpoint, &size));
    VU (size);
    VS (endpoint);
    size = 5;
    R (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, endpoint, &size));

    /* flags */
    value = 1;
    OK (zmq_setsockopt (s, ZMQ_IMMEDIATE, &value, sizeof value));
    OK (zmq_setsockopt (s, ZMQ_IPV6, &value, sizeof value));
    value = 0;
    size = sizeof value;
    OK (zmq_getsockopt (s, ZMQ_IPV6, &value, &size));
    VI (value);

    /* socket-type specific options on the wrong type */
    value = 1;
    R (zmq_setsockopt (s, ZMQ_XPUB_VERBOSE, &value, sizeof value));
    void *sub = zmq_socket (ctx, ZMQ_SUB);
    OK (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0));
    OK (zmq_setsockopt (sub, ZMQ_UNSUBSCRIBE, "", 0));
    OK (zmq_close (sub));

    /* part 8: network, transport and unbuilt-feature options */
    size = sizeof value;
    OK (zmq_getsockopt (s, ZMQ_TOS, &value, &size));
    VI (value);
    value = 0x28;
    OK (zmq_setsockopt (s, ZMQ_TOS, &value, sizeof value));
    value = 0;
    OK (zmq_getsockopt (s, ZMQ_TOS, &value, &size));
    VI (value);
    value = -1;
    R (zmq_setsockopt (s, ZMQ_TOS, &value, sizeof value));
    value = 3;
    OK (zmq_setsockopt (s, OPT_PRIORITY, &value, sizeof value));
    value = 2000;
    OK (zmq_setsockopt (s, ZMQ_TCP_MAXRT, &value, sizeof value));
    OK (zmq_setsockopt (s, ZMQ_BINDTODEVICE, "lo", 2));
    char text[64];
    size = sizeof text;
    OK (zmq_getsockopt (s, ZMQ_BINDTODEVICE, text, &size));
    VU (size);
    VS (text);
    R (zmq_setsockopt (s, ZMQ_BINDTODEVICE, "seventeen-chars-x", 17));
    OK (zmq_setsockopt (s, ZMQ_TCP_ACCEPT_FILTER, "127.0.0.1", 9));
    OK (zmq_setsockopt (s, ZMQ_TCP_ACCEPT_FILTER, NULL, 0));
    R (zmq_setsockopt (s, ZMQ_TCP_ACCEPT_FILTER, "nonsense", 8));
    size = sizeof text;
    R (zmq_getsockopt (s, ZMQ_TCP_ACCEPT_FILTER, text, &size));
    uint32_t uid = 0;
    OK (zmq_setsockopt (s, ZMQ_IPC_FILTER_UID, &uid, sizeof uid));
    OK (zmq_setsockopt (s, ZMQ_IPC_FILTER_UID, NULL, 0));
    R (zmq_setsockopt (s, ZMQ_IPC_FILTER_UID, &wide, sizeof wide));
    OK (zmq_setsockopt (s, ZMQ_SOCKS_PROXY, "127.0.0.1:1080", 14));
    size = sizeof text;
    OK (zmq_getsockopt (s, ZMQ_SOCKS_PROXY, text, &size));
    VS (text);
    OK (zmq_setsockopt (s, ZMQ_SOCKS_PROXY, NULL, 0));
    OK (zmq_setsockopt (s, ZMQ_METADATA, "X-key:value", 11));
    R (zmq_setsockopt (s, ZMQ_METADATA, "key:value", 9));
    size = sizeof value;
    OK (zmq_getsockopt (s, ZMQ_USE_FD, &value, &size));
    VI (value);
    value = 0;
    R (zmq_setsockopt (s, ZMQ_RATE, &value, sizeof value));
    value = 1000;
    OK (zmq_setsockopt (s, ZMQ_RATE, &value, sizeof value));
    value = 100;
    OK (zmq_setsockopt (s, ZMQ_RATE, &value, sizeof value));
    OK (zmq_getsockopt (s, ZMQ_MULTICAST_HOPS, &value, &size));
    VI (value);
    OK (zmq_getsockopt (s, ZMQ_IN_BATCH_SIZE, &value, &size));
    VI (value);
    OK (zmq_getsockopt (s, ZMQ_THREAD_SAFE, &value, &size));
    VI (value);
    value = 1;
    R (zmq_setsockopt (s, ZMQ_GSSAPI_SERVER, &value, sizeof value));
    R (zmq_getsockopt (s, ZMQ_GSSAPI_SERVER, &value, &size));
    R (zmq_setsockopt (s, OPT_NORM_MODE, &value, sizeof value));
    /* draft session options: stored (RECONNECT_STOP readable back),
     * the messages write-only */
    value = 0x1 | 0x2; /* CONN_REFUSED | HANDSHAKE_FAILED */
    OK (zmq_setsockopt (s, ZMQ_RECONNECT_STOP, &value, sizeof value));
    value = 0;
    OK (zmq_getsockopt (s, ZMQ_RECONNECT_STOP, &value, &size));
    VI (value);
    OK (zmq_setsockopt (s, ZMQ_HELLO_MSG, "hi", 2));
    OK (zmq_setsockopt (s, ZMQ_DISCONNECT_MSG, "bye", 3));
    OK (zmq_setsockopt (s, ZMQ_HICCUP_MSG, "oops", 4));
    OK (zmq_setsockopt (s, ZMQ_HELLO_MSG, NULL, 0));
    R (zmq_getsockopt (s, ZMQ_HELLO_MSG, &value, &size));
    uint64_t vmci = 4096;
    OK (zmq_setsockopt (s, ZMQ_VMCI_BUFFER_SIZE, &vmci, sizeof vmci));

    /* context options */
    R (zmq_ctx_get (ctx, ZMQ_SOCKET_LIMIT));
    R (zmq_ctx_get (ctx, ZMQ_MSG_T_SIZE));
    R (zmq_ctx_get (ctx, ZMQ_THREAD_SCHED_POLICY));
    OK (zmq_ctx_set (ctx, ZMQ_MAX_MSGSZ, 4096));
    R (zmq_ctx_get (ctx, ZMQ_MAX_MSGSZ));
    R (zmq_ctx_set (ctx, OPT_THREAD_AFFINITY_CPU_REMOVE, 0));
    OK (zmq_ctx_set (ctx, OPT_THREAD_AFFINITY_CPU_ADD, 0));
    OK (zmq_ctx_set (ctx, OPT_THREAD_AFFINITY_CPU_REMOVE, 0));
    OK (zmq_ctx_set (ctx, OPT_ZERO_COPY_RECV, 0));
    R (zmq_ctx_get (ctx, OPT_ZERO_COPY_RECV));
    R (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, 0));

    /* heartbeats: set and read back; the TTL in whole deciseconds */
    value = 100;
    OK (zmq_setsockopt (s, ZMQ_HEARTBEAT_IVL, &value, sizeof value));
    value = 0;
    size = sizeof value;
    OK (zmq_getsockopt (s, ZMQ_HEARTBEAT_IVL, &value, &size));
    VI (value);
    value = 1999;
    OK (zmq_setsockopt (s, ZMQ_HEARTBEAT_TTL, &value, sizeof value));
    size = sizeof value;
    OK (zmq_getsockopt (s, ZMQ_HEARTBEAT_TTL, &value, &size));
    VI (value);
    value = -1;
    R (zmq_setsockopt (s, ZMQ_HEARTBEAT_TIMEOUT, &value, sizeof value));
    size = sizeof value;
    OK (zmq_getsockopt (s, ZMQ_RATE, &value, &size));
    VI (value);
    value = 2;
    R (zmq_setsockopt (s, ZMQ_CURVE_SERVER, &value, sizeof value));
    R (zmq_setsockopt (s, ZMQ_CURVE_SERVERKEY, "short", 5));
    R (zmq_setsockopt (s, 9999, &value, sizeof value));
    R (zmq_getsockopt (s, 9999, &value, &size));

    OK (zmq_close (s));
    OK (zmq_ctx_term (ctx));
    say ("done");
    return 0;
}
