/* Contexts: create, options, shutdown, term; version and capabilities. */
#include "testutil.h"

int main (void)
{
    int major = 0, minor = 0, patch = 0;
    zmq_version (&major, &minor, &patch);
    CHECK (major == 4 && minor == 3 && patch == 5);
    CHECK (ZMQ_VERSION == 40305);

    CHECK (zmq_has ("ipc") == 1);
    CHECK (zmq_has ("curve") == 1);
    CHECK (zmq_has ("pgm") == 0);
    CHECK (zmq_has ("draft") == 0);
    CHECK (zmq_has (NULL) == 0);

    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    CHECK (zmq_ctx_get (ctx, ZMQ_IO_THREADS) == ZMQ_IO_THREADS_DFLT);
    CHECK (zmq_ctx_get (ctx, ZMQ_MAX_SOCKETS) == ZMQ_MAX_SOCKETS_DFLT);
    CHECK (zmq_ctx_get (ctx, ZMQ_MSG_T_SIZE) == (int) sizeof (zmq_msg_t));
    OK (zmq_ctx_set (ctx, ZMQ_IO_THREADS, 2));
    CHECK (zmq_ctx_get (ctx, ZMQ_IO_THREADS) == 2);
    OK (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, 2));
    CHECK (zmq_ctx_get (ctx, ZMQ_MAX_SOCKETS) == 2);
    FAILS (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, -1), EINVAL);
    FAILS (zmq_ctx_set (ctx, 9999, 1), EINVAL);
    FAILS (zmq_ctx_get (ctx, 9999), EINVAL);
    OK (zmq_ctx_set (ctx, ZMQ_BLOCKY, 0));
    CHECK (zmq_ctx_get (ctx, ZMQ_BLOCKY) == 0);

    /* ZMQ_MAX_SOCKETS is enforced. */
    void *a = zmq_socket (ctx, ZMQ_PAIR);
    void *b = zmq_socket (ctx, ZMQ_PAIR);
    NOT_NULL (a);
    NOT_NULL (b);
    errno = 0;
    CHECK (zmq_socket (ctx, ZMQ_PAIR) == NULL);
    CHECK (errno == EMFILE);
    OK (zmq_close (a));
    OK (zmq_close (b));

    OK (zmq_ctx_shutdown (ctx));
    errno = 0;
    CHECK (zmq_socket (ctx, ZMQ_PAIR) == NULL);
    CHECK (errno == ETERM);
    OK (zmq_ctx_term (ctx));
    /* The handle is gone: refused, not a crash. */
    FAILS (zmq_ctx_term (ctx), EFAULT);
    FAILS (zmq_ctx_get (ctx, ZMQ_IO_THREADS), EFAULT);
    FAILS (zmq_ctx_term (NULL), EFAULT);

    /* The old names. */
    void *old = zmq_init (1);
    NOT_NULL (old);
    OK (zmq_term (old));
    old = zmq_init (1);
    NOT_NULL (old);
    OK (zmq_ctx_destroy (old));
    errno = 0;
    CHECK (zmq_init (-1) == NULL);
    CHECK (errno == EINVAL);

    CHECK (strcmp (zmq_strerror (ETERM), "Context was terminated") == 0);
    CHECK (strcmp (zmq_strerror (EFSM),
                   "Operation cannot be accomplished in current state")
           == 0);
    CHECK (strlen (zmq_strerror (EAGAIN)) > 0);
    puts ("test_context: ok");
    return 0;
}
