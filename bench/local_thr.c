/* local_thr <bind-to> <message-size> <message-count>: PULL, libzmq side. */
#include "perf_common.h"

int main (int argc, char *argv[])
{
    if (argc != 4) {
        printf ("usage: local_thr <bind-to> <message-size> <message-count>\n");
        return 1;
    }
    size_t size = (size_t) perf_number ("message size", argv[2], 0);
    int count = perf_number ("message count", argv[3], 1);
    void *ctx = zmq_ctx_new ();
    CHECK_PTR ("zmq_init", ctx);
    void *s = zmq_socket (ctx, ZMQ_PULL);
    CHECK_PTR ("zmq_socket", s);
    CHECK ("zmq_bind", zmq_bind (s, argv[1]));
    unsigned long elapsed = perf_receive_stream (s, size, count);
    perf_print_throughput (size, count, elapsed);
    CHECK ("zmq_close", zmq_close (s));
    CHECK ("zmq_ctx_term", zmq_ctx_term (ctx));
    return 0;
}
