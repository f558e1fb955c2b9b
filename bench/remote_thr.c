/* remote_thr <connect-to> <message-size> <message-count>: PUSH, libzmq side. */
#include "perf_common.h"

int main (int argc, char *argv[])
{
    if (argc != 4) {
        printf ("usage: remote_thr <connect-to> <message-size> <message-count>\n");
        return 1;
    }
    size_t size = (size_t) perf_number ("message size", argv[2], 0);
    int count = perf_number ("message count", argv[3], 1);
    void *ctx = zmq_ctx_new ();
    CHECK_PTR ("zmq_init", ctx);
    void *s = zmq_socket (ctx, ZMQ_PUSH);
    CHECK_PTR ("zmq_socket", s);
    CHECK ("zmq_connect", zmq_connect (s, argv[1]));
    perf_send_stream (s, size, count);
    CHECK ("zmq_close", zmq_close (s));
    CHECK ("zmq_ctx_term", zmq_ctx_term (ctx));
    return 0;
}
