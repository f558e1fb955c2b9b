/* ws/wss interop: one role per process, so that the two ends can run on
 * different libzmq.so.5 (ours and real libzmq) through LD_LIBRARY_PATH.
 * Driven by crates/zmq-capi/tests/ws_interop.rs.
 *
 *   ws_interop server <ws|wss> <null|plain|curve|pubsub> [cert.pem key.pem]
 *       binds <scheme>://127.0.0.1:*\/interop, prints
 *       "ready <endpoint> <server public key or ->", then echoes 4
 *       two-part requests (REP) and waits for the client to disconnect,
 *       or (pubsub) publishes to one subscriber
 *   ws_interop client <endpoint> <null|plain|curve|pubsub> <key or -> [trust.pem hostname]
 *       sends the 4 requests (1, 300, 70000 and 1 MiB bodies) and checks
 *       the echoes, or (pubsub) subscribes to "A" and checks what comes
 *
 * Heartbeats come from $WS_INTEROP_HB, "ivl,timeout" in ms (none when
 * unset): ZMQ_HEARTBEAT_IVL and ZMQ_HEARTBEAT_TIMEOUT (WebSocket ping/pong
 * frames under every mechanism); the client then idles 2 s after its
 * first request and fails if its connection dropped meanwhile.
 *
 * The REP server closes only once the client has gone: closing a TCP
 * socket with unread input (a heartbeat frame that came after the last
 * read) sends RST, and the client's kernel then drops whatever of the
 * last echo the client had not read yet (libzmq on both ends too; see
 * docs/ws.md).
 *
 * Prints what it observes; exits 0 on success, 1 otherwise. */
#include <zmq.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const size_t sizes[] = {1, 300, 70000, 1 << 20};
#define ROUNDS (sizeof sizes / sizeof sizes[0])

static void fail (const char *what)
{
    printf ("%s failed: %s\n", what, zmq_strerror (errno));
    exit (1);
}

static char *read_file (const char *path, size_t *len)
{
    FILE *f = fopen (path, "rb");
    if (!f) {
        printf ("cannot open %s\n", path);
        exit (1);
    }
    static char buf[65536];
    *len = fread (buf, 1, sizeof buf - 1, f);
    buf[*len] = 0;
    fclose (f);
    char *copy = malloc (*len + 1);
    memcpy (copy, buf, *len + 1);
    return copy;
}

