/* zmq_proxy, zmq_proxy_steerable and zmq_device: a ROUTER/DEALER queue
 * with a capture socket steered over REP (PAUSE, RESUME, STATISTICS,
 * TERMINATE, unknown commands), a PUSH/PULL streamer ended by context
 * termination, argument errors. Prints what it observes (from the main
 * thread only). */
#include "testutil.h"
#include <stdint.h>

struct proxy_args
{
    void *frontend;
    void *backend;
    void *capture;
    void *control;
    int rc;
    int err;
};

static void run_proxy (void *arg)
{
    struct proxy_args *args = (struct proxy_args *) arg;
    if (args->control)
        args->rc = zmq_proxy_steerable (args->frontend, args->backend,
                                        args->capture, args->control);
    else
        args->rc = zmq_proxy (args->frontend, args->backend, args->capture);
    args->err = zmq_errno ();
    zmq_close (args->frontend);
    zmq_close (args->backend);
    if (args->capture)
        zmq_close (args->capture);
    if (args->control)
        zmq_close (args->control);
}

static void *new_socket (void *ctx, int type)
{
    void *s = zmq_socket (ctx, type);
    NOT_NULL (s);
    set_int (s, ZMQ_RCVTIMEO, 5000);
    set_int (s, ZMQ_LINGER, 0);
    return s;
}

/* Receives one whole message; prints its parts (the ROUTER's generated
 * routing id only as its size). */
static void show_message (const char *what, void *s)
{
    char line[512];
    snprintf (line, sizeof line, "%s:", what);
    int more = 1;
    while (more) {
        zmq_msg_t msg;
        zmq_msg_init (&msg);
        errno = 0;
        if (zmq_msg_recv (&msg, s, 0) == -1) {
            size_t used = strlen (line);
            snprintf (line + used, sizeof line - used, " -1 %s", errno_name (errno));
            zmq_msg_close (&msg);
            break;
        }
        size_t n = zmq_msg_size (&msg);
        const unsigned char *d = (const unsigned char *) zmq_msg_data (&msg);
        size_t used = strlen (line);
        if (n == 5 && d[0] == 0)
            snprintf (line + used, sizeof line - used, " [routing id of 5]");
        else
            snprintf (line + used, sizeof line - used, " \"%s\"", printable (d, n));
        more = zmq_msg_more (&msg);
        zmq_msg_close (&msg);
    }
    say ("%s", line);
}

static void statistics (void *steer)
{
    send_str (steer, "STATISTICS", 0);
    char line[256] = "statistics:";
    for (int i = 0; i < 8; i++) {
        zmq_msg_t msg;
        zmq_msg_init (&msg);
        errno = 0;
        if (zmq_msg_recv (&msg, steer, 0) == -1) {
            say ("%s -1 %s", line, errno_name (errno));
            zmq_msg_close (&msg);
            return;
        }
        uint64_t v = 0;
        if (zmq_msg_size (&msg) == sizeof v)
            memcpy (&v, zmq_msg_data (&msg), sizeof v);
        size_t used = strlen (line);
        snprintf (line + used, sizeof line - used, " %llu%s%s", (unsigned long long) v,
                  zmq_msg_size (&msg) == sizeof v ? "" : "(bad size)",
                  zmq_msg_more (&msg) ? "" : ".");
        int more = zmq_msg_more (&msg);
        zmq_msg_close (&msg);
        if (!more)
            break;
    }
    say ("%s", line);
}

/* A request through the queue: does it arrive within `ms`? */
static void try_request (void *client, void *worker, int ms)
{
    send_str (client, "request", 0);
    set_int (worker, ZMQ_RCVTIMEO, ms);
    show_message ("worker got", worker);
    set_int (worker, ZMQ_RCVTIMEO, 5000);
}

