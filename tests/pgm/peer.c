/* A PUB or SUB over pgm/epgm for the interop and rate runs, linked to
 * whichever libzmq.so.5 LD_LIBRARY_PATH names (ours or Debian's).
 *
 *   peer pub ENDPOINT COUNT SIZE RATE [RECOVERY_IVL_MS] [PAUSE_US]
 *   peer sub ENDPOINT COUNT SIZE RATE [RECOVERY_IVL_MS] [TIMEOUT_MS]
 *
 * The PUB sends COUNT numbered messages ("%010u" then filler up to
 * SIZE; every 7th one as two parts), then "END" messages for a second.
 * The SUB checks each message (its number, its length, its filler, its
 * parts), prints "first N last M got K gaps G bad B" and the rate it
 * saw, and exits 0 when no message was bad. It stops at "END" or after
 * TIMEOUT_MS without a message. A SUB that joins late starts wherever
 * it joined: "first" says where. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

static double now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fill (char *buf, unsigned n, size_t size)
{
    char head[16];
    snprintf (head, sizeof head, "%010u", n);
    memcpy (buf, head, 10);
    for (size_t i = 10; i < size; i++)
        buf[i] = (char) ('a' + (n + i) % 26);
}

static int check (const char *buf, size_t len, size_t size, unsigned *n)
{
    char head[11];
    if (len != size || len < 10)
        return 0;
    memcpy (head, buf, 10);
    head[10] = 0;
    *n = (unsigned) strtoul (head, NULL, 10);
    for (size_t i = 10; i < size; i++)
        if (buf[i] != (char) ('a' + (*n + i) % 26))
            return 0;
    return 1;
}

int main (int argc, char **argv)
{
    if (argc < 6) {
        fprintf (stderr, "usage: peer pub|sub ENDPOINT COUNT SIZE RATE [IVL] [PAUSE_US|TIMEOUT_MS]\n");
        return 2;
    }
    int pub = strcmp (argv[1], "pub") == 0;
    const char *endpoint = argv[2];
    unsigned count = (unsigned) atoi (argv[3]);
    size_t size = (size_t) atoi (argv[4]);
    int rate = atoi (argv[5]);
    int ivl = argc > 6 ? atoi (argv[6]) : -1;
    int extra = argc > 7 ? atoi (argv[7]) : (pub ? 0 : 5000);
    if (size < 10)
        size = 10;
    void *ctx = zmq_ctx_new ();
    void *s = zmq_socket (ctx, pub ? ZMQ_PUB : ZMQ_SUB);
    if (zmq_setsockopt (s, ZMQ_RATE, &rate, sizeof rate) != 0
        || (ivl >= 0 && zmq_setsockopt (s, ZMQ_RECOVERY_IVL, &ivl, sizeof ivl) != 0)) {
        fprintf (stderr, "setsockopt: %s\n", zmq_strerror (zmq_errno ()));
        return 1;
    }
    int hwm = 0;
    zmq_setsockopt (s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt (s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (!pub)
        zmq_setsockopt (s, ZMQ_SUBSCRIBE, "", 0);
    if (zmq_connect (s, endpoint) != 0) {
        fprintf (stderr, "connect %s: %s\n", endpoint, zmq_strerror (zmq_errno ()));
        return 1;
    }
    char *buf = malloc (size + 1);
    if (pub) {
        double start = now ();
        for (unsigned n = 0; n < count; n++) {
            fill (buf, n, size);
            if (n % 7 == 3) {
                zmq_send (s, buf, 10, ZMQ_SNDMORE);
                zmq_send (s, buf, size, 0);
            } else
                zmq_send (s, buf, size, 0);
            if (extra > 0)
                usleep ((useconds_t) extra);
        }
        double queued = now () - start;
        for (int i = 0; i < 20; i++) {
            zmq_send (s, "END", 3, 0);
            usleep (50000);
        }
        printf ("pub sent %u in %.3f s\n", count, queued);
        int linger = 10000;
        zmq_setsockopt (s, ZMQ_LINGER, &linger, sizeof linger);
    } else {
        zmq_setsockopt (s, ZMQ_RCVTIMEO, &extra, sizeof extra);
        unsigned first = 0, last = 0, got = 0, gaps = 0, bad = 0;
        int started = 0;
        double t0 = 0, t1 = 0;
        size_t bytes = 0;
        for (;;) {
            int len = zmq_recv (s, buf, size + 1, 0);
            if (len < 0)
                break;
            int more = 0;
            size_t more_size = sizeof more;
            zmq_getsockopt (s, ZMQ_RCVMORE, &more, &more_size);
            if (len == 3 && memcmp (buf, "END", 3) == 0 && !more)
                break;
            unsigned n = 0;
            if (more) {
                /* A two-part message: the number, then the body. */
                char head[11];
                memcpy (head, buf, 10);
                head[10] = 0;
                len = zmq_recv (s, buf, size + 1, 0);
                if (len < 0)
                    break;
                if (!check (buf, (size_t) len, size, &n) || memcmp (head, buf, 10) != 0
                    || n % 7 != 3) {
                    bad++;
                    continue;
                }
            } else if (!check (buf, (size_t) len, size, &n) || n % 7 == 3) {
                bad++;
                continue;
            }
            if (!started) {
                first = n;
                started = 1;
                t0 = now ();
            } else if (n != last + 1) {
                gaps++;
                if (n <= last)
                    bad++;
            }
            last = n;
            got++;
            bytes += size;
            t1 = now ();
        }
        double secs = t1 - t0;
        printf ("first %u last %u got %u gaps %u bad %u\n", first, last, got, gaps, bad);
        if (secs > 0)
            printf ("rate %.0f msg/s %.1f Mbit/s\n", (got - 1) / secs, bytes * 8 / secs / 1e6);
        return bad ? 1 : 0;
    }
    free (buf);
    zmq_close (s);
    zmq_ctx_term (ctx);
    return 0;
}
