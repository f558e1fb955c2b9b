/* The scale workloads of zmq_bench (included by zmq_bench.c): the same
   protocols and `result` keys as crates/zmq-tools/src/router_scale.rs and
   load_latency.rs, timed with the CPU clock of perf_common.h.

     router <peers> <size> <rounds>     rt_per_s rtt_p50_us rtt_p99_us
                                        rtt_p999_us rss_bytes cpu_s
                                        cpu_s_per_m msgs_per_cpu_s
     loadlat <streams> <size> <count>   rtt_p50_us rtt_p99_us rtt_p999_us
                                        stream_per_s cpu_s msgs_per_cpu_s */
#ifndef ZMQ_BENCH_SCALE_H
#define ZMQ_BENCH_SCALE_H

#include <stdlib.h>
#include <string.h>

static int compare_samples (const void *x, const void *y)
{
    unsigned long long a = *(const unsigned long long *) x;
    unsigned long long b = *(const unsigned long long *) y;
    return (a > b) - (a < b);
}

/* Nearest rank sorted[(n - 1) * per_mille / 1000], in microseconds. */
static double per_mille_us (const unsigned long long *sorted, size_t n,
                            size_t per_mille)
{
    if (n == 0)
        return 0;
    return (double) sorted[(n - 1) * per_mille / 1000] / 1000.0;
}

/* ---- router ---- */
struct echo_args
{
    void *socket;
    long total;
};

static void *router_echo (void *p)
{
    struct echo_args *a = p;
    zmq_msg_t id, body;
    zmq_msg_init (&id);
    zmq_msg_init (&body);
    for (long i = 0; i < a->total; i++) {
        CHECK ("zmq_recvmsg", zmq_msg_recv (&id, a->socket, 0));
        CHECK ("zmq_recvmsg", zmq_msg_recv (&body, a->socket, 0));
        CHECK ("zmq_sendmsg", zmq_msg_send (&id, a->socket, ZMQ_SNDMORE));
        CHECK ("zmq_sendmsg", zmq_msg_send (&body, a->socket, 0));
    }
    zmq_msg_close (&id);
    zmq_msg_close (&body);
    return NULL;
}

/* One round: a request from every dealer, then every reply. */
static void router_round (void **dealers, int peers, size_t size,
                          unsigned long long *sent,
                          unsigned long long *samples, size_t *n)
{
    static char payload[65536];
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    for (int i = 0; i < peers; i++) {
        sent[i] = perf_now_ns ();
        CHECK ("zmq_send",
               zmq_send (dealers[i], payload,
                         size < sizeof payload ? size : sizeof payload, 0));
    }
    for (int i = 0; i < peers; i++) {
        CHECK ("zmq_recvmsg", zmq_msg_recv (&msg, dealers[i], 0));
        if (samples)
            samples[(*n)++] = perf_now_ns () - sent[i];
    }
    zmq_msg_close (&msg);
}

static int run_router (int peers, size_t size, int rounds)
{
    void *ctx = zmq_ctx_new ();
    zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, peers + 16);
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    CHECK_PTR ("zmq_socket", router);
    set_int (router, ZMQ_RCVTIMEO, CONNS_TIMEOUT_MS);
    set_int (router, ZMQ_BACKLOG, peers < 4096 ? peers : 4096);
    char endpoint[256];
    bind_fresh (router, "tcp", endpoint, sizeof endpoint);
    struct echo_args a = {router, (long) peers * (rounds + 1)};
    pthread_t thread;
    pthread_create (&thread, NULL, router_echo, &a);
    void **dealers = calloc ((size_t) peers, sizeof *dealers);
    unsigned long long *sent = calloc ((size_t) peers, sizeof *sent);
    size_t total = (size_t) peers * (size_t) rounds, n = 0;
    unsigned long long *samples = malloc (total * sizeof *samples);
    if (!dealers || !sent || !samples)
        return 255;
    for (int i = 0; i < peers; i++) {
        dealers[i] = zmq_socket (ctx, ZMQ_DEALER);
        CHECK_PTR ("zmq_socket", dealers[i]);
        set_int (dealers[i], ZMQ_RCVTIMEO, CONNS_TIMEOUT_MS);
        CHECK ("zmq_connect", zmq_connect (dealers[i], endpoint));
    }
    router_round (dealers, peers, size, sent, NULL, &n);
    double cpu = cpu_seconds ();
    unsigned long long start = perf_now_ns ();
    for (int r = 0; r < rounds; r++)
        router_round (dealers, peers, size, sent, samples, &n);
    double seconds = (double) (perf_now_ns () - start) / 1e9;
    double cpu_s = cpu_seconds () - cpu;
    unsigned long long rss = status_bytes ("VmRSS");
    pthread_join (thread, NULL);
    for (int i = 0; i < peers; i++) {
        set_int (dealers[i], ZMQ_LINGER, 0);
        zmq_close (dealers[i]);
    }
    zmq_close (router);
    zmq_ctx_term (ctx);
    qsort (samples, n, sizeof *samples, compare_samples);
    printf ("result rt_per_s=%.0f rtt_p50_us=%.1f rtt_p99_us=%.1f "
            "rtt_p999_us=%.1f rss_bytes=%llu cpu_s=%.2f cpu_s_per_m=%.3f "
            "msgs_per_cpu_s=%.0f\n",
            (double) n / (seconds > 1e-9 ? seconds : 1e-9),
            per_mille_us (samples, n, 500), per_mille_us (samples, n, 990),
            per_mille_us (samples, n, 999), rss, cpu_s,
            cpu_s * 1e6 / (double) (n ? n : 1), per_cpu_second ((double) n, cpu_s));
    free (dealers);
    free (sent);
    free (samples);
    return 0;
}

