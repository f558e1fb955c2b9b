/* zmq_socket_monitor (version 1 frames) and zmq_socket_monitor_versioned
 * (version 2 frames, PAIR/PUB/PUSH monitor sockets): the event sequences
 * of a bind, connect, handshake, disconnect, refused connection, failed
 * handshake, close; argument errors; pipes statistics. Prints every event
 * (descriptor values only as "fd", endpoints with the port masked). */
#define ZMQ_BUILD_DRAFT_API
#include "testutil.h"
#include <stdint.h>

static const char *event_name (uint64_t event)
{
    switch (event) {
        case ZMQ_EVENT_CONNECTED: return "CONNECTED";
        case ZMQ_EVENT_CONNECT_DELAYED: return "CONNECT_DELAYED";
        case ZMQ_EVENT_CONNECT_RETRIED: return "CONNECT_RETRIED";
        case ZMQ_EVENT_LISTENING: return "LISTENING";
        case ZMQ_EVENT_BIND_FAILED: return "BIND_FAILED";
        case ZMQ_EVENT_ACCEPTED: return "ACCEPTED";
        case ZMQ_EVENT_ACCEPT_FAILED: return "ACCEPT_FAILED";
        case ZMQ_EVENT_CLOSED: return "CLOSED";
        case ZMQ_EVENT_CLOSE_FAILED: return "CLOSE_FAILED";
        case ZMQ_EVENT_DISCONNECTED: return "DISCONNECTED";
        case ZMQ_EVENT_MONITOR_STOPPED: return "MONITOR_STOPPED";
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: return "HANDSHAKE_FAILED_NO_DETAIL";
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: return "HANDSHAKE_SUCCEEDED";
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: return "HANDSHAKE_FAILED_PROTOCOL";
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: return "HANDSHAKE_FAILED_AUTH";
        case ZMQ_EVENT_PIPES_STATS: return "PIPES_STATS";
        default: {
            static char other[32];
            snprintf (other, sizeof other, "event 0x%llx", (unsigned long long) event);
            return other;
        }
    }
}

/* The value as printed: a descriptor only as "fd", an errno by name, an
 * interval or protocol code as a number. */
static const char *value_text (uint64_t event, uint64_t value)
{
    static char text[64];
    switch (event) {
        case ZMQ_EVENT_CONNECTED:
        case ZMQ_EVENT_LISTENING:
        case ZMQ_EVENT_ACCEPTED:
        case ZMQ_EVENT_CLOSED:
        case ZMQ_EVENT_DISCONNECTED:
            snprintf (text, sizeof text, "%s", (int64_t) value > 0 ? "fd" : "no fd");
            break;
        case ZMQ_EVENT_CONNECT_DELAYED:
        case ZMQ_EVENT_BIND_FAILED:
        case ZMQ_EVENT_ACCEPT_FAILED:
        case ZMQ_EVENT_CLOSE_FAILED:
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
            snprintf (text, sizeof text, "%s", errno_name ((int) value));
            break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
            snprintf (text, sizeof text, "0x%llx", (unsigned long long) value);
            break;
        case ZMQ_EVENT_CONNECT_RETRIED:
            /* the interval, with a random part in libzmq */
            snprintf (text, sizeof text, "%s", value >= 100 && value <= 200 ? "100..200 ms" : "other");
            break;
        default:
            snprintf (text, sizeof text, "%llu", (unsigned long long) value);
    }
    return text;
}

static char bound[256]; /* the endpoint events are compared with */

static const char *endpoint_text (const char *endpoint)
{
    if (bound[0] && strcmp (endpoint, bound) == 0)
        return "the bound endpoint";
    return masked (endpoint);
}

/* Reads one version-1 event; prints it; returns the event or 0 when
 * nothing came. */
static uint16_t recv_v1 (const char *who, void *mon)
{
    uint8_t head[16];
    errno = 0;
    int rc = zmq_recv (mon, head, sizeof head, 0);
    if (rc == -1) {
        say ("%s: no event (%s)", who, errno_name (errno));
        return 0;
    }
    int more = get_int (mon, ZMQ_RCVMORE);
    uint16_t event = 0;
    uint32_t value = 0;
    if (rc >= 6) {
        memcpy (&event, head, 2);
        memcpy (&value, head + 2, 4);
    }
    char endpoint[256] = "";
    int rc2 = more ? zmq_recv (mon, endpoint, sizeof endpoint - 1, 0) : -1;
    if (rc2 >= 0)
        endpoint[rc2] = '\0';
    say ("%s: %s, value %s, endpoint %s%s%s", who, event_name (event),
         value_text (event, value), endpoint_text (endpoint),
         rc == 6 ? "" : " (first frame not 6 bytes)",
         more && rc2 >= 0 && !get_int (mon, ZMQ_RCVMORE) ? "" : " (not 2 frames)");
    return event;
}

