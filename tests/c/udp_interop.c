/* udp interop: one role per process, so that the two ends can run on
 * different libzmq.so.5 (ours and real libzmq) through LD_LIBRARY_PATH.
 * Driven by crates/zmq-capi/tests/udp_interop.rs.
 *
 *   udp_interop dish <port> [<host>]        DISH binds udp://<host>:<port>
 *                                           (127.0.0.1, or a multicast group),
 *                                           joins "TV", waits for "Friends"
 *   udp_interop radio <port> [<host>]       RADIO connects, sends TV/Friends
 *                                           (and Movies/Godfather) for 3 s
 *   udp_interop dgram-server <port>         DGRAM binds, answers one question
 *   udp_interop dgram-client <port> <peer>  DGRAM binds <port>, asks <peer>
 *                                           until the answer comes
 *
 * Prints what it observes; exits 0 on success, 1 otherwise. */
#define ZMQ_BUILD_DRAFT_API
#include <zmq.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void pause_ms (int ms)
{
    struct timespec t = {ms / 1000, (long) (ms % 1000) * 1000000L};
    nanosleep (&t, NULL);
}

static void *new_socket (void *ctx, int type, int rcvtimeo)
{
    void *s = zmq_socket (ctx, type);
    if (!s) {
        printf ("zmq_socket (%d) failed: %s\n", type, zmq_strerror (errno));
        exit (1);
    }
    int linger = 0;
    zmq_setsockopt (s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (s, ZMQ_RCVTIMEO, &rcvtimeo, sizeof rcvtimeo);
    return s;
}

static void check (int rc, const char *what)
{
    if (rc < 0) {
        printf ("%s failed: %s\n", what, zmq_strerror (errno));
        exit (1);
    }
}

static int dish (const char *port, const char *host)
{
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "udp://%s:%s", host, port);
    void *ctx = zmq_ctx_new ();
    void *s = new_socket (ctx, ZMQ_DISH, 10000);
    check (zmq_bind (s, endpoint), "zmq_bind");
    check (zmq_join (s, "TV"), "zmq_join");
    printf ("ready\n");
    fflush (stdout);
    int ok = 0;
    for (int i = 0; i < 50 && !ok; i++) {
        zmq_msg_t msg;
        zmq_msg_init (&msg);
        if (zmq_msg_recv (&msg, s, 0) < 0) {
            printf ("recv: %s\n", zmq_strerror (errno));
            zmq_msg_close (&msg);
            break;
        }
        const char *group = zmq_msg_group (&msg);
        printf ("received group %s body %.*s\n", group, (int) zmq_msg_size (&msg),
                (const char *) zmq_msg_data (&msg));
        if (strcmp (group, "TV") != 0) {
            printf ("a group not joined got through\n");
            zmq_msg_close (&msg);
            break;
        }
        ok = zmq_msg_size (&msg) == 7
             && memcmp (zmq_msg_data (&msg), "Friends", 7) == 0;
        zmq_msg_close (&msg);
    }
    zmq_close (s);
    zmq_ctx_term (ctx);
    return ok ? 0 : 1;
}

static void send_group (void *s, const char *group, const char *body)
{
    zmq_msg_t msg;
    zmq_msg_init_size (&msg, strlen (body));
    memcpy (zmq_msg_data (&msg), body, strlen (body));
    check (zmq_msg_set_group (&msg, group), "zmq_msg_set_group");
    check (zmq_msg_send (&msg, s, 0), "zmq_msg_send");
}

static int radio (const char *port, const char *host)
{
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "udp://%s:%s", host, port);
    void *ctx = zmq_ctx_new ();
    void *s = new_socket (ctx, ZMQ_RADIO, 1000);
    check (zmq_connect (s, endpoint), "zmq_connect");
    for (int i = 0; i < 150; i++) {
        send_group (s, "Movies", "Godfather");
        send_group (s, "TV", "Friends");
        pause_ms (20);
    }
    printf ("sent\n");
    zmq_close (s);
    zmq_ctx_term (ctx);
    return 0;
}

