/* Sockets: every type, close, bind/connect/unbind/disconnect over inproc,
 * tcp and ipc, bad endpoints. Prints what it observes. */
#define ZMQ_BUILD_DRAFT_API
#include "testutil.h"
#include <sys/socket.h>

static const char *type_names[] = {
    "PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH",
    "XPUB", "XSUB", "STREAM", "SERVER", "CLIENT", "RADIO", "DISH", "GATHER",
    "SCATTER", "DGRAM", "PEER", "CHANNEL"};

/* Bindings tell a libzmq handle from a raw descriptor by reading its
 * first int as one: it is never a usable descriptor. */
static void first_int_as_descriptor (const char *what, void *handle)
{
    int first;
    memcpy (&first, handle, sizeof first);
    int type;
    socklen_t size = sizeof type;
    errno = 0;
    int rc = getsockopt (first, SOL_SOCKET, SO_TYPE, &type, &size);
    say ("%s: getsockopt (first int, SO_TYPE) -> %d %s", what, rc,
         rc == -1 ? errno_name (errno) : "");
}

int main (void)
{
    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);

    SECTION ("a socket handle's first int");
    void *probe = zmq_socket (ctx, ZMQ_PAIR);
    first_int_as_descriptor ("socket", probe);
    R (zmq_close (probe));

    SECTION ("every socket type");
    for (int type = -1; type <= 21; type++) {
        errno = 0;
        void *s = zmq_socket (ctx, type);
        int e = errno;
        const char *name = type >= 0 && type <= 20 ? type_names[type] : "?";
        if (!s) {
            say ("zmq_socket (%d %s) -> NULL %s", type, name, error_text (e));
            continue;
        }
        int got = -1;
        size_t size = sizeof got;
        int rc = zmq_getsockopt (s, ZMQ_TYPE, &got, &size);
        int safe = get_int (s, ZMQ_THREAD_SAFE);
        say ("zmq_socket (%d %s) -> object; ZMQ_TYPE %d -> %d; thread safe %d",
             type, name, rc, got, safe);
        R (zmq_close (s));
    }
    P (zmq_socket (ctx, 1000));

    SECTION ("inproc");
    void *server = zmq_socket (ctx, ZMQ_PAIR);
    void *client = zmq_socket (ctx, ZMQ_PAIR);
    NOT_NULL (server);
    NOT_NULL (client);
    set_int (server, ZMQ_RCVTIMEO, 5000);
    set_int (client, ZMQ_RCVTIMEO, 5000);
    R (zmq_bind (server, "inproc://life"));
    R (zmq_bind (client, "inproc://life"));
    R (zmq_bind (server, "inproc://life-second"));
    R (zmq_connect (client, "inproc://life"));
    send_str (client, "ping", 0);
    recv_str (server);
    R (zmq_unbind (server, "inproc://nothing"));
    R (zmq_disconnect (client, "inproc://nothing"));
    R (zmq_disconnect (client, "inproc://life"));
    R (zmq_disconnect (client, "inproc://life"));
    R (zmq_unbind (server, "inproc://life"));
    R (zmq_unbind (server, "inproc://life"));
    R (zmq_unbind (server, "inproc://life-second"));
    /* connect before bind (fresh sockets: a PAIR keeps a disconnected
     * pipe until the peer acknowledges its end) */
    void *late_client = zmq_socket (ctx, ZMQ_PAIR);
    void *late_server = zmq_socket (ctx, ZMQ_PAIR);
    set_int (late_server, ZMQ_RCVTIMEO, 2000);
    set_int (late_client, ZMQ_LINGER, 0);
    R (zmq_connect (late_client, "inproc://life-late"));
    send_str (late_client, "early", ZMQ_DONTWAIT);
    R (zmq_bind (late_server, "inproc://life-late"));
    recv_str (late_server);
    send_str (late_client, "after bind", ZMQ_DONTWAIT);
    recv_str (late_server);
    R (zmq_close (late_client));
    R (zmq_close (late_server));
    R (zmq_bind (server, "inproc://"));
    R (zmq_connect (client, "inproc://"));

    SECTION ("bad endpoints");
    R (zmq_bind (server, "bogus://x"));
    R (zmq_connect (server, "bogus://x"));
    R (zmq_bind (server, "no-scheme"));
    R (zmq_connect (server, "no-scheme"));
    R (zmq_bind (server, "tcp://"));
    R (zmq_bind (server, "tcp://127.0.0.1"));
    R (zmq_bind (server, "tcp://127.0.0.1:"));
    R (zmq_bind (server, "tcp://127.0.0.1:notaport"));
    R (zmq_connect (server, "tcp://127.0.0.1:70000"));
    R (zmq_bind (server, "tcp://no.such.host.invalid:5555"));
    R (zmq_bind (server, "tcp://192.0.2.1:5555"));
    R (zmq_connect (server, "tcp://127.0.0.1"));
    R (zmq_connect (server, "tcp://127.0.0.1:*"));
    R (zmq_connect (server, "tcp://:5555"));
    R (zmq_bind (server, "pgm://127.0.0.1;239.192.1.1:5555"));
    R (zmq_bind (server, "udp://127.0.0.1:5555"));
    R (zmq_bind (server, "ipc://"));
    R (zmq_bind (server, "ipc:///no/such/directory/sock"));
    R (zmq_unbind (server, "tcp://127.0.0.1:1"));
    R (zmq_disconnect (server, "tcp://127.0.0.1:1"));

    SECTION ("tcp with a wildcard port, resolved in ZMQ_LAST_ENDPOINT");
    void *tcp = zmq_socket (ctx, ZMQ_PULL);
    set_int (tcp, ZMQ_RCVTIMEO, 5000);
    R (zmq_bind (tcp, "tcp://127.0.0.1:*"));
    char endpoint[256];
    size_t size = sizeof endpoint;
    R (zmq_getsockopt (tcp, ZMQ_LAST_ENDPOINT, endpoint, &size));
    say ("last endpoint: %s", masked (endpoint));
    CHECK (size == strlen (endpoint) + 1);
    R (zmq_bind (tcp, endpoint));
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    R (zmq_connect (push, endpoint));
    R (zmq_connect (push, endpoint));
    send_str (push, "over tcp", 0);
    recv_str (tcp);
    R (zmq_disconnect (push, endpoint));
    R (zmq_disconnect (push, endpoint));
    R (zmq_unbind (tcp, endpoint));
    R (zmq_unbind (tcp, endpoint));
    /* the unresolved wildcard names no endpoint */
    R (zmq_bind (tcp, "tcp://127.0.0.1:*"));
    R (zmq_unbind (tcp, "tcp://127.0.0.1:*"));
    R (zmq_bind (tcp, "tcp://*:*"));
    size = sizeof endpoint;
    R (zmq_getsockopt (tcp, ZMQ_LAST_ENDPOINT, endpoint, &size));
    say ("last endpoint: %s", masked (endpoint));
    R (zmq_unbind (tcp, endpoint));
    /* the port in use */
    R (zmq_bind (tcp, "tcp://127.0.0.1:*"));
    size = sizeof endpoint;
    R (zmq_getsockopt (tcp, ZMQ_LAST_ENDPOINT, endpoint, &size));
    void *other = zmq_socket (ctx, ZMQ_PULL);
    R (zmq_bind (other, endpoint));
    R (zmq_close (other));
    R (zmq_close (push));
    R (zmq_close (tcp));

    SECTION ("ipc");
    char path[128], ipc[160];
    snprintf (path, sizeof path, "/tmp/zmq-capi-life-%d", (int) getpid ());
    snprintf (ipc, sizeof ipc, "ipc://%s", path);
    void *ipc_pull = zmq_socket (ctx, ZMQ_PULL);
    set_int (ipc_pull, ZMQ_RCVTIMEO, 5000);
    R (zmq_bind (ipc_pull, ipc));
    size = sizeof endpoint;
    R (zmq_getsockopt (ipc_pull, ZMQ_LAST_ENDPOINT, endpoint, &size));
    say ("last endpoint: %s", masked (endpoint));
    CHECK (access (path, F_OK) == 0);
    void *ipc_push = zmq_socket (ctx, ZMQ_PUSH);
    R (zmq_connect (ipc_push, ipc));
    send_str (ipc_push, "over ipc", 0);
    recv_str (ipc_pull);
    R (zmq_close (ipc_push));
    R (zmq_unbind (ipc_pull, ipc));
    R (zmq_bind (ipc_pull, ipc));
    R (zmq_close (ipc_pull));
    R (zmq_bind (server, "ipc://*"));
    size = sizeof endpoint;
    R (zmq_getsockopt (server, ZMQ_LAST_ENDPOINT, endpoint, &size));
    CHECK (strncmp (endpoint, "ipc://", 6) == 0 && strlen (endpoint) > 6);
    unlink (path);

    SECTION ("close and term");
    int linger = 0;
    R (zmq_setsockopt (client, ZMQ_LINGER, &linger, sizeof linger));
    R (zmq_close (server));
    R (zmq_close (client));
    R (zmq_ctx_term (ctx));
    say ("done");
    return 0;
}
