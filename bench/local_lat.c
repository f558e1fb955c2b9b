/* local_lat <bind-to> <message-size> <roundtrip-count>: REP echo, libzmq side. */
#include "perf_common.h"

int main (int argc, char *argv[])
{
    if (argc != 4) {
        printf ("usage: local_lat <bind-to> <message-size> <roundtrip-count>\n");
        return 1;
    }
    size_t size = (size_t) perf_number ("message size", argv[2], 0);
    int roundtrips = perf_number ("roundtrip count", argv[3], 1);
    void *ctx = zmq_ctx_new ();
    CHECK_PTR ("zmq_init", ctx);
    void *s = zmq_socket (ctx, ZMQ_REP);
    CHECK_PTR ("zmq_socket", s);
    CHECK ("zmq_bind", zmq_bind (s, argv[1]));
    perf_echo (s, size, roundtrips);
    CHECK ("zmq_close", zmq_close (s));
    CHECK ("zmq_ctx_term", zmq_ctx_term (ctx));
    return 0;
}
