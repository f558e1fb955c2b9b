/* Sending and receiving over inproc, tcp and ipc: single parts,
 * truncation, multipart with ZMQ_RCVMORE, REQ/REP, PUB/SUB, DONTWAIT. */
#include "testutil.h"
#include <unistd.h>

/* A bound and a connected socket of the given types on `endpoint`
 * (wildcards resolved through ZMQ_LAST_ENDPOINT). */
static void pair_up (void *ctx, int bind_type, int connect_type,
                     const char *endpoint, void **bound, void **connected)
{
    *bound = zmq_socket (ctx, bind_type);
    *connected = zmq_socket (ctx, connect_type);
    NOT_NULL (*bound);
    NOT_NULL (*connected);
    int timeout = 5000;
    OK (zmq_setsockopt (*bound, ZMQ_RCVTIMEO, &timeout, sizeof timeout));
    OK (zmq_setsockopt (*connected, ZMQ_RCVTIMEO, &timeout, sizeof timeout));
    OK (zmq_bind (*bound, endpoint));
    char resolved[256];
    size_t size = sizeof resolved;
    OK (zmq_getsockopt (*bound, ZMQ_LAST_ENDPOINT, resolved, &size));
    OK (zmq_connect (*connected, resolved));
}

static void exchange (void *ctx, const char *endpoint)
{
    void *a, *b;
    pair_up (ctx, ZMQ_PAIR, ZMQ_PAIR, endpoint, &a, &b);

    send_str (b, "hello", 0);
    recv_str (a);

    /* truncation: the full size is returned */
    send_str (a, "0123456789", 0);
    char small[4];
    CHECK (zmq_recv (b, small, sizeof small, 0) == 10);
    CHECK (memcmp (small, "0123", 4) == 0);

    /* multipart with an empty part */
    send_str (b, "one", ZMQ_SNDMORE);
    OK (zmq_send (b, NULL, 0, ZMQ_SNDMORE));
    send_str (b, "three", 0);
    int more = 0;
    size_t size = sizeof more;
    recv_str (a);
    OK (zmq_getsockopt (a, ZMQ_RCVMORE, &more, &size));
    CHECK (more == 1);
    CHECK (zmq_recv (a, small, sizeof small, 0) == 0);
    recv_str (a);
    OK (zmq_getsockopt (a, ZMQ_RCVMORE, &more, &size));
    CHECK (more == 0);

    /* a large message through zmq_msg_* */
    zmq_msg_t big;
    OK (zmq_msg_init_size (&big, 100000));
    memset (zmq_msg_data (&big), 'x', 100000);
    CHECK (zmq_msg_send (&big, a, 0) == 100000);
    CHECK (zmq_msg_size (&big) == 0); /* sent: emptied */
    OK (zmq_msg_close (&big));
    zmq_msg_t got;
    OK (zmq_msg_init (&got));
    CHECK (zmq_msg_recv (&got, b, 0) == 100000);
    CHECK (((char *) zmq_msg_data (&got))[99999] == 'x');
    CHECK (zmq_msg_more (&got) == 0);
    OK (zmq_msg_close (&got));

    /* nothing waiting */
    R (zmq_recv (a, small, sizeof small, ZMQ_DONTWAIT));

    OK (zmq_close (a));
    OK (zmq_close (b));
}

static void req_rep (void *ctx, const char *endpoint)
{
    void *rep, *req;
    pair_up (ctx, ZMQ_REP, ZMQ_REQ, endpoint, &rep, &req);
    for (int i = 0; i < 10; i++) {
        send_str (req, "question", 0);
        recv_str (rep);
        send_str (rep, "answer", 0);
        recv_str (req);
    }
    /* lockstep: a REQ cannot send twice */
    send_str (req, "again", 0);
    R (zmq_send (req, "x", 1, 0));
    recv_str (rep);
    send_str (rep, "done", 0);
    recv_str (req);
    OK (zmq_close (rep));
    OK (zmq_close (req));
}

static void pub_sub (void *ctx, const char *endpoint)
{
    void *pub, *sub;
    pair_up (ctx, ZMQ_PUB, ZMQ_SUB, endpoint, &pub, &sub);
    OK (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "news", 4));
    /* the subscription travels asynchronously: publish until one arrives */
    zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
    int arrived = 0;
    for (int i = 0; i < 500 && !arrived; i++) {
        send_str (pub, "weather ignored", 0);
        send_str (pub, "news flash", 0);
        arrived = zmq_poll (&item, 1, 10);
        CHECK (arrived != -1);
    }
    CHECK (arrived == 1);
    recv_str (sub);
    OK (zmq_close (pub));
    OK (zmq_close (sub));
}

int main (void)
{
    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    char ipc[128];
    snprintf (ipc, sizeof ipc, "ipc:///tmp/zmq-capi-sr-%d", (int) getpid ());

    const char *endpoints[] = {"inproc://sendrecv", "tcp://127.0.0.1:*", ipc};
    for (size_t i = 0; i < sizeof endpoints / sizeof *endpoints; i++) {
        exchange (ctx, endpoints[i]);
        req_rep (ctx, endpoints[i]);
        pub_sub (ctx, endpoints[i]);
        printf ("test_sendrecv: %s ok\n", endpoints[i]);
    }
    OK (zmq_ctx_term (ctx));
    puts ("test_sendrecv: ok");
    return 0;
}