static void send_to (void *s, const char *address, size_t address_size, const char *body)
{
    check (zmq_send (s, address, address_size, ZMQ_SNDMORE), "zmq_send address");
    check (zmq_send (s, body, strlen (body), 0), "zmq_send body");
}

/* Receives address and body; 0 on timeout. */
static int recv_from (void *s, char *address, size_t *address_size, char *body)
{
    int n = zmq_recv (s, address, 63, 0);
    if (n < 0)
        return 0;
    *address_size = (size_t) n;
    address[n] = 0;
    int more = 0;
    size_t more_size = sizeof more;
    zmq_getsockopt (s, ZMQ_RCVMORE, &more, &more_size);
    if (!more) {
        printf ("address part without MORE\n");
        exit (1);
    }
    n = zmq_recv (s, body, 63, 0);
    check (n, "zmq_recv body");
    body[n] = 0;
    return 1;
}

static int dgram_server (const char *port)
{
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "udp://127.0.0.1:%s", port);
    void *ctx = zmq_ctx_new ();
    void *s = new_socket (ctx, ZMQ_DGRAM, 10000);
    check (zmq_bind (s, endpoint), "zmq_bind");
    printf ("ready\n");
    fflush (stdout);
    char address[64], body[64];
    size_t address_size;
    if (!recv_from (s, address, &address_size, body)) {
        printf ("recv: %s\n", zmq_strerror (errno));
        return 1;
    }
    printf ("question from %s (%zu bytes with NUL: %d): %s\n", address,
            address_size, address_size == strlen (address) + 1, body);
    /* Answer a few times: udp may lose one. */
    for (int i = 0; i < 5; i++)
        send_to (s, address, address_size, "Yes, there is !");
    pause_ms (200);
    zmq_close (s);
    zmq_ctx_term (ctx);
    return strcmp (body, "Is someone there ?") == 0 ? 0 : 1;
}

static int dgram_client (const char *port, const char *peer)
{
    char endpoint[64], to[64], expected[64];
    snprintf (endpoint, sizeof endpoint, "udp://127.0.0.1:%s", port);
    snprintf (to, sizeof to, "127.0.0.1:%s", peer);
    void *ctx = zmq_ctx_new ();
    void *s = new_socket (ctx, ZMQ_DGRAM, 100);
    check (zmq_bind (s, endpoint), "zmq_bind");
    char address[64], body[64];
    size_t address_size;
    int got = 0;
    for (int i = 0; i < 100 && !got; i++) {
        send_to (s, to, strlen (to), "Is someone there ?");
        got = recv_from (s, address, &address_size, body);
    }
    if (!got) {
        printf ("no answer\n");
        return 1;
    }
    printf ("answer from %s: %s\n", address, body);
    zmq_close (s);
    zmq_ctx_term (ctx);
    snprintf (expected, sizeof expected, "127.0.0.1:%s", peer);
    return strcmp (address, expected) == 0 && strcmp (body, "Yes, there is !") == 0 ? 0 : 1;
}

int main (int argc, char **argv)
{
    setvbuf (stdout, NULL, _IOLBF, 0);
    if ((argc == 3 || argc == 4) && strcmp (argv[1], "dish") == 0)
        return dish (argv[2], argc == 4 ? argv[3] : "127.0.0.1");
    if ((argc == 3 || argc == 4) && strcmp (argv[1], "radio") == 0)
        return radio (argv[2], argc == 4 ? argv[3] : "127.0.0.1");
    if (argc == 3 && strcmp (argv[1], "dgram-server") == 0)
        return dgram_server (argv[2]);
    if (argc == 4 && strcmp (argv[1], "dgram-client") == 0)
        return dgram_client (argv[2], argv[3]);
    fprintf (stderr, "usage: see the comment at the top of udp_interop.c\n");
    return 2;
}
