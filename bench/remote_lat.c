/* remote_lat <connect-to> <message-size> <roundtrip-count>: REQ, libzmq side. */
#include "perf_common.h"

int main (int argc, char *argv[])
{
    if (argc != 4) {
        printf ("usage: remote_lat <connect-to> <message-size> <roundtrip-count>\n");
        return 1;
    }
    size_t size = (size_t) perf_number ("message size", argv[2], 0);
    int roundtrips = perf_number ("roundtrip count", argv[3], 1);
    void *ctx = zmq_ctx_new ();
    CHECK_PTR ("zmq_init", ctx);
    void *s = zmq_socket (ctx, ZMQ_REQ);
    CHECK_PTR ("zmq_socket", s);
    CHECK ("zmq_connect", zmq_connect (s, argv[1]));
    zmq_msg_t msg;
    perf_request_init (&msg, size);
    unsigned long start = perf_now_us ();
    for (int i = 0; i < roundtrips; i++)
        perf_roundtrip (s, &msg, size);
    unsigned long elapsed = perf_now_us () - start;
    zmq_msg_close (&msg);
    perf_print_latency_header (size, roundtrips);
    perf_print_latency_footer (roundtrips, elapsed);
    CHECK ("zmq_close", zmq_close (s));
    CHECK ("zmq_ctx_term", zmq_ctx_term (ctx));
    return 0;
}