/* Prints version-1 events until `wanted` (or nothing comes). */
static void until_v1 (const char *who, void *mon, uint16_t wanted)
{
    uint16_t event;
    do
        event = recv_v1 (who, mon);
    while (event != 0 && event != wanted);
}

/* Reads one version-2 event: [u64 event][u64 count][u64 value]...
 * [local][remote]; prints it. */
static uint64_t recv_v2 (const char *who, void *mon)
{
    uint64_t event = 0, count = 0;
    errno = 0;
    int rc = zmq_recv (mon, &event, 8, 0);
    if (rc == -1) {
        say ("%s: no event (%s)", who, errno_name (errno));
        return 0;
    }
    zmq_recv (mon, &count, 8, 0);
    char values[256] = "";
    for (uint64_t i = 0; i < count && i < 8; i++) {
        uint64_t v = 0;
        zmq_recv (mon, &v, 8, 0);
        size_t used = strlen (values);
        snprintf (values + used, sizeof values - used, "%s%s", i ? " " : "",
                  event == ZMQ_EVENT_PIPES_STATS ? "n" : value_text (event, v));
    }
    char local[256] = "", remote[256] = "";
    rc = zmq_recv (mon, local, 255, 0);
    local[rc > 0 ? rc : 0] = '\0';
    rc = zmq_recv (mon, remote, 255, 0);
    remote[rc > 0 ? rc : 0] = '\0';
    char local_text[256];
    snprintf (local_text, sizeof local_text, "%s", endpoint_text (local));
    say ("%s: %s, %llu value(s) [%s], local %s, remote %s%s", who, event_name (event),
         (unsigned long long) count, values, local_text, endpoint_text (remote),
         get_int (mon, ZMQ_RCVMORE) ? " (more frames)" : "");
    return event;
}

static void until_v2 (const char *who, void *mon, uint64_t wanted)
{
    uint64_t event;
    do
        event = recv_v2 (who, mon);
    while (event != 0 && event != wanted);
}

static void *reader (void *ctx, int type, const char *endpoint)
{
    void *mon = zmq_socket (ctx, type);
    NOT_NULL (mon);
    set_int (mon, ZMQ_RCVTIMEO, 5000);
    set_int (mon, ZMQ_LINGER, 0);
    SETUP_OK (zmq_connect (mon, endpoint));
    return mon;
}

