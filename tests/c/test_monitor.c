/* zmq_socket_monitor (version 1 frames) and zmq_socket_monitor_versioned
 * (version 2 frames, PAIR/PUB/PUSH monitor sockets), byte by byte. */
#define ZMQ_BUILD_DRAFT_API
#include "testutil.h"
#include <stdint.h>

/* Reads one version-1 event: [u16 event][u32 value] then the endpoint. */
static uint16_t recv_v1 (void *mon, uint32_t *value, char *endpoint)
{
    uint8_t head[16];
    int rc = zmq_recv (mon, head, sizeof head, 0);
    CHECK (rc == 6);
    int more = 0;
    size_t size = sizeof more;
    OK (zmq_getsockopt (mon, ZMQ_RCVMORE, &more, &size));
    CHECK (more == 1);
    uint16_t event;
    memcpy (&event, head, 2);
    memcpy (value, head + 2, 4);
    rc = zmq_recv (mon, endpoint, 255, 0);
    CHECK (rc >= 0 && rc < 255);
    endpoint[rc] = '\0';
    OK (zmq_getsockopt (mon, ZMQ_RCVMORE, &more, &size));
    CHECK (more == 0);
    return event;
}

/* Reads version-1 events until `wanted`. */
static uint32_t expect_v1 (void *mon, uint16_t wanted, char *endpoint)
{
    uint32_t value;
    while (recv_v1 (mon, &value, endpoint) != wanted) {
    }
    return value;
}

/* Reads one version-2 event: [u64 event][u64 count][u64 value]...
 * [local][remote]; returns the event, the first value in `value`. */
static uint64_t recv_v2 (void *mon, uint64_t *value, char *local, char *remote)
{
    uint64_t event, count;
    CHECK (zmq_recv (mon, &event, 8, 0) == 8);
    CHECK (zmq_recv (mon, &count, 8, 0) == 8);
    CHECK (count >= 1 && count <= 2);
    for (uint64_t i = 0; i < count; i++) {
        uint64_t v;
        CHECK (zmq_recv (mon, &v, 8, 0) == 8);
        if (i == 0)
            *value = v;
    }
    int rc = zmq_recv (mon, local, 255, 0);
    CHECK (rc >= 0 && rc < 255);
    local[rc] = '\0';
    rc = zmq_recv (mon, remote, 255, 0);
    CHECK (rc >= 0 && rc < 255);
    remote[rc] = '\0';
    int more = 1;
    size_t size = sizeof more;
    OK (zmq_getsockopt (mon, ZMQ_RCVMORE, &more, &size));
    CHECK (more == 0);
    return event;
}

static void version_1 (void *ctx)
{
    void *server = zmq_socket (ctx, ZMQ_PULL);
    void *client = zmq_socket (ctx, ZMQ_PUSH);
    NOT_NULL (server);
    NOT_NULL (client);

    /* argument checks, as libzmq */
    R (zmq_socket_monitor (server, "tcp://127.0.0.1:*", ZMQ_EVENT_ALL));
    R (zmq_socket_monitor (server, "inproc://m-v1", 0x10000));
    R (zmq_socket_monitor (server, "inproc://m-v1", -1));

    OK (zmq_socket_monitor (server, "inproc://m-v1-server", ZMQ_EVENT_ALL));
    OK (zmq_socket_monitor (client, "inproc://m-v1-client", ZMQ_EVENT_ALL));
    void *server_mon = zmq_socket (ctx, ZMQ_PAIR);
    void *client_mon = zmq_socket (ctx, ZMQ_PAIR);
    int timeout = 5000;
    OK (zmq_setsockopt (server_mon, ZMQ_RCVTIMEO, &timeout, sizeof timeout));
    OK (zmq_setsockopt (client_mon, ZMQ_RCVTIMEO, &timeout, sizeof timeout));
    OK (zmq_connect (server_mon, "inproc://m-v1-server"));
    OK (zmq_connect (client_mon, "inproc://m-v1-client"));

    OK (zmq_bind (server, "tcp://127.0.0.1:*"));
    char endpoint[256], seen[256];
    size_t size = sizeof endpoint;
    OK (zmq_getsockopt (server, ZMQ_LAST_ENDPOINT, endpoint, &size));
    uint32_t fd = expect_v1 (server_mon, ZMQ_EVENT_LISTENING, seen);
    CHECK (fd > 0);
    CHECK (strcmp (seen, endpoint) == 0);

    OK (zmq_connect (client, endpoint));
    expect_v1 (client_mon, ZMQ_EVENT_CONNECTED, seen);
    CHECK (strcmp (seen, endpoint) == 0);
    expect_v1 (client_mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED, seen);
    expect_v1 (server_mon, ZMQ_EVENT_ACCEPTED, seen);
    expect_v1 (server_mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED, seen);

    /* stopping sends MONITOR_STOPPED */
    OK (zmq_socket_monitor (client, NULL, 0));
    expect_v1 (client_mon, ZMQ_EVENT_MONITOR_STOPPED, seen);

    OK (zmq_close (server));
    expect_v1 (server_mon, ZMQ_EVENT_CLOSED, seen);
    expect_v1 (server_mon, ZMQ_EVENT_MONITOR_STOPPED, seen);
    OK (zmq_close (client));
    OK (zmq_close (server_mon));
    OK (zmq_close (client_mon));
}

