/* inproc_lat <message-size> <roundtrip-count>: REQ <-> REP over inproc. */
#include <pthread.h>
#include "perf_common.h"

static size_t size;
static int roundtrips;

static void *echoer (void *ctx)
{
    void *s = zmq_socket (ctx, ZMQ_REP);
    CHECK_PTR ("zmq_socket", s);
    CHECK ("zmq_connect", zmq_connect (s, "inproc://lat_test"));
    perf_echo (s, size, roundtrips);
    CHECK ("zmq_close", zmq_close (s));
    return NULL;
}

int main (int argc, char *argv[])
{
    if (argc != 3) {
        printf ("usage: inproc_lat <message-size> <roundtrip-count>\n");
        return 1;
    }
    size = (size_t) perf_number ("message size", argv[1], 0);
    roundtrips = perf_number ("roundtrip count", argv[2], 1);
    void *ctx = zmq_ctx_new ();
    CHECK_PTR ("zmq_init", ctx);
    void *s = zmq_socket (ctx, ZMQ_REQ);
    CHECK_PTR ("zmq_socket", s);
    CHECK ("zmq_bind", zmq_bind (s, "inproc://lat_test"));
    pthread_t thread;
    if (pthread_create (&thread, NULL, echoer, ctx) != 0) {
        printf ("error in pthread_create\n");
        return 255;
    }
    perf_print_latency_header (size, roundtrips);
    zmq_msg_t msg;
    perf_request_init (&msg, size);
    unsigned long start = perf_now_us ();
    for (int i = 0; i < roundtrips; i++)
        perf_roundtrip (s, &msg, size);
    unsigned long elapsed = perf_now_us () - start;
    zmq_msg_close (&msg);
    pthread_join (thread, NULL);
    perf_print_latency_footer (roundtrips, elapsed);
    CHECK ("zmq_close", zmq_close (s));
    CHECK ("zmq_ctx_term", zmq_ctx_term (ctx));
    return 0;
}