static void version_1 (void *ctx)
{
    SECTION ("version 1: arguments");
    void *server = zmq_socket (ctx, ZMQ_PULL);
    void *client = zmq_socket (ctx, ZMQ_PUSH);
    NOT_NULL (server);
    NOT_NULL (client);
    set_int (client, ZMQ_LINGER, 0);
    R (zmq_socket_monitor (server, "tcp://127.0.0.1:*", ZMQ_EVENT_ALL));
    R (zmq_socket_monitor (server, "inproc://m-v1", 0x10000));
    R (zmq_socket_monitor (server, "inproc://m-v1", -1));
    R (zmq_socket_monitor (server, NULL, ZMQ_EVENT_ALL));
    R (zmq_socket_monitor (server, "inproc://m-v1-server", ZMQ_EVENT_ALL));
    R (zmq_socket_monitor (client, "inproc://m-v1-client", ZMQ_EVENT_ALL));
    void *server_mon = reader (ctx, ZMQ_PAIR, "inproc://m-v1-server");
    void *client_mon = reader (ctx, ZMQ_PAIR, "inproc://m-v1-client");

    SECTION ("version 1: bind, connect, handshake");
    R (zmq_bind (server, "tcp://127.0.0.1:*"));
    last_endpoint (server, bound, sizeof bound);
    until_v1 ("server", server_mon, ZMQ_EVENT_LISTENING);
    R (zmq_connect (client, bound));
    until_v1 ("client", client_mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    until_v1 ("server", server_mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);

    SECTION ("version 1: a bind that fails");
    void *second = zmq_socket (ctx, ZMQ_PULL);
    R (zmq_socket_monitor (second, "inproc://m-v1-second", ZMQ_EVENT_ALL));
    void *second_mon = reader (ctx, ZMQ_PAIR, "inproc://m-v1-second");
    R (zmq_bind (second, bound));
    recv_v1 ("second", second_mon);
    R (zmq_close (second));
    until_v1 ("second", second_mon, ZMQ_EVENT_MONITOR_STOPPED);
    R (zmq_close (second_mon));

    SECTION ("version 1: ipc");
    char ipc[128];
    snprintf (ipc, sizeof ipc, "ipc:///tmp/zmq-capi-mon-%d", (int) getpid ());
    void *ipc_server = zmq_socket (ctx, ZMQ_PULL);
    void *ipc_client = zmq_socket (ctx, ZMQ_PUSH);
    set_int (ipc_client, ZMQ_LINGER, 0);
    R (zmq_socket_monitor (ipc_server, "inproc://m-v1-ipc-server", ZMQ_EVENT_ALL));
    R (zmq_socket_monitor (ipc_client, "inproc://m-v1-ipc-client", ZMQ_EVENT_ALL));
    void *ipc_server_mon = reader (ctx, ZMQ_PAIR, "inproc://m-v1-ipc-server");
    void *ipc_client_mon = reader (ctx, ZMQ_PAIR, "inproc://m-v1-ipc-client");
    R (zmq_bind (ipc_server, ipc));
    until_v1 ("ipc server", ipc_server_mon, ZMQ_EVENT_LISTENING);
    R (zmq_connect (ipc_client, ipc));
    until_v1 ("ipc client", ipc_client_mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    until_v1 ("ipc server", ipc_server_mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    R (zmq_close (ipc_client));
    until_v1 ("ipc client", ipc_client_mon, ZMQ_EVENT_MONITOR_STOPPED);
    until_v1 ("ipc server", ipc_server_mon, ZMQ_EVENT_DISCONNECTED);
    R (zmq_close (ipc_server));
    until_v1 ("ipc server", ipc_server_mon, ZMQ_EVENT_MONITOR_STOPPED);
    R (zmq_close (ipc_server_mon));
    R (zmq_close (ipc_client_mon));

    SECTION ("version 1: a refused connection retried");
    /* port 1 (tcpmux): nothing listens there. Only the first round is
     * printed: the retries go on at their own pace. */
    void *retrier = zmq_socket (ctx, ZMQ_PUSH);
    set_int (retrier, ZMQ_LINGER, 0);
    set_int (retrier, ZMQ_RECONNECT_IVL, 100);
    R (zmq_socket_monitor (retrier, "inproc://m-v1-retrier", ZMQ_EVENT_ALL));
    void *retrier_mon = reader (ctx, ZMQ_PAIR, "inproc://m-v1-retrier");
    R (zmq_connect (retrier, "tcp://127.0.0.1:1"));
    until_v1 ("retrier", retrier_mon, ZMQ_EVENT_CONNECT_RETRIED);
    R (zmq_close (retrier));
    R (zmq_close (retrier_mon));

    SECTION ("version 1: the peer goes away");
    R (zmq_disconnect (client, bound));
    /* libzmq finishes the disconnection when the application next calls
     * into the socket: keep calling until the server sees it */
    zmq_pollitem_t pending = {server_mon, 0, ZMQ_POLLIN, 0};
    for (int i = 0; i < 50 && zmq_poll (&pending, 1, 0) == 0; i++) {
        get_int (client, ZMQ_EVENTS);
        zmq_poll (&pending, 1, 50);
    }
    until_v1 ("server", server_mon, ZMQ_EVENT_DISCONNECTED);

    SECTION ("version 1: stop, close");
    R (zmq_socket_monitor (client, NULL, 0));
    until_v1 ("client", client_mon, ZMQ_EVENT_MONITOR_STOPPED);
    R (zmq_close (server));
    until_v1 ("server", server_mon, ZMQ_EVENT_MONITOR_STOPPED);
    R (zmq_close (client));
    R (zmq_close (server_mon));
    R (zmq_close (client_mon));
    bound[0] = 0;
}

static void handshake_failure (void *ctx)
{
    SECTION ("version 1: a failed handshake (PLAIN client, NULL server)");
    void *server = zmq_socket (ctx, ZMQ_PULL);
    void *client = zmq_socket (ctx, ZMQ_PUSH);
    set_int (client, ZMQ_LINGER, 0);
    R (zmq_setsockopt (client, ZMQ_PLAIN_USERNAME, "u", 1));
    R (zmq_setsockopt (client, ZMQ_PLAIN_PASSWORD, "p", 1));
    R (zmq_socket_monitor (server, "inproc://m-hs-server",
                           ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
                             | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                             | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
                             | ZMQ_EVENT_HANDSHAKE_SUCCEEDED));
    R (zmq_socket_monitor (client, "inproc://m-hs-client",
                           ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
                             | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                             | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
                             | ZMQ_EVENT_HANDSHAKE_SUCCEEDED));
    void *server_mon = reader (ctx, ZMQ_PAIR, "inproc://m-hs-server");
    void *client_mon = reader (ctx, ZMQ_PAIR, "inproc://m-hs-client");
    SETUP_OK (zmq_bind (server, "tcp://127.0.0.1:*"));
    last_endpoint (server, bound, sizeof bound);
    R (zmq_connect (client, bound));
    recv_v1 ("server", server_mon);
    recv_v1 ("client", client_mon);
    R (zmq_close (client));
    R (zmq_close (server));
    R (zmq_close (server_mon));
    R (zmq_close (client_mon));
    bound[0] = 0;
}

static void version_2 (void *ctx, int monitor_type, int reader_type)
{
    say ("== version 2, monitor socket type %d, reader type %d", monitor_type,
         reader_type);
    void *server = zmq_socket (ctx, ZMQ_DEALER);
    NOT_NULL (server);
    char mon_endpoint[64];
    snprintf (mon_endpoint, sizeof mon_endpoint, "inproc://m-v2-%d", monitor_type);
    R (zmq_socket_monitor_versioned (server, mon_endpoint, ZMQ_EVENT_ALL_V2, 2, ZMQ_REQ));
    R (zmq_socket_monitor_versioned (server, mon_endpoint, ZMQ_EVENT_ALL_V2, 1, ZMQ_PAIR));
    R (zmq_socket_monitor_versioned (server, mon_endpoint, ZMQ_EVENT_ALL_V2, 2,
                                     monitor_type));
    void *mon = reader (ctx, reader_type, mon_endpoint);
    if (reader_type == ZMQ_SUB)
        SETUP_OK (zmq_setsockopt (mon, ZMQ_SUBSCRIBE, "", 0));

    R (zmq_bind (server, "tcp://127.0.0.1:*"));
    last_endpoint (server, bound, sizeof bound);
    until_v2 ("server", mon, ZMQ_EVENT_LISTENING);

    /* connect events name the remote endpoint */
    void *client = zmq_socket (ctx, ZMQ_DEALER);
    set_int (client, ZMQ_LINGER, 0);
    char client_mon_endpoint[64];
    snprintf (client_mon_endpoint, sizeof client_mon_endpoint, "inproc://m-v2-client-%d",
              monitor_type);
    R (zmq_socket_monitor_versioned (client, client_mon_endpoint, ZMQ_EVENT_ALL_V2,
                                     2, ZMQ_PAIR));
    void *client_mon = reader (ctx, ZMQ_PAIR, client_mon_endpoint);
    R (zmq_connect (client, bound));
    until_v2 ("client", client_mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    until_v2 ("server", mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);

    /* pipes statistics: one message queued each way */
    send_str (client, "queued", 0);
    R (zmq_socket_monitor_pipes_stats (client));
    /* the socket answers when it processes its commands */
    for (int i = 0; i < 3; i++) {
        zmq_pollitem_t item = {client, 0, ZMQ_POLLIN, 0};
        zmq_poll (&item, 1, 50);
    }
    until_v2 ("client", client_mon, ZMQ_EVENT_PIPES_STATS);

    R (zmq_socket_monitor_versioned (server, NULL, 0, 2, 0));
    until_v2 ("server", mon, ZMQ_EVENT_MONITOR_STOPPED);

    R (zmq_close (client));
    until_v2 ("client", client_mon, ZMQ_EVENT_MONITOR_STOPPED);
    R (zmq_close (client_mon));
    R (zmq_close (server));
    R (zmq_close (mon));
    bound[0] = 0;
}

int main (void)
{
    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    version_1 (ctx);
    handshake_failure (ctx);
    version_2 (ctx, ZMQ_PAIR, ZMQ_PAIR);
    version_2 (ctx, ZMQ_PUSH, ZMQ_PULL);
    version_2 (ctx, ZMQ_PUB, ZMQ_SUB);

    SECTION ("version 3");
    void *s = zmq_socket (ctx, ZMQ_PAIR);
    R (zmq_socket_monitor_versioned (s, "inproc://m-v3", ZMQ_EVENT_ALL_V2, 3, ZMQ_PAIR));
    set_int (s, ZMQ_LINGER, 0);
    R (zmq_close (s));

    SECTION ("pipes statistics without a monitor");
    R (zmq_socket_monitor_pipes_stats (NULL));
    void *plain = zmq_socket (ctx, ZMQ_PULL);
    NOT_NULL (plain);
    R (zmq_socket_monitor_pipes_stats (plain));
    R (zmq_close (plain));

    SECTION ("pipes statistics: no pipe, no PIPES_STATS in the mask");
    void *lonely = zmq_socket (ctx, ZMQ_PUSH);
    R (zmq_socket_monitor_versioned (lonely, "inproc://m-stats", ZMQ_EVENT_PIPES_STATS, 2,
                                     ZMQ_PAIR));
    R (zmq_socket_monitor_pipes_stats (lonely));
    R (zmq_socket_monitor_versioned (lonely, "inproc://m-stats-2", ZMQ_EVENT_CONNECTED, 2,
                                     ZMQ_PAIR));
    R (zmq_socket_monitor_pipes_stats (lonely));
    set_int (lonely, ZMQ_LINGER, 0);
    R (zmq_close (lonely));
    R (zmq_ctx_term (ctx));
    say ("done");
    return 0;
}