static void version_2 (void *ctx, int monitor_type, int reader_type)
{
    void *server = zmq_socket (ctx, ZMQ_DEALER);
    NOT_NULL (server);
    R (zmq_socket_monitor_versioned (server, "inproc://m-v2", ZMQ_EVENT_ALL_V2,
                                         2, ZMQ_REQ));
    R (zmq_socket_monitor_versioned (server, "inproc://m-v2", ZMQ_EVENT_ALL_V2,
                                         1, ZMQ_PAIR));
    OK (zmq_socket_monitor_versioned (server, "inproc://m-v2", ZMQ_EVENT_ALL_V2,
                                      2, monitor_type));
    void *mon = zmq_socket (ctx, reader_type);
    NOT_NULL (mon);
    int timeout = 5000;
    OK (zmq_setsockopt (mon, ZMQ_RCVTIMEO, &timeout, sizeof timeout));
    OK (zmq_connect (mon, "inproc://m-v2"));

    OK (zmq_bind (server, "tcp://127.0.0.1:*"));
    char endpoint[256], local[256], remote[256];
    size_t size = sizeof endpoint;
    OK (zmq_getsockopt (server, ZMQ_LAST_ENDPOINT, endpoint, &size));
    uint64_t value = 0;
    CHECK (recv_v2 (mon, &value, local, remote) == ZMQ_EVENT_LISTENING);
    CHECK (value > 0);
    CHECK (strcmp (local, endpoint) == 0);
    CHECK (strcmp (remote, "") == 0);

    /* connect events name the remote endpoint */
    void *client = zmq_socket (ctx, ZMQ_DEALER);
    OK (zmq_socket_monitor_versioned (client, "inproc://m-v2-client",
                                      ZMQ_EVENT_CONNECTED, 2, ZMQ_PAIR));
    void *client_mon = zmq_socket (ctx, ZMQ_PAIR);
    OK (zmq_setsockopt (client_mon, ZMQ_RCVTIMEO, &timeout, sizeof timeout));
    OK (zmq_connect (client_mon, "inproc://m-v2-client"));
    OK (zmq_connect (client, endpoint));
    CHECK (recv_v2 (client_mon, &value, local, remote) == ZMQ_EVENT_CONNECTED);
    CHECK (strcmp (remote, endpoint) == 0);

    OK (zmq_socket_monitor_versioned (server, NULL, 0, 2, 0));
    uint64_t event;
    do {
        event = recv_v2 (mon, &value, local, remote);
    } while (event != ZMQ_EVENT_MONITOR_STOPPED);

    OK (zmq_close (client));
    OK (zmq_close (client_mon));
    OK (zmq_close (server));
    OK (zmq_close (mon));
}

int main (void)
{
    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    version_1 (ctx);
    version_2 (ctx, ZMQ_PAIR, ZMQ_PAIR);
    version_2 (ctx, ZMQ_PUSH, ZMQ_PULL);
    /* pipes statistics: a NULL socket, then a socket with no monitor */
    R (zmq_socket_monitor_pipes_stats (NULL));
    void *plain = zmq_socket (ctx, ZMQ_PULL);
    NOT_NULL (plain);
    R (zmq_socket_monitor_pipes_stats (plain));
    OK (zmq_close (plain));
    OK (zmq_ctx_term (ctx));
    return 0;
}
