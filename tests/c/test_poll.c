/* zmq_poll over sockets and raw descriptors: readiness, timeouts. */
#include "testutil.h"
#include <time.h>
#include <unistd.h>

static long now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int main (void)
{
    void *ctx = zmq_ctx_new ();
    void *a = zmq_socket (ctx, ZMQ_PAIR);
    void *b = zmq_socket (ctx, ZMQ_PAIR);
    OK (zmq_bind (a, "tcp://127.0.0.1:*"));
    char endpoint[256];
    size_t size = sizeof endpoint;
    OK (zmq_getsockopt (a, ZMQ_LAST_ENDPOINT, endpoint, &size));
    OK (zmq_connect (b, endpoint));

    zmq_pollitem_t items[3];
    memset (items, 0, sizeof items);
    items[0].socket = a;
    items[0].events = ZMQ_POLLIN;
    items[1].socket = b;
    items[1].events = ZMQ_POLLIN;

    /* nothing to read: a zero timeout returns at once */
    CHECK (zmq_poll (items, 2, 0) == 0);
    CHECK (items[0].revents == 0 && items[1].revents == 0);

    /* a finite timeout expires */
    long start = now_ms ();
    CHECK (zmq_poll (items, 2, 50) == 0);
    CHECK (now_ms () - start >= 45);

    /* data makes the item readable, within an infinite wait */
    send_str (b, "wake", 0);
    CHECK (zmq_poll (items, 2, -1) == 1);
    CHECK (items[0].revents == ZMQ_POLLIN);
    CHECK (items[1].revents == 0);
    recv_str (a);

    /* POLLOUT */
    items[0].events = ZMQ_POLLOUT;
    CHECK (zmq_poll (items, 1, 1000) == 1);
    CHECK (items[0].revents == ZMQ_POLLOUT);

    /* a raw descriptor next to a socket */
    int fds[2];
    CHECK (pipe (fds) == 0);
    items[0].events = ZMQ_POLLIN;
    items[2].socket = NULL;
    items[2].fd = fds[0];
    items[2].events = ZMQ_POLLIN;
    CHECK (zmq_poll (items, 3, 0) == 0);
    CHECK (write (fds[1], "x", 1) == 1);
    CHECK (zmq_poll (items, 3, 1000) == 1);
    CHECK (items[2].revents == ZMQ_POLLIN);
    close (fds[0]);
    close (fds[1]);

    /* no items: sleeps for the timeout */
    CHECK (zmq_poll (NULL, 0, 0) == 0);
    CHECK (zmq_poll (NULL, 0, 10) == 0);
    R (zmq_poll (NULL, 1, 0));
    R (zmq_poll (items, -1, 0));

    /* a closed socket in the set */
    OK (zmq_close (b));
    items[0].socket = b;
    R (zmq_poll (items, 1, 0));

    OK (zmq_close (a));
    OK (zmq_ctx_term (ctx));
    puts ("test_poll: ok");
    return 0;
}
