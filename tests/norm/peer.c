/* One role of the norm interop (tests/norm/interop.sh), run on either
 * libzmq.so.5 (ours or Debian's, by LD_LIBRARY_PATH):
 *
 *   peer pub ENDPOINT COUNT SIZE PAUSE
 *     sends messages 0..COUNT-1 (["t"][SIZE bytes: the number, then
 *     filler]); after message PAUSE-1 it waits for a line on stdin, and
 *     after the last for end of input (NORM keeps repairing meanwhile).
 *   peer sub ENDPOINT COUNT SIZE PAUSE all|late
 *     prints "ready" once connected and "at PAUSE" when message PAUSE-1
 *     is in; "all" wants 0..COUNT-1, "late" a run from at most PAUSE to
 *     COUNT-1; every message whole and in order. Prints the rate.
 *
 * ZMQ_NORM_MODE, ZMQ_RATE, ZMQ_NORM_BUFFER_SIZE, ZMQ_SNDHWM and ZMQ_RCVHWM
 * come from NORM_MODE, NORM_RATE, NORM_BUFFER_SIZE, SNDHWM and RCVHWM when
 * set (Debian's 4.3.4 refuses the NORM ones: draft there).
 * Exit 0 when the run is right, 1 otherwise.
 */
#define ZMQ_BUILD_DRAFT_API
#include <zmq.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void set_env_int (void *s, int option, const char *name)
{
    const char *text = getenv (name);
    if (text) {
        int value = atoi (text);
        if (zmq_setsockopt (s, option, &value, sizeof value) != 0) {
            fprintf (stderr, "setsockopt %s: %s\n", name, zmq_strerror (zmq_errno ()));
            exit (1);
        }
    }
}

static void wait_line (void)
{
    char line[64];
    if (!fgets (line, sizeof line, stdin))
        return;
}

static int run_pub (void *s, int count, size_t size, int pause)
{
    char *body = malloc (size);
    for (int seq = 0; seq < count; seq++) {
        if (seq == pause)
            wait_line ();
        memset (body, seq % 251, size);
        uint32_t be = htobe32 ((uint32_t) seq);
        memcpy (body, &be, 4);
        if (zmq_send (s, "t", 1, ZMQ_SNDMORE) != 1
            || zmq_send (s, body, size, 0) != (int) size) {
            fprintf (stderr, "send %d: %s\n", seq, zmq_strerror (zmq_errno ()));
            return 1;
        }
    }
    free (body);
    /* Serve repairs until told to go. */
    while (!feof (stdin))
        wait_line ();
    return 0;
}

/* One message; its number, or -1 (with a reason on stderr). */
static long recv_numbered (void *s, char *buf, size_t size)
{
    char topic[8];
    int more = 0;
    size_t more_size = sizeof more;
    int n = zmq_recv (s, topic, sizeof topic, 0);
    if (n < 0) {
        fprintf (stderr, "recv: %s\n", zmq_strerror (zmq_errno ()));
        return -1;
    }
    zmq_getsockopt (s, ZMQ_RCVMORE, &more, &more_size);
    if (n != 1 || topic[0] != 't' || !more) {
        fprintf (stderr, "bad topic frame (%d bytes, more %d)\n", n, more);
        return -1;
    }
    n = zmq_recv (s, buf, size + 1, 0);
    zmq_getsockopt (s, ZMQ_RCVMORE, &more, &more_size);
    if (n != (int) size || more) {
        fprintf (stderr, "bad body frame (%d bytes, more %d)\n", n, more);
        return -1;
    }
    uint32_t be;
    memcpy (&be, buf, 4);
    long seq = (long) be32toh (be);
    for (size_t i = 4; i < size; i++)
        if ((unsigned char) buf[i] != seq % 251) {
            fprintf (stderr, "message %ld: body damaged at %zu\n", seq, i);
            return -1;
        }
    return seq;
}

static int run_sub (void *s, int count, size_t size, int pause, int late)
{
    char *buf = malloc (size + 1);
    printf ("ready\n");
    fflush (stdout);
    long first = recv_numbered (s, buf, size);
    double start = now ();
    if (first < 0)
        return 1;
    if (late ? first > pause : first != 0) {
        fprintf (stderr, "first message %ld\n", first);
        return 1;
    }
    for (long want = first; want < count; want++) {
        long seq = want == first ? first : recv_numbered (s, buf, size);
        if (seq != want) {
            fprintf (stderr, "got %ld, wanted %ld\n", seq, want);
            return 1;
        }
        if (seq == pause - 1) {
            printf ("at %d\n", pause);
            fflush (stdout);
        }
    }
    double took = now () - start;
    long got = count - first;
    printf ("ok first=%ld messages=%ld %.0f msg/s %.2f MB/s\n", first, got,
            got / took, got * (double) size / took / 1e6);
    free (buf);
    return 0;
}

int main (int argc, char **argv)
{
    if (argc < 6) {
        fprintf (stderr, "usage: peer pub|sub ENDPOINT COUNT SIZE PAUSE [all|late]\n");
        return 2;
    }
    int is_pub = strcmp (argv[1], "pub") == 0;
    int count = atoi (argv[3]);
    size_t size = (size_t) atoi (argv[4]);
    int pause = atoi (argv[5]);
    void *ctx = zmq_ctx_new ();
    void *s = zmq_socket (ctx, is_pub ? ZMQ_PUB : ZMQ_SUB);
    int linger = 0, timeout = 20000;
    zmq_setsockopt (s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt (s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    set_env_int (s, ZMQ_NORM_MODE, "NORM_MODE");
    set_env_int (s, ZMQ_RATE, "NORM_RATE");
    set_env_int (s, ZMQ_NORM_BUFFER_SIZE, "NORM_BUFFER_SIZE");
    set_env_int (s, ZMQ_SNDHWM, "SNDHWM");
    set_env_int (s, ZMQ_RCVHWM, "RCVHWM");
    if (!is_pub)
        zmq_setsockopt (s, ZMQ_SUBSCRIBE, "", 0);
    if (zmq_connect (s, argv[2]) != 0) {
        fprintf (stderr, "connect %s: %s\n", argv[2], zmq_strerror (zmq_errno ()));
        return 1;
    }
    int rc = is_pub ? run_pub (s, count, size, pause)
                    : run_sub (s, count, size, pause,
                               argc > 6 && strcmp (argv[6], "late") == 0);
    zmq_close (s);
    zmq_ctx_term (ctx);
    return rc;
}
