/* curve_thr <message-size> <message-count>: CURVE throughput, libzmq side
   of the `curve` cell of `cargo xtask bench`, the same workload and the
   same `result` line as `zmq-bench curve` (crates/zmq-tools/src/curve.rs):

     PULL (CURVE server keys) bound on tcp://127.0.0.1:*, PUSH (CURVE
     client keys) connected from a second thread, one context, default
     high-water marks; the clock starts at the first message received.

   Prints `result msgs_per_s=<n> mb_per_s=<x>`. Needs a libzmq built with
   CURVE (Debian's is, with libsodium). Build: cc -O2 curve_thr.c -lzmq
   -lpthread. */
#include <pthread.h>
#include "perf_common.h"

#define RUN_TIMEOUT_MS 10000

/* Shared with the sender thread. */
struct curve_args
{
    void *ctx;
    char endpoint[256];
    char server_public[41];
    char client_public[41];
    char client_secret[41];
    size_t size;
    int count;
};

static void set_text (void *s, int option, const char *text)
{
    CHECK ("zmq_setsockopt", zmq_setsockopt (s, option, text, strlen (text)));
}

static void set_int (void *s, int option, int value)
{
    CHECK ("zmq_setsockopt", zmq_setsockopt (s, option, &value, sizeof value));
}

/* Small bodies copied, larger ones shared without copying: the same
   cheapest-way sending as zmq_bench.c's thr (and ours). */
#define INLINE_LIMIT 33
static char shared_payload[65536];

static void no_free (void *data, void *hint)
{
    (void) data;
    (void) hint;
}

static void *push_thread (void *p)
{
    struct curve_args *a = p;
    void *s = zmq_socket (a->ctx, ZMQ_PUSH);
    CHECK_PTR ("zmq_socket", s);
    set_text (s, ZMQ_CURVE_SERVERKEY, a->server_public);
    set_text (s, ZMQ_CURVE_PUBLICKEY, a->client_public);
    set_text (s, ZMQ_CURVE_SECRETKEY, a->client_secret);
    CHECK ("zmq_connect", zmq_connect (s, a->endpoint));
    if (a->size <= INLINE_LIMIT || a->size > sizeof shared_payload)
        perf_send_stream (s, a->size, a->count);
    else
        for (int i = 0; i < a->count; i++) {
            zmq_msg_t msg;
            CHECK ("zmq_msg_init_data",
                   zmq_msg_init_data (&msg, shared_payload, a->size, no_free,
                                      NULL));
            CHECK ("zmq_sendmsg", zmq_msg_send (&msg, s, 0));
        }
    CHECK ("zmq_close", zmq_close (s));
    return NULL;
}

int main (int argc, char *argv[])
{
    if (argc != 3) {
        printf ("usage: curve_thr <message-size> <message-count>\n");
        return 1;
    }
    if (!zmq_has ("curve")) {
        printf ("error: this libzmq has no CURVE\n");
        return 255;
    }
    struct curve_args a;
    memset (&a, 0, sizeof a);
    a.size = (size_t) perf_number ("message size", argv[1], 0);
    a.count = perf_number ("message count", argv[2], 1);
    char server_secret[41];
    CHECK ("zmq_curve_keypair",
           zmq_curve_keypair (a.server_public, server_secret));
    CHECK ("zmq_curve_keypair",
           zmq_curve_keypair (a.client_public, a.client_secret));
    a.ctx = zmq_ctx_new ();
    CHECK_PTR ("zmq_ctx_new", a.ctx);
    void *pull = zmq_socket (a.ctx, ZMQ_PULL);
    CHECK_PTR ("zmq_socket", pull);
    set_int (pull, ZMQ_RCVTIMEO, RUN_TIMEOUT_MS);
    set_int (pull, ZMQ_CURVE_SERVER, 1);
    set_text (pull, ZMQ_CURVE_SECRETKEY, server_secret);
    CHECK ("zmq_bind", zmq_bind (pull, "tcp://127.0.0.1:*"));
    size_t len = sizeof a.endpoint;
    CHECK ("zmq_getsockopt",
           zmq_getsockopt (pull, ZMQ_LAST_ENDPOINT, a.endpoint, &len));
    pthread_t thread;
    pthread_create (&thread, NULL, push_thread, &a);
    unsigned long elapsed = perf_receive_stream (pull, a.size, a.count);
    pthread_join (thread, NULL);
    CHECK ("zmq_close", zmq_close (pull));
    CHECK ("zmq_ctx_term", zmq_ctx_term (a.ctx));
    if (elapsed == 0)
        elapsed = 1;
    unsigned long rate =
      (unsigned long) ((double) a.count / (double) elapsed * 1000000);
    printf ("result msgs_per_s=%lu mb_per_s=%.3f\n", rate,
            (double) rate * (double) a.size * 8 / 1000000);
    return 0;
}
