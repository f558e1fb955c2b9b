/* The draft zmq_poller_*: sockets and descriptors with user data, wait,
 * wait_all, modify, remove, timeouts and errors. */
#define ZMQ_BUILD_DRAFT_API
#include "testutil.h"
#include <unistd.h>

int main (void)
{
    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    void *a = zmq_socket (ctx, ZMQ_PAIR);
    void *b = zmq_socket (ctx, ZMQ_PAIR);
    OK (zmq_bind (a, "inproc://c-poller"));
    OK (zmq_connect (b, "inproc://c-poller"));
    int fds[2];
    CHECK (pipe (fds) == 0);

    void *poller = zmq_poller_new ();
    NOT_NULL (poller);
    int tag_a = 1, tag_fd = 2;
    CHECK (zmq_poller_size (poller) == 0);
    OK (zmq_poller_add (poller, a, &tag_a, ZMQ_POLLIN));
    R (zmq_poller_add (poller, a, &tag_a, ZMQ_POLLIN));
    R (zmq_poller_add (poller, NULL, NULL, ZMQ_POLLIN));
    OK (zmq_poller_add_fd (poller, fds[0], &tag_fd, ZMQ_POLLIN));
    R (zmq_poller_add_fd (poller, fds[0], NULL, ZMQ_POLLIN));
    R (zmq_poller_add_fd (poller, -1, NULL, ZMQ_POLLIN));
    CHECK (zmq_poller_size (poller) == 2);

    /* nothing ready */
    zmq_poller_event_t event;
    R (zmq_poller_wait (poller, &event, 0));
    CHECK (event.socket == NULL && event.user_data == NULL);
    R (zmq_poller_wait (poller, &event, 20));

    /* a socket event */
    send_str (b, "ping", 0);
    OK (zmq_poller_wait (poller, &event, 5000));
    CHECK (event.socket == a);
    CHECK (event.user_data == &tag_a);
    CHECK (event.events == ZMQ_POLLIN);
    CHECK (event.fd == -1);
    recv_str (a);

    /* a descriptor event */
    CHECK (write (fds[1], "x", 1) == 1);
    OK (zmq_poller_wait (poller, &event, 5000));
    CHECK (event.socket == NULL);
    CHECK (event.fd == fds[0]);
    CHECK (event.user_data == &tag_fd);
    CHECK (event.events == ZMQ_POLLIN);

    /* both at once through wait_all */
    send_str (b, "pong", 0);
    zmq_poller_event_t events[2];
    int found = 0;
    for (int tries = 0; tries < 100 && found < 2; tries++)
        found = zmq_poller_wait_all (poller, events, 2, 5000);
    CHECK (found == 2);
    CHECK (events[0].socket == a && events[1].fd == fds[0]);
    R (zmq_poller_wait_all (poller, NULL, 2, 0));
    R (zmq_poller_wait_all (poller, events, -1, 0));

    /* modify: watch for output only */
    OK (zmq_poller_modify (poller, a, ZMQ_POLLOUT));
    OK (zmq_poller_modify_fd (poller, fds[0], 0));
    OK (zmq_poller_wait (poller, &event, 0));
    CHECK (event.socket == a && event.events == ZMQ_POLLOUT);
    R (zmq_poller_modify (poller, b, ZMQ_POLLIN));
    R (zmq_poller_modify_fd (poller, fds[1], ZMQ_POLLIN));

    /* remove */
    OK (zmq_poller_remove (poller, a));
    R (zmq_poller_remove (poller, a));
    OK (zmq_poller_remove_fd (poller, fds[0]));
    R (zmq_poller_remove_fd (poller, fds[0]));
    R (zmq_poller_remove_fd (poller, -1));
    CHECK (zmq_poller_size (poller) == 0);
    /* nothing to watch: an endless wait is refused */
    R (zmq_poller_wait (poller, &event, -1));
    R (zmq_poller_wait (poller, &event, 0));

    zmq_fd_t own;
    R (zmq_poller_fd (poller, &own));
    OK (zmq_poller_destroy (&poller));
    CHECK (poller == NULL);
    R (zmq_poller_destroy (&poller));
    R (zmq_poller_size (NULL));

    close (fds[0]);
    close (fds[1]);
    OK (zmq_close (a));
    OK (zmq_close (b));
    OK (zmq_ctx_term (ctx));
    return 0;
}
