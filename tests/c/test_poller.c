/* The draft zmq_poller_*: sockets and descriptors with user data, wait,
 * wait_all, modify, remove, timeouts and errors; zmq_poller_fd on a
 * poller of thread-safe sockets. Prints what it observes. */
#define ZMQ_BUILD_DRAFT_API
#include "testutil.h"

static void *a, *b;
static int fds[2];
static int tag_a = 1, tag_fd = 2;

static void show_event (const char *what, zmq_poller_event_t *e)
{
    const char *socket = e->socket == a   ? "a"
                         : e->socket == b ? "b"
                         : e->socket == NULL ? "NULL"
                                             : "other";
    const char *data = e->user_data == &tag_a    ? "&tag_a"
                       : e->user_data == &tag_fd ? "&tag_fd"
                       : e->user_data == NULL    ? "NULL"
                                                 : "other";
    const char *fd = e->fd == fds[0] ? "fds[0]" : e->fd == -1 ? "-1" : e->fd == 0 ? "0" : "other";
    say ("%s: socket %s, fd %s, user_data %s, events %d", what, socket, fd, data,
         e->events);
}

int main (void)
{
    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    a = zmq_socket (ctx, ZMQ_PAIR);
    b = zmq_socket (ctx, ZMQ_PAIR);
    SETUP_OK (zmq_bind (a, "inproc://c-poller"));
    SETUP_OK (zmq_connect (b, "inproc://c-poller"));
    SETUP (pipe (fds) == 0);

    SECTION ("add");
    void *poller = P (zmq_poller_new ());
    NOT_NULL (poller);
    R (zmq_poller_size (poller));
    R (zmq_poller_add (poller, a, &tag_a, ZMQ_POLLIN));
    R (zmq_poller_add (poller, a, &tag_a, ZMQ_POLLIN));
    R (zmq_poller_add (poller, NULL, NULL, ZMQ_POLLIN));
    R (zmq_poller_add_fd (poller, fds[0], &tag_fd, ZMQ_POLLIN));
    R (zmq_poller_add_fd (poller, fds[0], NULL, ZMQ_POLLIN));
    R (zmq_poller_add_fd (poller, -1, NULL, ZMQ_POLLIN));
    R (zmq_poller_size (poller));

    SECTION ("nothing ready");
    zmq_poller_event_t event;
    memset (&event, 0x55, sizeof event);
    R (zmq_poller_wait (poller, &event, 0));
    show_event ("after EAGAIN", &event);
    R (zmq_poller_wait (poller, &event, 20));

    SECTION ("a socket event");
    send_str (b, "ping", 0);
    R (zmq_poller_wait (poller, &event, 5000));
    show_event ("event", &event);
    recv_str (a);

    SECTION ("a descriptor event");
    SETUP (write (fds[1], "x", 1) == 1);
    R (zmq_poller_wait (poller, &event, 5000));
    show_event ("event", &event);

    SECTION ("both at once through wait_all");
    send_str (b, "pong", 0);
    zmq_poller_event_t events[3];
    memset (events, 0, sizeof events);
    R (zmq_poller_wait_all (poller, events, 3, 5000));
    show_event ("events[0]", &events[0]);
    show_event ("events[1]", &events[1]);
    R (zmq_poller_wait_all (poller, events, 1, 5000));
    show_event ("events[0]", &events[0]);
    R (zmq_poller_wait_all (poller, NULL, 2, 0));
    R (zmq_poller_wait_all (poller, events, -1, 0));
    R (zmq_poller_wait_all (poller, events, 0, 0));

    SECTION ("modify: watch for output only");
    R (zmq_poller_modify (poller, a, ZMQ_POLLOUT));
    R (zmq_poller_modify_fd (poller, fds[0], 0));
    memset (events, 0, sizeof events);
    R (zmq_poller_wait_all (poller, events, 3, 0));
    show_event ("events[0]", &events[0]);
    R (zmq_poller_modify (poller, b, ZMQ_POLLIN));
    R (zmq_poller_modify_fd (poller, fds[1], ZMQ_POLLIN));
    R (zmq_poller_modify (poller, NULL, ZMQ_POLLIN));
    R (zmq_poller_modify_fd (poller, -1, ZMQ_POLLIN));

    SECTION ("remove");
    R (zmq_poller_remove (poller, a));
    R (zmq_poller_remove (poller, a));
    R (zmq_poller_remove (poller, NULL));
    R (zmq_poller_remove_fd (poller, fds[0]));
    R (zmq_poller_remove_fd (poller, fds[0]));
    R (zmq_poller_remove_fd (poller, -1));
    R (zmq_poller_size (poller));
    /* nothing to watch */
    R (zmq_poller_wait (poller, &event, -1));
    R (zmq_poller_wait (poller, &event, 0));
    R (zmq_poller_wait (poller, &event, 10));
    R (zmq_poller_wait_all (poller, events, 3, 0));

    SECTION ("re-add after remove");
    R (zmq_poller_add (poller, a, NULL, ZMQ_POLLIN));
    send_str (b, "again", 0);
    R (zmq_poller_wait (poller, &event, 5000));
    show_event ("event", &event);
    recv_str (a);

    SECTION ("event masks beyond POLLIN|POLLOUT|POLLERR|POLLPRI");
    R (zmq_poller_add (poller, b, NULL, 0x7fff));
    R (zmq_poller_add (poller, b, NULL, 0));
    R (zmq_poller_modify (poller, b, 0x7fff));
    R (zmq_poller_modify (poller, b, ZMQ_POLLIN | ZMQ_POLLOUT | ZMQ_POLLERR | ZMQ_POLLPRI));
    R (zmq_poller_remove (poller, b));
    R (zmq_poller_add_fd (poller, fds[1], NULL, 0x7fff));
    R (zmq_poller_add_fd (poller, fds[1], NULL, 0));
    R (zmq_poller_modify_fd (poller, fds[1], 0x7fff));
    R (zmq_poller_remove_fd (poller, fds[1]));

    SECTION ("zmq_poller_fd");
    zmq_fd_t own;
    R (zmq_poller_fd (poller, &own));
    R (zmq_poller_destroy (&poller));
    CHECK (poller == NULL);
    R (zmq_poller_destroy (&poller));
    R (zmq_poller_destroy (NULL));
    R (zmq_poller_size (NULL));
    R (zmq_poller_add (NULL, a, NULL, ZMQ_POLLIN));
    R (zmq_poller_wait (NULL, &event, 0));

    /* thread-safe sockets only: a poller with its own descriptor */
    void *server = zmq_socket (ctx, ZMQ_SERVER);
    void *client = zmq_socket (ctx, ZMQ_CLIENT);
    SETUP_OK (zmq_bind (server, "inproc://c-poller-server"));
    SETUP_OK (zmq_connect (client, "inproc://c-poller-server"));
    poller = zmq_poller_new ();
    R (zmq_poller_add (poller, server, NULL, ZMQ_POLLIN));
    R (zmq_poller_fd (poller, &own));
    send_str (client, "safe", 0);
    R (zmq_poller_wait (poller, &event, 5000));
    say ("event: socket is server %s, events %d", event.socket == server ? "yes" : "no",
         event.events);
    R (zmq_poller_add (poller, a, NULL, ZMQ_POLLIN));
    R (zmq_poller_fd (poller, &own));
    R (zmq_poller_destroy (&poller));
    R (zmq_close (server));
    R (zmq_close (client));

    SECTION ("zmq_poll with a thread-safe socket");
    server = zmq_socket (ctx, ZMQ_SERVER);
    zmq_pollitem_t item = {server, 0, ZMQ_POLLIN, 0};
    R (zmq_poll (&item, 1, 0));
    R (zmq_close (server));

    close (fds[0]);
    close (fds[1]);
    R (zmq_close (a));
    R (zmq_close (b));
    R (zmq_ctx_term (ctx));
    say ("done");
    return 0;
}
