/* inproc_thr <message-size> <message-count>: PUSH -> PULL over inproc. */
#include <pthread.h>
#include "perf_common.h"

static size_t size;
static int count;

static void *sender (void *ctx)
{
    void *s = zmq_socket (ctx, ZMQ_PUSH);
    CHECK_PTR ("zmq_socket", s);
    CHECK ("zmq_connect", zmq_connect (s, "inproc://thr_test"));
    perf_send_stream (s, size, count);
    CHECK ("zmq_close", zmq_close (s));
    return NULL;
}

int main (int argc, char *argv[])
{
    if (argc != 3) {
        printf ("usage: inproc_thr <message-size> <message-count>\n");
        return 1;
    }
    size = (size_t) perf_number ("message size", argv[1], 0);
    count = perf_number ("message count", argv[2], 1);
    void *ctx = zmq_ctx_new ();
    CHECK_PTR ("zmq_init", ctx);
    void *s = zmq_socket (ctx, ZMQ_PULL);
    CHECK_PTR ("zmq_socket", s);
    CHECK ("zmq_bind", zmq_bind (s, "inproc://thr_test"));
    pthread_t thread;
    if (pthread_create (&thread, NULL, sender, ctx) != 0) {
        printf ("error in pthread_create\n");
        return 255;
    }
    unsigned long elapsed = perf_receive_stream (s, size, count);
    pthread_join (thread, NULL);
    perf_print_throughput (size, count, elapsed);
    CHECK ("zmq_close", zmq_close (s));
    CHECK ("zmq_ctx_term", zmq_ctx_term (ctx));
    return 0;
}
