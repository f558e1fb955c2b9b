/* Ours only (not compared with libzmq, where these are use-after-free or
 * NULL dereferences: undefined behaviour): stale and bogus handles are
 * refused with an error instead of being dereferenced. See README.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf (stderr, "%s:%d: check failed: %s (errno %d)\n",         \
                     __FILE__, __LINE__, #cond, zmq_errno ());                \
            exit (1);                                                         \
        }                                                                     \
    } while (0)
#define FAILS(call, err)                                                      \
    do {                                                                      \
        errno = 0;                                                            \
        CHECK ((call) == -1);                                                 \
        CHECK (zmq_errno () == (err) && errno == (err));                      \
    } while (0)

extern unsigned long long zmq_rs_caught_panics (void);

int main (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    void *a = zmq_socket (ctx, ZMQ_PAIR);
    void *b = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (a && b);
    CHECK (zmq_close (a) == 0);
    CHECK (zmq_close (b) == 0);
    /* closed sockets */
    FAILS (zmq_close (a), ENOTSOCK);
    FAILS (zmq_send (b, "x", 1, 0), ENOTSOCK);
    char buf[8];
    FAILS (zmq_recv (a, buf, sizeof buf, 0), ENOTSOCK);
    int v = 0;
    FAILS (zmq_setsockopt (a, ZMQ_LINGER, &v, sizeof v), ENOTSOCK);
    zmq_pollitem_t item = {a, 0, ZMQ_POLLIN, 0};
    FAILS (zmq_poll (&item, 1, 0), ENOTSOCK);
    /* something that never was a socket */
    int dummy = 0;
    FAILS (zmq_close (&dummy), ENOTSOCK);
    FAILS (zmq_bind (NULL, "inproc://x"), ENOTSOCK);
    FAILS (zmq_recv (NULL, buf, sizeof buf, 0), ENOTSOCK);
    /* NULL endpoints (libzmq asserts) */
    void *c = zmq_socket (ctx, ZMQ_PAIR);
    FAILS (zmq_bind (c, NULL), EINVAL);
    FAILS (zmq_connect (c, NULL), EINVAL);
    FAILS (zmq_unbind (c, NULL), EINVAL);
    FAILS (zmq_disconnect (c, NULL), EINVAL);
    size_t *no_size = NULL;
    FAILS (zmq_getsockopt (c, ZMQ_LINGER, &v, no_size), EFAULT);
    zmq_pollitem_t *no_items = NULL;
    FAILS (zmq_poll (no_items, 1, 0), EFAULT);
    zmq_pollitem_t some[1] = {{c, 0, ZMQ_POLLIN, 0}};
    FAILS (zmq_poll (some, -1, 0), EINVAL);
    FAILS (zmq_device (ZMQ_QUEUE, NULL, NULL), EFAULT);
    CHECK (zmq_close (c) == 0);
    /* NULL messages */
    FAILS (zmq_msg_init (NULL), EFAULT);
    FAILS (zmq_msg_close (NULL), EFAULT);
    CHECK (zmq_ctx_term (ctx) == 0);
    /* a terminated context */
    FAILS (zmq_ctx_term (ctx), EFAULT);
    FAILS (zmq_ctx_get (ctx, ZMQ_IO_THREADS), EFAULT);
    /* zmq-rs extension: no panic was caught at the C boundary */
    CHECK (zmq_rs_caught_panics () == 0);
    puts ("ours_stale_handles: ok");
    return 0;
}