/* ---- loadlat ---- */
#define STREAM_SIZE 64
struct load
{
    void *push, *pull;
    int stop;
    unsigned long long received;
};

static void *load_push (void *p)
{
    struct load *l = p;
    char data[STREAM_SIZE] = {0};
    while (!__atomic_load_n (&l->stop, __ATOMIC_RELAXED))
        CHECK ("zmq_send", zmq_send (l->push, data, sizeof data, 0));
    char end = END;
    CHECK ("zmq_send", zmq_send (l->push, &end, 1, 0));
    return NULL;
}

static void *load_pull (void *p)
{
    struct load *l = p;
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    for (;;) {
        CHECK ("zmq_recvmsg", zmq_msg_recv (&msg, l->pull, 0));
        if (zmq_msg_size (&msg) > 0
            && *(unsigned char *) zmq_msg_data (&msg) == END)
            break;
        __atomic_add_fetch (&l->received, 1, __ATOMIC_RELAXED);
    }
    zmq_msg_close (&msg);
    return NULL;
}

static void *timed_socket (void *ctx, int type)
{
    void *s = zmq_socket (ctx, type);
    CHECK_PTR ("zmq_socket", s);
    set_int (s, ZMQ_RCVTIMEO, RUN_TIMEOUT_MS);
    set_int (s, ZMQ_SNDTIMEO, RUN_TIMEOUT_MS);
    return s;
}

static int run_loadlat (int streams, size_t size, int count)
{
    void *ctx = zmq_ctx_new ();
    struct load l = {NULL, NULL, 0, 0};
    pthread_t pusher, puller;
    char endpoint[256];
    if (streams > 0) {
        l.pull = timed_socket (ctx, ZMQ_PULL);
        bind_fresh (l.pull, "tcp", endpoint, sizeof endpoint);
        l.push = timed_socket (ctx, ZMQ_PUSH);
        CHECK ("zmq_connect", zmq_connect (l.push, endpoint));
        pthread_create (&puller, NULL, load_pull, &l);
        pthread_create (&pusher, NULL, load_push, &l);
    }
    void *rep = timed_socket (ctx, ZMQ_REP);
    bind_fresh (rep, "tcp", endpoint, sizeof endpoint);
    struct stream_args a = {rep, "", size, WARMUP_ROUNDTRIPS + count};
    pthread_t echoer;
    pthread_create (&echoer, NULL, rep_thread, &a);
    void *req = timed_socket (ctx, ZMQ_REQ);
    CHECK ("zmq_connect", zmq_connect (req, endpoint));
    unsigned long long *samples = malloc (sizeof *samples * (size_t) count);
    if (!samples)
        return 255;
    zmq_msg_t msg;
    perf_request_init (&msg, size);
    for (int i = 0; i < WARMUP_ROUNDTRIPS; i++)
        perf_roundtrip (req, &msg, size);
    double cpu = cpu_seconds ();
    unsigned long long before = __atomic_load_n (&l.received, __ATOMIC_RELAXED);
    unsigned long long start = perf_now_ns ();
    for (int i = 0; i < count; i++) {
        unsigned long long t = perf_now_ns ();
        perf_roundtrip (req, &msg, size);
        samples[i] = perf_now_ns () - t;
    }
    double seconds = (double) (perf_now_ns () - start) / 1e9;
    unsigned long long streamed =
      __atomic_load_n (&l.received, __ATOMIC_RELAXED) - before;
    double cpu_s = cpu_seconds () - cpu;
    zmq_msg_close (&msg);
    __atomic_store_n (&l.stop, 1, __ATOMIC_RELAXED);
    pthread_join (echoer, NULL);
    if (streams > 0) {
        pthread_join (pusher, NULL);
        pthread_join (puller, NULL);
        zmq_close (l.push);
        zmq_close (l.pull);
    }
    zmq_close (req);
    zmq_close (rep);
    zmq_ctx_term (ctx);
    qsort (samples, (size_t) count, sizeof *samples, compare_samples);
    printf ("result rtt_p50_us=%.1f rtt_p99_us=%.1f rtt_p999_us=%.1f "
            "stream_per_s=%.0f cpu_s=%.2f msgs_per_cpu_s=%.0f\n",
            per_mille_us (samples, (size_t) count, 500),
            per_mille_us (samples, (size_t) count, 990),
            per_mille_us (samples, (size_t) count, 999),
            (double) streamed / (seconds > 1e-9 ? seconds : 1e-9), cpu_s,
            per_cpu_second ((double) (streamed + (unsigned long long) count),
                            cpu_s));
    free (samples);
    return 0;
}

#endif
