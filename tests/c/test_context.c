/* Contexts: create, options, shutdown, term; version and capabilities;
 * the old names. Prints what it observes. */
#define _DEFAULT_SOURCE /* fork, alarm */
#include "testutil.h"
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

static long now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int main (void)
{
    SECTION ("version");
    int major = 0, minor = 0, patch = 0;
    zmq_version (&major, &minor, &patch);
    say ("zmq_version: %d.%d.%d", major, minor, patch);
    VI (ZMQ_VERSION);

    SECTION ("zmq_has");
    const char *capabilities[] = {"ipc", "pgm", "tipc", "norm", "curve",
                                  "gssapi", "draft", "vmci", "udp", "tcp",
                                  "inproc", "ws", "wss", "WS", "WSS", ""};
    for (size_t i = 0; i < sizeof capabilities / sizeof *capabilities; i++)
        say ("zmq_has (\"%s\") = %d", capabilities[i], zmq_has (capabilities[i]));

    SECTION ("defaults");
    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    R (zmq_ctx_get (ctx, ZMQ_IO_THREADS));
    R (zmq_ctx_get (ctx, ZMQ_MAX_SOCKETS));
    R (zmq_ctx_get (ctx, ZMQ_SOCKET_LIMIT));
    R (zmq_ctx_get (ctx, ZMQ_IPV6));
    R (zmq_ctx_get (ctx, ZMQ_BLOCKY));
    R (zmq_ctx_get (ctx, ZMQ_MAX_MSGSZ));
    R (zmq_ctx_get (ctx, ZMQ_MSG_T_SIZE));
    R (zmq_ctx_get (ctx, ZMQ_THREAD_PRIORITY));
    R (zmq_ctx_get (ctx, ZMQ_THREAD_SCHED_POLICY));
    R (zmq_ctx_get (ctx, ZMQ_THREAD_NAME_PREFIX));
    R (zmq_ctx_get (ctx, 9999));
    R (zmq_ctx_get (ctx, -1));

    SECTION ("set and read back");
    R (zmq_ctx_set (ctx, ZMQ_IO_THREADS, 2));
    R (zmq_ctx_get (ctx, ZMQ_IO_THREADS));
    R (zmq_ctx_set (ctx, ZMQ_IO_THREADS, -1));
    R (zmq_ctx_set (ctx, ZMQ_IO_THREADS, 0));
    R (zmq_ctx_get (ctx, ZMQ_IO_THREADS));
    R (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, 2));
    R (zmq_ctx_get (ctx, ZMQ_MAX_SOCKETS));
    R (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, -1));
    R (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, 0));
    R (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, 2));
    R (zmq_ctx_set (ctx, 9999, 1));
    R (zmq_ctx_set (ctx, ZMQ_BLOCKY, 0));
    R (zmq_ctx_get (ctx, ZMQ_BLOCKY));
    R (zmq_ctx_set (ctx, ZMQ_BLOCKY, 7));
    R (zmq_ctx_get (ctx, ZMQ_BLOCKY));
    R (zmq_ctx_set (ctx, ZMQ_IPV6, 1));
    R (zmq_ctx_get (ctx, ZMQ_IPV6));
    R (zmq_ctx_set (ctx, ZMQ_MAX_MSGSZ, 4096));
    R (zmq_ctx_get (ctx, ZMQ_MAX_MSGSZ));
    R (zmq_ctx_set (ctx, ZMQ_MAX_MSGSZ, -1));
    R (zmq_ctx_set (ctx, ZMQ_MSG_T_SIZE, 1));
    R (zmq_ctx_set (ctx, ZMQ_SOCKET_LIMIT, 1));
    R (zmq_ctx_set (ctx, ZMQ_THREAD_PRIORITY, 1));
    R (zmq_ctx_set (ctx, ZMQ_THREAD_SCHED_POLICY, -2));
    R (zmq_ctx_set (ctx, ZMQ_THREAD_NAME_PREFIX, 7));
    R (zmq_ctx_get (ctx, ZMQ_THREAD_NAME_PREFIX));

    SECTION ("ZMQ_MAX_SOCKETS is enforced");
    void *a = P (zmq_socket (ctx, ZMQ_PAIR));
    void *b = P (zmq_socket (ctx, ZMQ_PAIR));
    void *c = P (zmq_socket (ctx, ZMQ_PAIR));
    if (c)
        R (zmq_close (c));
    /* a new limit after the first socket */
    R (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, 10));
    R (zmq_ctx_get (ctx, ZMQ_MAX_SOCKETS));
    c = P (zmq_socket (ctx, ZMQ_PAIR));
    if (c)
        R (zmq_close (c));
    R (zmq_close (a));
    R (zmq_close (b));
    /* settings after the first socket */
    R (zmq_ctx_set (ctx, ZMQ_IO_THREADS, 3));
    R (zmq_ctx_get (ctx, ZMQ_IO_THREADS));

    SECTION ("shutdown then term");
    R (zmq_ctx_shutdown (ctx));
    R (zmq_ctx_shutdown (ctx));
    P (zmq_socket (ctx, ZMQ_PAIR));
    R (zmq_ctx_get (ctx, ZMQ_IO_THREADS));
    R (zmq_ctx_set (ctx, ZMQ_BLOCKY, 0));
    R (zmq_ctx_term (ctx));

    SECTION ("NULL handles");
    R (zmq_ctx_term (NULL));
    R (zmq_ctx_shutdown (NULL));
    R (zmq_ctx_get (NULL, ZMQ_IO_THREADS));
    R (zmq_ctx_set (NULL, ZMQ_IO_THREADS, 1));
    P (zmq_socket (NULL, ZMQ_PAIR));
    R (zmq_term (NULL));
    R (zmq_ctx_destroy (NULL));

    SECTION ("term with a socket still open: closed from the same thread");
    ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    void *s = P (zmq_socket (ctx, ZMQ_PUSH));
    R (zmq_connect (s, "tcp://127.0.0.1:1"));
    send_str (s, "queued", ZMQ_DONTWAIT);
    R (zmq_ctx_shutdown (ctx));
    int linger = 0;
    R (zmq_setsockopt (s, ZMQ_LINGER, &linger, sizeof linger));
    R (zmq_close (s));
    R (zmq_ctx_term (ctx));

    SECTION ("context options seen by new sockets");
    ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    void *before = zmq_socket (ctx, ZMQ_PAIR);
    VI (get_int (before, ZMQ_LINGER));
    VI (get_int (before, ZMQ_IPV6));
    R (zmq_ctx_set (ctx, ZMQ_BLOCKY, 0));
    R (zmq_ctx_set (ctx, ZMQ_IPV6, 1));
    void *after = zmq_socket (ctx, ZMQ_PAIR);
    VI (get_int (after, ZMQ_LINGER));
    VI (get_int (after, ZMQ_IPV6));
    VI (get_int (before, ZMQ_LINGER));
    R (zmq_close (before));
    R (zmq_close (after));
    /* not blocky: term does not wait for unsent messages */
    void *pending = zmq_socket (ctx, ZMQ_PUSH);
    R (zmq_connect (pending, "tcp://127.0.0.1:1"));
    send_str (pending, "never delivered", ZMQ_DONTWAIT);
    R (zmq_close (pending));
    R (zmq_ctx_term (ctx));

    SECTION ("term waits for ZMQ_LINGER with unsent messages");
    ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    void *lingering = zmq_socket (ctx, ZMQ_PUSH);
    set_int (lingering, ZMQ_LINGER, 300);
    R (zmq_connect (lingering, "tcp://127.0.0.1:1"));
    send_str (lingering, "unsent", ZMQ_DONTWAIT);
    R (zmq_close (lingering));
    long started = now_ms ();
    R (zmq_ctx_term (ctx));
    long waited = now_ms () - started;
    say ("term waited >= 250 ms: %s, < 3000 ms: %s", waited >= 250 ? "yes" : "no",
         waited < 3000 ? "yes" : "no");

    SECTION ("the old names");
    void *old = P (zmq_init (1));
    if (old)
        R (zmq_term (old));
    old = P (zmq_init (0));
    if (old)
        R (zmq_ctx_destroy (old));
    P (zmq_init (-1));

    SECTION ("a context used across fork");
    {
        void *parent = zmq_ctx_new ();
        void *pull = zmq_socket (parent, ZMQ_PULL);
        set_int (pull, ZMQ_RCVTIMEO, 10000);
        SETUP_OK (zmq_bind (pull, "tcp://127.0.0.1:*"));
        char endpoint[256];
        last_endpoint (pull, endpoint, sizeof endpoint);
        pid_t pid = fork ();
        if (pid == 0) {
            /* the child: prints nothing; its exit status tells */
            alarm (20);
            zmq_close (pull);
            zmq_ctx_term (parent);
            void *child = zmq_ctx_new ();
            void *push = zmq_socket (child, ZMQ_PUSH);
            if (zmq_connect (push, endpoint) != 0)
                _exit (2);
            for (int i = 0; i < 3; i++)
                if (zmq_send (push, "Hello", 5, 0) != 5)
                    _exit (3);
            zmq_close (push);
            zmq_ctx_term (child);
            _exit (0);
        }
        for (int i = 0; i < 3; i++)
            recv_str (pull);
        int status = -1;
        while (waitpid (pid, &status, 0) == -1 && errno == EINTR)
            ;
        say ("child exited: %s, status %d", WIFEXITED (status) ? "yes" : "no",
             WIFEXITED (status) ? WEXITSTATUS (status) : -1);
        R (zmq_close (pull));
        R (zmq_ctx_term (parent));
    }

    SECTION ("several contexts at once");
    void *one = zmq_ctx_new ();
    void *two = zmq_ctx_new ();
    NOT_NULL (one);
    NOT_NULL (two);
    void *x = zmq_socket (one, ZMQ_PAIR);
    void *y = zmq_socket (two, ZMQ_PAIR);
    R (zmq_bind (x, "inproc://shared-name"));
    R (zmq_bind (y, "inproc://shared-name"));
    R (zmq_close (x));
    R (zmq_close (y));
    R (zmq_ctx_term (one));
    R (zmq_ctx_term (two));
    say ("done");
    return 0;
}
