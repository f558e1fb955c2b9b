/* One side of a GSSAPI connection, for the interop runs of interop.sh:
 * built once against zmq.h, run on our libzmq.so.5 or on real libzmq
 * (LD_LIBRARY_PATH picks which).
 *
 *   peer server PLAINTEXT [USER-ID]   binds tcp://127.0.0.1:*, prints the
 *       endpoint, echoes one three-part message and exits. With USER-ID a
 *       ZAP handler accepts the client and the message's User-Id must
 *       equal it (the client's principal as the server sees it).
 *   peer client PLAINTEXT ENDPOINT    sends the message, checks the echo.
 *
 * Principals: server zmqsvc@localhost (host-based), client alice (user
 * name); tests/gssapi/realm.sh makes both. Exits 0 on success. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define CHECK(x)                                                         \
    do {                                                                 \
        if (!(x)) {                                                      \
            fprintf (stderr, "%s:%d: %s failed: %s\n", __FILE__,        \
                     __LINE__, #x, zmq_strerror (zmq_errno ()));        \
            exit (1);                                                    \
        }                                                                \
    } while (0)

enum { BIG = 200000 };

static void *zap_handler (void *arg)
{
    void *zap = arg;
    char frames[16][256];
    int sizes[16];
    while (1) {
        int n = 0, more = 1;
        while (more && n < 16) {
            sizes[n] = zmq_recv (zap, frames[n], 255, 0);
            if (sizes[n] < 0) {
                zmq_close (zap); /* ETERM: the context is ending */
                return NULL;
            }
            size_t sz = sizeof more;
            zmq_getsockopt (zap, ZMQ_RCVMORE, &more, &sz);
            n++;
        }
        /* version, id, domain, address, identity, mechanism, principal */
        if (n < 7)
            return NULL;
        zmq_send (zap, "1.0", 3, ZMQ_SNDMORE);
        zmq_send (zap, frames[1], sizes[1], ZMQ_SNDMORE);
        zmq_send (zap, "200", 3, ZMQ_SNDMORE);
        zmq_send (zap, "OK", 2, ZMQ_SNDMORE);
        zmq_send (zap, frames[6], sizes[6] > 255 ? 255 : sizes[6], ZMQ_SNDMORE);
        zmq_send (zap, "", 0, 0);
    }
}

static void set_int (void *s, int option, int value)
{
    CHECK (zmq_setsockopt (s, option, &value, sizeof value) == 0);
}

int main (int argc, char **argv)
{
    if (argc < 3)
        return 2;
    int server = strcmp (argv[1], "server") == 0;
    int plaintext = atoi (argv[2]);
    void *ctx = zmq_ctx_new ();
    void *zap = NULL;
    pthread_t zap_thread;
    const char *user_id = server && argc > 3 ? argv[3] : NULL;
    if (user_id) {
        zap = zmq_socket (ctx, ZMQ_REP);
        CHECK (zmq_bind (zap, "inproc://zeromq.zap.01") == 0);
        pthread_create (&zap_thread, NULL, zap_handler, zap);
    }
    void *s = zmq_socket (ctx, ZMQ_DEALER);
    set_int (s, ZMQ_LINGER, 1000);
    set_int (s, ZMQ_RCVTIMEO, 10000);
    set_int (s, ZMQ_GSSAPI_PLAINTEXT, plaintext);
    if (server) {
        set_int (s, ZMQ_GSSAPI_SERVER, 1);
        CHECK (zmq_setsockopt (s, ZMQ_GSSAPI_PRINCIPAL, "zmqsvc@localhost", 16) == 0);
        set_int (s, ZMQ_GSSAPI_PRINCIPAL_NAMETYPE, ZMQ_GSSAPI_NT_HOSTBASED);
        CHECK (zmq_bind (s, "tcp://127.0.0.1:*") == 0);
        char endpoint[256];
        size_t size = sizeof endpoint;
        CHECK (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
        printf ("%s\n", endpoint);
        fflush (stdout);
    } else {
        CHECK (argc > 3);
        CHECK (zmq_setsockopt (s, ZMQ_GSSAPI_SERVICE_PRINCIPAL, "zmqsvc@localhost", 16) == 0);
        set_int (s, ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE, ZMQ_GSSAPI_NT_HOSTBASED);
        CHECK (zmq_setsockopt (s, ZMQ_GSSAPI_PRINCIPAL, "alice", 5) == 0);
        set_int (s, ZMQ_GSSAPI_PRINCIPAL_NAMETYPE, ZMQ_GSSAPI_NT_USER_NAME);
        CHECK (zmq_connect (s, argv[3]) == 0);
    }
    int mechanism = -1;
    size_t msize = sizeof mechanism;
    CHECK (zmq_getsockopt (s, ZMQ_MECHANISM, &mechanism, &msize) == 0);
    CHECK (mechanism == ZMQ_GSSAPI);

    static char big[BIG];
    memset (big, 0x5a, sizeof big);
    if (!server) {
        CHECK (zmq_send (s, "hello", 5, ZMQ_SNDMORE) == 5);
        CHECK (zmq_send (s, "", 0, ZMQ_SNDMORE) == 0);
        CHECK (zmq_send (s, big, BIG, 0) == BIG);
    }
    /* Receive three parts (and echo them when the server). */
    zmq_msg_t parts[3];
    for (int i = 0; i < 3; i++) {
        zmq_msg_init (&parts[i]);
        CHECK (zmq_msg_recv (&parts[i], s, 0) >= 0);
        CHECK (zmq_msg_more (&parts[i]) == (i < 2));
    }
    CHECK (zmq_msg_size (&parts[0]) == 5 && memcmp (zmq_msg_data (&parts[0]), "hello", 5) == 0);
    CHECK (zmq_msg_size (&parts[1]) == 0);
    CHECK (zmq_msg_size (&parts[2]) == BIG && memcmp (zmq_msg_data (&parts[2]), big, BIG) == 0);
    if (server) {
        const char *got = zmq_msg_gets (&parts[0], "User-Id");
        if (user_id) {
            CHECK (got && strcmp (got, user_id) == 0);
            printf ("User-Id %s\n", got);
        }
        for (int i = 0; i < 3; i++)
            CHECK (zmq_msg_send (&parts[i], s, i < 2 ? ZMQ_SNDMORE : 0) >= 0);
    } else {
        for (int i = 0; i < 3; i++)
            zmq_msg_close (&parts[i]);
    }
    /* ZMQ_LINGER delivers the echo before the context ends. */
    zmq_close (s);
    zmq_ctx_term (ctx);
    if (zap)
        pthread_join (zap_thread, NULL);
    printf ("ok\n");
    return 0;
}
