/* zmq_poll over sockets and raw descriptors: readiness, timeouts,
 * POLLOUT by socket type and HWM, ZMQ_FD / ZMQ_EVENTS. Prints what it
 * observes (timings only as properties). */
#include "testutil.h"
#include <time.h>

static long now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void show_revents (zmq_pollitem_t *items, int n)
{
    char line[256] = "revents:";
    for (int i = 0; i < n; i++) {
        size_t used = strlen (line);
        snprintf (line + used, sizeof line - used, " %d", items[i].revents);
    }
    say ("%s", line);
}

int main (void)
{
    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    void *a = zmq_socket (ctx, ZMQ_PAIR);
    void *b = zmq_socket (ctx, ZMQ_PAIR);
    SETUP_OK (zmq_bind (a, "tcp://127.0.0.1:*"));
    char endpoint[256];
    last_endpoint (a, endpoint, sizeof endpoint);
    SETUP_OK (zmq_connect (b, endpoint));

    zmq_pollitem_t items[3];
    memset (items, 0, sizeof items);
    items[0].socket = a;
    items[0].events = ZMQ_POLLIN;
    items[1].socket = b;
    items[1].events = ZMQ_POLLIN;

    SECTION ("nothing to read");
    R (zmq_poll (items, 2, 0));
    show_revents (items, 2);
    long start = now_ms ();
    R (zmq_poll (items, 2, 50));
    long waited = now_ms () - start;
    say ("waited >= 45 ms: %s, < 2000 ms: %s", waited >= 45 ? "yes" : "no",
         waited < 2000 ? "yes" : "no");

    SECTION ("data makes the item readable");
    send_str (b, "wake", 0);
    R (zmq_poll (items, 2, 5000));
    show_revents (items, 2);
    R (get_int (a, ZMQ_EVENTS));
    recv_str (a);
    R (zmq_poll (items, 2, 0));
    show_revents (items, 2);
    R (get_int (a, ZMQ_EVENTS));

    SECTION ("POLLOUT, POLLIN|POLLOUT, POLLERR, POLLPRI");
    items[0].events = ZMQ_POLLOUT;
    R (zmq_poll (items, 1, 1000));
    show_revents (items, 1);
    items[0].events = ZMQ_POLLIN | ZMQ_POLLOUT | ZMQ_POLLERR | ZMQ_POLLPRI;
    R (zmq_poll (items, 1, 1000));
    show_revents (items, 1);
    items[0].events = 0;
    R (zmq_poll (items, 1, 0));
    show_revents (items, 1);

    SECTION ("POLLOUT by socket type, unconnected");
    const int types[] = {ZMQ_PUB, ZMQ_SUB, ZMQ_REQ, ZMQ_REP, ZMQ_DEALER,
                         ZMQ_ROUTER, ZMQ_PULL, ZMQ_PUSH, ZMQ_XPUB, ZMQ_XSUB, ZMQ_PAIR};
    const char *names[] = {"PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER",
                           "PULL", "PUSH", "XPUB", "XSUB", "PAIR"};
    for (int i = 0; i < 11; i++) {
        void *s = zmq_socket (ctx, types[i]);
        zmq_pollitem_t item = {s, 0, ZMQ_POLLIN | ZMQ_POLLOUT, 0};
        int rc = zmq_poll (&item, 1, 0);
        say ("%s: poll -> %d, revents %d, ZMQ_EVENTS %d", names[i], rc,
             item.revents, get_int (s, ZMQ_EVENTS));
        zmq_close (s);
    }

    SECTION ("a full pipe is not writable");
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    set_int (push, ZMQ_SNDHWM, 5);
    set_int (pull, ZMQ_RCVHWM, 5);
    set_int (push, ZMQ_LINGER, 0);
    SETUP_OK (zmq_bind (pull, "inproc://poll-hwm"));
    SETUP_OK (zmq_connect (push, "inproc://poll-hwm"));
    int sent = 0;
    while (sent < 100 && zmq_send (push, "x", 1, ZMQ_DONTWAIT) == 1)
        sent++;
    say ("sent before EAGAIN: %d", sent);
    zmq_pollitem_t out = {push, 0, ZMQ_POLLOUT, 0};
    R (zmq_poll (&out, 1, 0));
    R (get_int (push, ZMQ_EVENTS));
    char buf[8];
    int received = 0;
    while (zmq_recv (pull, buf, sizeof buf, ZMQ_DONTWAIT) == 1)
        received++;
    say ("received: %d", received);
    R (zmq_poll (&out, 1, 1000));
    R (get_int (push, ZMQ_EVENTS));
    zmq_close (push);
    zmq_close (pull);

    SECTION ("a raw descriptor next to a socket");
    int fds[2];
    SETUP (pipe (fds) == 0);
    items[0].events = ZMQ_POLLIN;
    items[2].socket = NULL;
    items[2].fd = fds[0];
    items[2].events = ZMQ_POLLIN;
    R (zmq_poll (items, 3, 0));
    show_revents (items, 3);
    SETUP (write (fds[1], "x", 1) == 1);
    R (zmq_poll (items, 3, 1000));
    show_revents (items, 3);
    /* the write end: always writable */
    zmq_pollitem_t wr = {NULL, fds[1], ZMQ_POLLOUT, 0};
    R (zmq_poll (&wr, 1, 0));
    VI (wr.revents);
    /* the peer closed: readable (EOF) */
    close (fds[1]);
    char c;
    SETUP (read (fds[0], &c, 1) == 1);
    zmq_pollitem_t rd = {NULL, fds[0], ZMQ_POLLIN, 0};
    R (zmq_poll (&rd, 1, 1000));
    VI (rd.revents);
    close (fds[0]);

    SECTION ("ZMQ_FD is readable when there is something");
    send_str (b, "fd", 0);
    zmq_fd_t fd;
    size_t size = sizeof fd;
    R (zmq_getsockopt (a, ZMQ_FD, &fd, &size));
    VU (size);
    int events = 0;
    for (int i = 0; i < 100 && !(events & ZMQ_POLLIN); i++) {
        zmq_pollitem_t fd_item = {NULL, fd, ZMQ_POLLIN, 0};
        zmq_poll (&fd_item, 1, 50);
        events = get_int (a, ZMQ_EVENTS);
    }
    VI (events & ZMQ_POLLIN);
    recv_str (a);

    SECTION ("argument errors, empty sets");
    R (zmq_poll (NULL, 0, 0));
    R (zmq_poll (NULL, 0, 10));
    R (zmq_poll (items, 0, 0));

    R (zmq_close (b));
    R (zmq_close (a));
    R (zmq_ctx_term (ctx));
    say ("done");
    return 0;
}