static void *new_socket (void *ctx, int type)
{
    void *s = zmq_socket (ctx, type);
    if (!s)
        fail ("zmq_socket");
    int linger = 5000, timeo = 10000;
    zmq_setsockopt (s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (s, ZMQ_RCVTIMEO, &timeo, sizeof timeo);
    zmq_setsockopt (s, ZMQ_SNDTIMEO, &timeo, sizeof timeo);
    const char *hb = getenv ("WS_INTEROP_HB");
    int ivl = 0, hb_timeout = -1;
    if (hb && sscanf (hb, "%d,%d", &ivl, &hb_timeout) != 2)
        fail ("parsing WS_INTEROP_HB");
    zmq_setsockopt (s, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt (s, ZMQ_HEARTBEAT_TIMEOUT, &hb_timeout, sizeof hb_timeout);
    return s;
}

/* A ZAP handler that admits admin/secret (PLAIN) and anyone else. */
static void *zap_handler (void *ctx)
{
    void *zap = zmq_socket (ctx, ZMQ_REP);
    zmq_bind (zap, "inproc://zeromq.zap.01");
    for (;;) {
        char part[8][256];
        int lens[8], n = 0, more = 1;
        while (more && n < 8) {
            lens[n] = zmq_recv (zap, part[n], sizeof part[n], 0);
            if (lens[n] < 0) {
                zmq_close (zap);
                return NULL;
            }
            size_t sz = sizeof more;
            zmq_getsockopt (zap, ZMQ_RCVMORE, &more, &sz);
            n++;
        }
        int ok = 1;
        if (n >= 7 && lens[5] == 5 && memcmp (part[5], "PLAIN", 5) == 0)
            ok = lens[6] == 5 && memcmp (part[6], "admin", 5) == 0;
        zmq_send (zap, "1.0", 3, ZMQ_SNDMORE);
        zmq_send (zap, part[1], lens[1], ZMQ_SNDMORE);
        zmq_send (zap, ok ? "200" : "400", 3, ZMQ_SNDMORE);
        zmq_send (zap, "", 0, ZMQ_SNDMORE);
        zmq_send (zap, "user", 4, ZMQ_SNDMORE);
        zmq_send (zap, "", 0, 0);
    }
}

static int server (int argc, char **argv)
{
    const char *scheme = argv[2], *mech = argv[3];
    void *ctx = zmq_ctx_new ();
    pthread_t zap_thread;
    pthread_create (&zap_thread, NULL, zap_handler, ctx);
    int pubsub = strcmp (mech, "pubsub") == 0;
    void *s = new_socket (ctx, pubsub ? ZMQ_XPUB : ZMQ_REP);
    char public_key[41] = "-", secret_key[41];
    if (strcmp (mech, "curve") == 0) {
        int on = 1;
        zmq_curve_keypair (public_key, secret_key);
        zmq_setsockopt (s, ZMQ_CURVE_SERVER, &on, sizeof on);
        zmq_setsockopt (s, ZMQ_CURVE_SECRETKEY, secret_key, 40);
    } else if (strcmp (mech, "plain") == 0) {
        int on = 1;
        zmq_setsockopt (s, ZMQ_PLAIN_SERVER, &on, sizeof on);
    }
    if (strcmp (scheme, "wss") == 0) {
        if (argc < 6) {
            printf ("wss needs cert.pem key.pem\n");
            return 1;
        }
        size_t len;
        char *cert = read_file (argv[4], &len);
        zmq_setsockopt (s, ZMQ_WSS_CERT_PEM, cert, len);
        char *key = read_file (argv[5], &len);
        zmq_setsockopt (s, ZMQ_WSS_KEY_PEM, key, len);
    }
    void *monitor = NULL;
    if (!pubsub) {
        if (zmq_socket_monitor (s, "inproc://server-monitor", ZMQ_EVENT_DISCONNECTED) != 0)
            fail ("zmq_socket_monitor");
        monitor = zmq_socket (ctx, ZMQ_PAIR);
        int timeo = 10000;
        zmq_setsockopt (monitor, ZMQ_RCVTIMEO, &timeo, sizeof timeo);
        if (zmq_connect (monitor, "inproc://server-monitor") != 0)
            fail ("connecting the monitor");
    }
    char endpoint[256];
    snprintf (endpoint, sizeof endpoint, "%s://127.0.0.1:*/interop", scheme);
    if (zmq_bind (s, endpoint) != 0)
        fail ("zmq_bind");
    size_t len = sizeof endpoint;
    zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, endpoint, &len);
    printf ("ready %s %s\n", endpoint, public_key);
    fflush (stdout);
    if (pubsub) {
        char sub[16];
        int n = zmq_recv (s, sub, sizeof sub, 0);
        if (n != 2 || memcmp (sub, "\1A", 2) != 0)
            fail ("receiving the subscription");
        printf ("subscription received\n");
        zmq_send (s, "B-skip", 6, 0);
        zmq_send (s, "A-one", 5, ZMQ_SNDMORE);
        zmq_send (s, "tail", 4, 0);
        zmq_send (s, "A-two", 5, 0);
        n = zmq_recv (s, sub, sizeof sub, 0); /* the unsubscription */
        printf ("unsubscribe: %d\n", n);
    } else {
        zmq_msg_t parts[2];
        for (size_t i = 0; i < ROUNDS; i++) {
            for (int part = 0; part < 2; part++) {
                zmq_msg_init (&parts[part]);
                if (zmq_msg_recv (&parts[part], s, 0) < 0)
                    fail ("zmq_msg_recv");
            }
            for (int part = 0; part < 2; part++)
                if (zmq_msg_send (&parts[part], s, part == 0 ? ZMQ_SNDMORE : 0) < 0)
                    fail ("zmq_msg_send");
        }
        printf ("echoed %zu requests\n", (size_t) ROUNDS);
        /* The client leaves once it has every echo. */
        char event[64];
        if (zmq_recv (monitor, event, sizeof event, 0) < 0)
            fail ("waiting for the client to disconnect");
        zmq_close (monitor);
    }
    zmq_close (s);
    zmq_ctx_term (ctx);
    pthread_join (zap_thread, NULL);
    return 0;
}

static int client (int argc, char **argv)
{
    const char *endpoint = argv[2], *mech = argv[3], *server_key = argv[4];
    void *ctx = zmq_ctx_new ();
    int pubsub = strcmp (mech, "pubsub") == 0;
    void *s = new_socket (ctx, pubsub ? ZMQ_SUB : ZMQ_REQ);
    if (strcmp (mech, "curve") == 0) {
        char public_key[41], secret_key[41];
        zmq_curve_keypair (public_key, secret_key);
        zmq_setsockopt (s, ZMQ_CURVE_SERVERKEY, server_key, 40);
        zmq_setsockopt (s, ZMQ_CURVE_PUBLICKEY, public_key, 40);
        zmq_setsockopt (s, ZMQ_CURVE_SECRETKEY, secret_key, 40);
    } else if (strcmp (mech, "plain") == 0) {
        zmq_setsockopt (s, ZMQ_PLAIN_USERNAME, "admin", 5);
        zmq_setsockopt (s, ZMQ_PLAIN_PASSWORD, "secret", 6);
    }
    if (argc >= 7) {
        size_t len;
        char *trust = read_file (argv[5], &len);
        zmq_setsockopt (s, ZMQ_WSS_TRUST_PEM, trust, len);
        zmq_setsockopt (s, ZMQ_WSS_HOSTNAME, argv[6], strlen (argv[6]));
    }
    if (pubsub)
        zmq_setsockopt (s, ZMQ_SUBSCRIBE, "A", 1);
    void *monitor = NULL;
    if (!pubsub) {
        if (zmq_socket_monitor (s, "inproc://hb-monitor", ZMQ_EVENT_DISCONNECTED) != 0)
            fail ("zmq_socket_monitor");
        monitor = zmq_socket (ctx, ZMQ_PAIR);
        if (zmq_connect (monitor, "inproc://hb-monitor") != 0)
            fail ("connecting the monitor");
    }
    if (zmq_connect (s, endpoint) != 0)
        fail ("zmq_connect");
    if (pubsub) {
        char buf[16];
        const char *want[] = {"A-one", "tail", "A-two"};
        for (int i = 0; i < 3; i++) {
            int n = zmq_recv (s, buf, sizeof buf, 0);
            if (n != (int) strlen (want[i]) || memcmp (buf, want[i], n) != 0) {
                printf ("got %d bytes, wanted %s\n", n, want[i]);
                return 1;
            }
        }
        zmq_setsockopt (s, ZMQ_UNSUBSCRIBE, "A", 1);
        printf ("received A-one/tail, A-two\n");
    } else {
        for (size_t i = 0; i < ROUNDS; i++) {
            size_t size = sizes[i];
            char *body = malloc (size), *back = malloc (size + 1);
            for (size_t j = 0; j < size; j++)
                body[j] = (char) (j * 7 + i);
            if (zmq_send (s, body, size, ZMQ_SNDMORE) < 0
                || zmq_send (s, "end", 3, 0) < 0)
                fail ("zmq_send");
            int n = zmq_recv (s, back, size + 1, 0);
            if (n != (int) size || memcmp (body, back, size) != 0) {
                printf ("echo of %zu bytes: got %d\n", size, n);
                return 1;
            }
            n = zmq_recv (s, back, size + 1, 0);
            if (n != 3)
                fail ("the echo's second part");
            free (body);
            free (back);
            if (i == 0) {
                /* Idle: only heartbeats cross. */
                struct timespec idle = {2, 0};
                nanosleep (&idle, NULL);
                /* (Checked now: the server closes after the last echo.) */
                char event[64];
                if (zmq_recv (monitor, event, sizeof event, ZMQ_DONTWAIT) >= 0) {
                    printf ("the connection dropped while idle\n");
                    return 1;
                }
            }
        }
        printf ("%zu echoes checked\n", (size_t) ROUNDS);
        zmq_close (monitor);
    }
    zmq_close (s);
    zmq_ctx_term (ctx);
    return 0;
}

int main (int argc, char **argv)
{
    if (argc >= 4 && strcmp (argv[1], "server") == 0)
        return server (argc, argv);
    if (argc >= 5 && strcmp (argv[1], "client") == 0)
        return client (argc, argv);
    printf ("usage: see the comment at the top of ws_interop.c\n");
    return 2;
}
