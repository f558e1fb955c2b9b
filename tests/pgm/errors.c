/* pgm/epgm endpoints through the C ABI: which socket types take them,
 * the errors of bad addresses, ZMQ_LAST_ENDPOINT, unbind/disconnect and
 * zmq_has. Prints one line per call; run on ours and on a libzmq built
 * with OpenPGM, the outputs must be the same. Needs 10.9.0.1 with a
 * multicast route (interop.sh's namespace). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

static void result (const char *what, const char *endpoint, int rc)
{
    printf ("%s %s: %d %s\n", what, endpoint, rc,
            rc == 0 ? "" : zmq_strerror (zmq_errno ()));
}

static void last_endpoint (void *s)
{
    char buf[256] = "";
    size_t size = sizeof buf;
    zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, buf, &size);
    printf ("  last endpoint: \"%s\"\n", buf);
}

int main (void)
{
    printf ("zmq_has pgm: %d\n", zmq_has ("pgm"));
    void *ctx = zmq_ctx_new ();
    const int types[] = {ZMQ_PUB, ZMQ_SUB, ZMQ_XPUB, ZMQ_XSUB, ZMQ_PUSH, ZMQ_PULL, ZMQ_DEALER, ZMQ_PAIR};
    const char *names[] = {"PUB", "SUB", "XPUB", "XSUB", "PUSH", "PULL", "DEALER", "PAIR"};
    for (int i = 0; i < 8; i++) {
        const char *schemes[] = {"epgm", "pgm"};
        for (int j = 0; j < 2; j++) {
            char endpoint[128];
            snprintf (endpoint, sizeof endpoint, "%s://10.9.0.1;239.192.3.%d:%d",
                      schemes[j], i + 1, 6000 + i * 2 + j);
            void *s = zmq_socket (ctx, types[i]);
            int linger = 0;
            zmq_setsockopt (s, ZMQ_LINGER, &linger, sizeof linger);
            printf ("%s ", names[i]);
            result (j ? "bind" : "connect", endpoint, j ? zmq_bind (s, endpoint) : zmq_connect (s, endpoint));
            last_endpoint (s);
            printf ("%s ", names[i]);
            result ("disconnect", endpoint, zmq_disconnect (s, endpoint));
            printf ("%s ", names[i]);
            result ("unbind", endpoint, zmq_unbind (s, endpoint));
            zmq_close (s);
        }
    }
    const char *bad[] = {
        "epgm://10.9.0.1;239.192.1.1",
        "epgm://no-such-interface;239.192.1.1:5555",
        "pgm://10.9.0.1;10.9.0.7:5555",
        "epgm://:5555",
        NULL};
    void *s = zmq_socket (ctx, ZMQ_PUB);
    for (int i = 0; bad[i]; i++) {
        result ("connect", bad[i], zmq_connect (s, bad[i]));
        last_endpoint (s);
    }
    /* Port 0 or no number: libzmq fails without setting errno (what
     * errno held before shows); ours says EINVAL. The result only. */
    const char *no_port[] = {"epgm://10.9.0.1;239.192.1.1:0",
                             "epgm://10.9.0.1;239.192.1.1:notaport", NULL};
    for (int i = 0; no_port[i]; i++)
        printf ("connect %s: %d\n", no_port[i], zmq_connect (s, no_port[i]));
    zmq_close (s);
    zmq_ctx_term (ctx);
    return 0;
}
