/* Errors: errno set in the C library too, ENOTSOCK on closed sockets,
 * ETERM for a call blocked when the context is terminated. */
#include "testutil.h"
#include <pthread.h>

static void *blocked_socket;
static int blocked_errno;

static void *receive_until_term (void *arg)
{
    (void) arg;
    char buf[8];
    int rc = zmq_recv (blocked_socket, buf, sizeof buf, 0);
    blocked_errno = rc == -1 ? zmq_errno () : 0;
    int linger = 0;
    zmq_setsockopt (blocked_socket, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close (blocked_socket);
    return NULL;
}

int main (void)
{
    void *ctx = zmq_ctx_new ();

    /* EAGAIN in both errno and zmq_errno */
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    OK (zmq_bind (pull, "inproc://errors"));
    char buf[8];
    R (zmq_recv (pull, buf, sizeof buf, ZMQ_DONTWAIT));
    int timeout = 20;
    OK (zmq_setsockopt (pull, ZMQ_RCVTIMEO, &timeout, sizeof timeout));
    R (zmq_recv (pull, buf, sizeof buf, 0));
    /* PULL cannot send */
    R (zmq_send (pull, "x", 1, 0));
    OK (zmq_close (pull));
    R (zmq_recv (pull, buf, sizeof buf, 0));
    R (zmq_setsockopt (pull, ZMQ_LINGER, &timeout, sizeof timeout));
    R (zmq_recv (NULL, buf, sizeof buf, 0));

    /* REP must receive first */
    void *rep = zmq_socket (ctx, ZMQ_REP);
    R (zmq_send (rep, "x", 1, 0));
    OK (zmq_close (rep));

    /* ETERM: a receive blocked in another thread ends when the context is
     * terminated; zmq_ctx_term waits for that thread to close its socket */
    blocked_socket = zmq_socket (ctx, ZMQ_PULL);
    OK (zmq_bind (blocked_socket, "inproc://blocked"));
    pthread_t thread;
    CHECK (pthread_create (&thread, NULL, receive_until_term, NULL) == 0);
    OK (zmq_ctx_term (ctx));
    CHECK (pthread_join (thread, NULL) == 0);
    CHECK (blocked_errno == ETERM);

    /* after shutdown, blocking calls on a live socket fail with ETERM */
    ctx = zmq_ctx_new ();
    void *s = zmq_socket (ctx, ZMQ_PAIR);
    OK (zmq_ctx_shutdown (ctx));
    R (zmq_recv (s, buf, sizeof buf, 0));
    R (zmq_connect (s, "inproc://after"));
    OK (zmq_close (s));
    OK (zmq_ctx_term (ctx));

    CHECK (ETERM == ZMQ_HAUSNUMERO + 53);
    CHECK (EFSM == ZMQ_HAUSNUMERO + 51);
    puts ("test_errors: ok");
    return 0;
}
