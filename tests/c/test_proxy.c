/* zmq_proxy, zmq_proxy_steerable and zmq_device: a ROUTER/DEALER queue
 * with a capture socket steered over REP, and a PUSH/PULL streamer ended
 * by context termination. */
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
    int limit = 5000, zero = 0;
    OK (zmq_setsockopt (s, ZMQ_RCVTIMEO, &limit, sizeof limit));
    OK (zmq_setsockopt (s, ZMQ_LINGER, &zero, sizeof zero));
    return s;
}

/* Receives one whole message; returns its part count and copies the
 * last part (NUL-terminated) to `last`. */
static int recv_message (void *s, char *last, size_t cap)
{
    int parts = 0;
    int more = 1;
    while (more) {
        zmq_msg_t msg;
        OK (zmq_msg_init (&msg));
        OK (zmq_msg_recv (&msg, s, 0));
        size_t n = zmq_msg_size (&msg);
        if (n >= cap)
            n = cap - 1;
        memcpy (last, zmq_msg_data (&msg), n);
        last[n] = 0;
        more = zmq_msg_more (&msg);
        OK (zmq_msg_close (&msg));
        parts++;
    }
    return parts;
}

static void steerable_queue (void)
{
    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    struct proxy_args args;
    memset (&args, 0, sizeof args);
    args.frontend = new_socket (ctx, ZMQ_ROUTER);
    args.backend = new_socket (ctx, ZMQ_DEALER);
    args.capture = new_socket (ctx, ZMQ_PUSH);
    args.control = new_socket (ctx, ZMQ_REP);
    OK (zmq_bind (args.frontend, "tcp://127.0.0.1:*"));
    char front[256];
    size_t size = sizeof front;
    OK (zmq_getsockopt (args.frontend, ZMQ_LAST_ENDPOINT, front, &size));
    OK (zmq_bind (args.backend, "inproc://c-proxy-back"));
    OK (zmq_bind (args.capture, "inproc://c-proxy-capture"));
    OK (zmq_bind (args.control, "inproc://c-proxy-control"));

    void *captured = new_socket (ctx, ZMQ_PULL);
    OK (zmq_connect (captured, "inproc://c-proxy-capture"));
    void *worker = new_socket (ctx, ZMQ_REP);
    OK (zmq_connect (worker, "inproc://c-proxy-back"));
    void *client = new_socket (ctx, ZMQ_REQ);
    OK (zmq_connect (client, front));
    void *steer = new_socket (ctx, ZMQ_REQ);
    OK (zmq_connect (steer, "inproc://c-proxy-control"));

    void *thread = zmq_threadstart (run_proxy, &args);
    NOT_NULL (thread);

    send_str (client, "hello", 0);
    recv_str (worker);
    send_str (worker, "world", 0);
    recv_str (client);

    /* capture: the request as the ROUTER saw it (routing id, delimiter,
     * body), then the reply as the DEALER saw it */
    char last[64];
    CHECK (recv_message (captured, last, sizeof last) == 3);
    CHECK (strcmp (last, "hello") == 0);
    CHECK (recv_message (captured, last, sizeof last) == 3);
    CHECK (strcmp (last, "world") == 0);

    /* PAUSE / RESUME get an empty reply on REP */
    send_str (steer, "PAUSE", 0);
    recv_str (steer);
    send_str (steer, "RESUME", 0);
    recv_str (steer);

    /* STATISTICS: eight uint64_t parts */
    send_str (steer, "STATISTICS", 0);
    uint64_t stats[8];
    for (int i = 0; i < 8; i++) {
        zmq_msg_t msg;
        OK (zmq_msg_init (&msg));
        OK (zmq_msg_recv (&msg, steer, 0));
        CHECK (zmq_msg_size (&msg) == sizeof (uint64_t));
        memcpy (&stats[i], zmq_msg_data (&msg), sizeof (uint64_t));
        CHECK (zmq_msg_more (&msg) == (i < 7));
        OK (zmq_msg_close (&msg));
    }
    CHECK (stats[0] == 3); /* frontend messages in */
    CHECK (stats[2] == 3); /* frontend messages out */
    CHECK (stats[3] == stats[1]); /* same envelope both ways, 5 bytes */
    CHECK (stats[4] == 3 && stats[6] == 3);
    CHECK (stats[5] == stats[7]);

    send_str (steer, "TERMINATE", 0);
    recv_str (steer);
    zmq_threadclose (thread);
    CHECK (args.rc == 0);

    OK (zmq_close (captured));
    OK (zmq_close (worker));
    OK (zmq_close (client));
    OK (zmq_close (steer));
    OK (zmq_ctx_term (ctx));
}

static void streamer_until_term (void)
{
    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    struct proxy_args args;
    memset (&args, 0, sizeof args);
    args.frontend = new_socket (ctx, ZMQ_PULL);
    args.backend = new_socket (ctx, ZMQ_PUSH);
    OK (zmq_bind (args.frontend, "inproc://c-stream-front"));
    OK (zmq_bind (args.backend, "inproc://c-stream-back"));
    void *producer = new_socket (ctx, ZMQ_PUSH);
    OK (zmq_connect (producer, "inproc://c-stream-front"));
    void *consumer = new_socket (ctx, ZMQ_PULL);
    OK (zmq_connect (consumer, "inproc://c-stream-back"));

    void *thread = zmq_threadstart (run_proxy, &args);
    NOT_NULL (thread);
    send_str (producer, "part one", ZMQ_SNDMORE);
    send_str (producer, "part two", 0);
    recv_str (consumer);
    int more = 0;
    size_t size = sizeof more;
    OK (zmq_getsockopt (consumer, ZMQ_RCVMORE, &more, &size));
    CHECK (more == 1);
    recv_str (consumer);

    OK (zmq_close (producer));
    OK (zmq_close (consumer));
    /* the proxy fails with ETERM and closes its sockets, so term ends */
    OK (zmq_ctx_term (ctx));
    zmq_threadclose (thread);
    CHECK (args.rc == -1);
    CHECK (args.err == ETERM);
}

int main (void)
{
    R (zmq_proxy (NULL, NULL, NULL));
    R (zmq_proxy_steerable (NULL, NULL, NULL, NULL));
    R (zmq_device (ZMQ_QUEUE, NULL, NULL));
    steerable_queue ();
    streamer_until_term ();
    return 0;
}