static void steerable_queue (void)
{
    SECTION ("steerable queue");
    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    struct proxy_args args;
    memset (&args, 0, sizeof args);
    args.frontend = new_socket (ctx, ZMQ_ROUTER);
    args.backend = new_socket (ctx, ZMQ_DEALER);
    args.capture = new_socket (ctx, ZMQ_PUSH);
    args.control = new_socket (ctx, ZMQ_REP);
    SETUP_OK (zmq_bind (args.frontend, "tcp://127.0.0.1:*"));
    char front[256];
    last_endpoint (args.frontend, front, sizeof front);
    SETUP_OK (zmq_bind (args.backend, "inproc://c-proxy-back"));
    SETUP_OK (zmq_bind (args.capture, "inproc://c-proxy-capture"));
    SETUP_OK (zmq_bind (args.control, "inproc://c-proxy-control"));

    void *captured = new_socket (ctx, ZMQ_PULL);
    SETUP_OK (zmq_connect (captured, "inproc://c-proxy-capture"));
    void *worker = new_socket (ctx, ZMQ_DEALER);
    SETUP_OK (zmq_connect (worker, "inproc://c-proxy-back"));
    void *client = new_socket (ctx, ZMQ_DEALER);
    SETUP_OK (zmq_connect (client, front));
    void *steer = new_socket (ctx, ZMQ_REQ);
    set_int (steer, ZMQ_RCVTIMEO, 1000);
    set_int (steer, ZMQ_REQ_RELAXED, 1);
    SETUP_OK (zmq_connect (steer, "inproc://c-proxy-control"));

    void *thread = zmq_threadstart (run_proxy, &args);
    NOT_NULL (thread);

    send_str (client, "hello", 0);
    show_message ("worker got", worker);
    /* the worker answers to the routing id it got: re-send it */
    zmq_msg_t id;
    zmq_msg_init (&id);
    send_str (client, "hello again", 0);
    R (zmq_msg_recv (&id, worker, 0) >= 0);
    char body[32];
    R (zmq_recv (worker, body, sizeof body, 0));
    R (zmq_msg_send (&id, worker, ZMQ_SNDMORE));
    zmq_msg_close (&id);
    send_str (worker, "world", 0);
    recv_str (client);

    /* capture: each message as the socket that received it saw it */
    show_message ("captured", captured);
    show_message ("captured", captured);
    show_message ("captured", captured);
    statistics (steer);

    /* steering */
    send_str (steer, "PAUSE", 0);
    recv_str (steer);
    try_request (client, worker, 300);
    send_str (steer, "RESUME", 0);
    recv_str (steer);
    try_request (client, worker, 2000);
    /* drain what a pause held back */
    set_int (worker, ZMQ_RCVTIMEO, 300);
    char buf[64];
    int drained = 0;
    while (zmq_recv (worker, buf, sizeof buf, 0) >= 0)
        drained++;
    say ("held back then delivered parts: %d", drained);
    send_str (steer, "NONSENSE", 0);
    recv_str (steer);
    statistics (steer);

    send_str (steer, "TERMINATE", 0);
    recv_str (steer);
    zmq_threadclose (thread);
    say ("proxy -> %d %s", args.rc, args.rc == -1 ? errno_name (args.err) : "");

    zmq_close (captured);
    zmq_close (worker);
    zmq_close (client);
    zmq_close (steer);
    R (zmq_ctx_term (ctx));
}

static void streamer_until_term (void)
{
    SECTION ("streamer ended by zmq_ctx_term");
    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    struct proxy_args args;
    memset (&args, 0, sizeof args);
    args.frontend = new_socket (ctx, ZMQ_PULL);
    args.backend = new_socket (ctx, ZMQ_PUSH);
    SETUP_OK (zmq_bind (args.frontend, "inproc://c-stream-front"));
    SETUP_OK (zmq_bind (args.backend, "inproc://c-stream-back"));
    void *producer = new_socket (ctx, ZMQ_PUSH);
    SETUP_OK (zmq_connect (producer, "inproc://c-stream-front"));
    void *consumer = new_socket (ctx, ZMQ_PULL);
    SETUP_OK (zmq_connect (consumer, "inproc://c-stream-back"));

    void *thread = zmq_threadstart (run_proxy, &args);
    NOT_NULL (thread);
    send_str (producer, "part one", ZMQ_SNDMORE);
    send_str (producer, "part two", 0);
    recv_str (consumer);
    recv_str (consumer);

    R (zmq_close (producer));
    R (zmq_close (consumer));
    /* the proxy fails with ETERM and closes its sockets, so term ends */
    R (zmq_ctx_term (ctx));
    zmq_threadclose (thread);
    say ("proxy -> %d %s", args.rc, args.rc == -1 ? errno_name (args.err) : "");
}

static void device_forwarder (void)
{
    SECTION ("zmq_device (ZMQ_FORWARDER) XSUB/XPUB");
    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    struct proxy_args args;
    memset (&args, 0, sizeof args);
    args.frontend = new_socket (ctx, ZMQ_XSUB);
    args.backend = new_socket (ctx, ZMQ_XPUB);
    SETUP_OK (zmq_bind (args.frontend, "inproc://c-fwd-front"));
    SETUP_OK (zmq_bind (args.backend, "inproc://c-fwd-back"));
    void *pub = new_socket (ctx, ZMQ_PUB);
    SETUP_OK (zmq_connect (pub, "inproc://c-fwd-front"));
    void *sub = new_socket (ctx, ZMQ_SUB);
    SETUP_OK (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0));
    SETUP_OK (zmq_connect (sub, "inproc://c-fwd-back"));
    void *thread = zmq_threadstart (run_proxy, &args);
    NOT_NULL (thread);
    /* the subscription travels through the proxy: publish until it is in */
    zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
    int arrived = 0;
    for (int i = 0; i < 500 && arrived == 0; i++) {
        zmq_send (pub, "tick", 4, 0);
        arrived = zmq_poll (&item, 1, 10);
    }
    say ("arrived: %d", arrived);
    recv_str (sub);
    R (zmq_close (pub));
    R (zmq_close (sub));
    R (zmq_ctx_term (ctx));
    zmq_threadclose (thread);
    say ("proxy -> %d %s", args.rc, args.rc == -1 ? errno_name (args.err) : "");
}

int main (void)
{
    SECTION ("argument errors");
    R (zmq_proxy (NULL, NULL, NULL));
    R (zmq_proxy_steerable (NULL, NULL, NULL, NULL));
    steerable_queue ();
    streamer_until_term ();
    device_forwarder ();
    say ("done");
    return 0;
}
