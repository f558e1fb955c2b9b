/* zmq_bench: the libzmq side of `cargo xtask bench`. The same sub-commands
   and the same `result key=value ...` lines as our `zmq-bench` (see
   crates/zmq-tools/src/harness.rs), timed the same way:

     thr <tcp|ipc|inproc> <size> <count>   msgs_per_s mb_per_s peak_rss_bytes
                                           cpu_s msgs_per_cpu_s
     lat <tcp|ipc|inproc> <size> <count>   mean_us p50_us p99_us
     fanout <subscribers> <size> <count> [<tcp|ipc> <topics>]
                                           delivered_per_s loss cpu_s
                                           msgs_per_cpu_s
     router, loadlat                       see zmq_bench_scale.h
     conns <n>                             connections bytes_per_connection
                                           idle_cpu_ms_per_s
     version                               version (libzmq's)

   Latency is timed per roundtrip (p50/p99 by nearest rank, one-way = half
   a roundtrip) after 100 untimed roundtrips. */
#include <pthread.h>
#include <unistd.h>
#include "perf_common.h"

#define WARMUP_ROUNDTRIPS 100
#define RUN_TIMEOUT_MS 10000
#define QUIET_LIMIT_MS 2000
#define CONNS_TIMEOUT_MS 60000
#define IDLE_SECONDS 3
#define PHASE_LIMIT_NS 10000000000ull
enum { DATA = 0, PROBE = 1, END = 2 };

static int name_counter;

/* Binds s on a fresh address of transport; the endpoint goes to out. */
static void bind_fresh (void *s, const char *transport, char *out, size_t len)
{
    char address[256];
    if (strcmp (transport, "tcp") == 0)
        snprintf (address, sizeof address, "tcp://127.0.0.1:*");
    else if (strcmp (transport, "ipc") == 0)
        snprintf (address, sizeof address, "ipc:///tmp/zmq-bench-c-%d-%d.ipc",
                  (int) getpid (), name_counter++);
    else if (strcmp (transport, "inproc") == 0)
        snprintf (address, sizeof address, "inproc://zmq-bench-c-%d",
                  name_counter++);
    else {
        printf ("unknown transport \"%s\"\n", transport);
        exit (1);
    }
    CHECK ("zmq_bind", zmq_bind (s, address));
    CHECK ("zmq_getsockopt",
           zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, out, &len));
}

static void set_int (void *s, int option, int value)
{
    CHECK ("zmq_setsockopt", zmq_setsockopt (s, option, &value, sizeof value));
}

/* A kB field of /proc/self/status, in bytes. */
static unsigned long long status_bytes (const char *field)
{
    FILE *f = fopen ("/proc/self/status", "r");
    if (!f)
        return 0;
    char line[256];
    unsigned long long kib = 0;
    size_t n = strlen (field);
    while (fgets (line, sizeof line, f)) {
        if (strncmp (line, field, n) == 0 && line[n] == ':') {
            kib = strtoull (line + n + 1, NULL, 10);
            break;
        }
    }
    fclose (f);
    return kib * 1024ull;
}

/* ---- thr ---- */
struct stream_args
{
    void *ctx;
    char endpoint[256];
    size_t size;
    int count;
};

/* Small bodies are copied into the message (libzmq stores up to 33 bytes
   inline); larger ones point at one shared buffer without copying, as our
   zmq-bench shares one payload: both sides send a constant payload their
   cheapest way. */
#define INLINE_LIMIT 33
static char shared_payload[4 << 20];

static void no_free (void *data, void *hint)
{
    (void) data;
    (void) hint;
}

static void send_shared_stream (void *s, size_t size, int count)
{
    if (size <= INLINE_LIMIT || size > sizeof shared_payload) {
        perf_send_stream (s, size, count);
        return;
    }
    for (int i = 0; i < count; i++) {
        zmq_msg_t msg;
        CHECK ("zmq_msg_init_data",
               zmq_msg_init_data (&msg, shared_payload, size, no_free, NULL));
        CHECK ("zmq_sendmsg", zmq_msg_send (&msg, s, 0));
    }
}

static void *push_thread (void *p)
{
    struct stream_args *a = p;
    void *s = zmq_socket (a->ctx, ZMQ_PUSH);
    CHECK_PTR ("zmq_socket", s);
    CHECK ("zmq_connect", zmq_connect (s, a->endpoint));
    send_shared_stream (s, a->size, a->count);
    CHECK ("zmq_close", zmq_close (s));
    return NULL;
}

static int run_thr (const char *transport, size_t size, int count)
{
    struct stream_args a = {zmq_ctx_new (), "", size, count};
    void *pull = zmq_socket (a.ctx, ZMQ_PULL);
    CHECK_PTR ("zmq_socket", pull);
    set_int (pull, ZMQ_RCVTIMEO, RUN_TIMEOUT_MS);
    bind_fresh (pull, transport, a.endpoint, sizeof a.endpoint);
    pthread_t thread;
    double cpu = cpu_seconds ();
    pthread_create (&thread, NULL, push_thread, &a);
    unsigned long elapsed = perf_receive_stream (pull, size, count);
    pthread_join (thread, NULL);
    CHECK ("zmq_close", zmq_close (pull));
    CHECK ("zmq_ctx_term", zmq_ctx_term (a.ctx));
    if (elapsed == 0)
        elapsed = 1;
    unsigned long rate =
      (unsigned long) ((double) count / (double) elapsed * 1000000);
    double cpu_s = cpu_seconds () - cpu;
    printf ("result msgs_per_s=%lu mb_per_s=%.3f peak_rss_bytes=%llu cpu_s=%.2f "
            "msgs_per_cpu_s=%.0f\n",
            rate, (double) rate * (double) size * 8 / 1000000,
            status_bytes ("VmHWM"), cpu_s, per_cpu_second (count, cpu_s));
    return 0;
}

/* ---- lat ---- */
/* Echoes on the REP socket handed over in a->ctx. */
static void *rep_thread (void *p)
{
    struct stream_args *a = p;
    perf_echo (a->ctx, a->size, a->count);
    return NULL;
}

static int compare_u64 (const void *x, const void *y)
{
    unsigned long long a = *(const unsigned long long *) x;
    unsigned long long b = *(const unsigned long long *) y;
    return (a > b) - (a < b);
}

static int run_lat (const char *transport, size_t size, int count)
{
    void *ctx = zmq_ctx_new ();
    void *rep = zmq_socket (ctx, ZMQ_REP);
    CHECK_PTR ("zmq_socket", rep);
    set_int (rep, ZMQ_RCVTIMEO, RUN_TIMEOUT_MS);
    char endpoint[256];
    bind_fresh (rep, transport, endpoint, sizeof endpoint);
    /* The echo thread gets the REP socket itself in the ctx field. */
    struct stream_args a = {rep, "", size, WARMUP_ROUNDTRIPS + count};
    pthread_t thread;
    pthread_create (&thread, NULL, rep_thread, &a);
    void *req = zmq_socket (ctx, ZMQ_REQ);
    CHECK_PTR ("zmq_socket", req);
    set_int (req, ZMQ_RCVTIMEO, RUN_TIMEOUT_MS);
    CHECK ("zmq_connect", zmq_connect (req, endpoint));
    unsigned long long *samples = malloc (sizeof *samples * (size_t) count);
    if (!samples)
        return 255;
    zmq_msg_t msg;
    perf_request_init (&msg, size);
    for (int i = 0; i < WARMUP_ROUNDTRIPS; i++)
        perf_roundtrip (req, &msg, size);
    for (int i = 0; i < count; i++) {
        unsigned long long start = perf_now_ns ();
        perf_roundtrip (req, &msg, size);
        samples[i] = perf_now_ns () - start;
    }
    zmq_msg_close (&msg);
    pthread_join (thread, NULL);
    CHECK ("zmq_close", zmq_close (req));
    CHECK ("zmq_close", zmq_close (rep));
    CHECK ("zmq_ctx_term", zmq_ctx_term (ctx));
    qsort (samples, (size_t) count, sizeof *samples, compare_u64);
    double total = 0;
    for (int i = 0; i < count; i++)
        total += (double) samples[i];
    double mean = total / count / 2.0 / 1000.0;
    double p50 = (double) samples[(size_t) (count - 1) * 50 / 100] / 2000.0;
    double p99 = (double) samples[(size_t) (count - 1) * 99 / 100] / 2000.0;
    printf ("result mean_us=%.3f p50_us=%.3f p99_us=%.3f\n", mean, p50, p99);
    free (samples);
    return 0;
}

/* ---- fanout ---- */
struct fanout
{
    void *ctx;
    char endpoint[256];
    int ready, done;
    int topics;
};

#define TOPIC_LEN 6
/* Topic k: the DATA marker and five decimal digits. */
static void topic (int k, char *out)
{
    out[0] = DATA;
    for (int i = TOPIC_LEN - 1; i > 0; i--) {
        out[i] = (char) ('0' + k % 10);
        k /= 10;
    }
}

struct sub_result
{
    struct fanout *f;
    long count;
    unsigned long long last_ns;
    pthread_t thread;
};

static void *sub_thread (void *p)
{
    struct sub_result *r = p;
    void *s = zmq_socket (r->f->ctx, ZMQ_SUB);
    CHECK_PTR ("zmq_socket", s);
    set_int (s, ZMQ_RCVTIMEO, QUIET_LIMIT_MS);
    /* Subscriptions travel as messages and are dropped at the high-water
       mark: with thousands of topics the limit must go. */
    set_int (s, ZMQ_SNDHWM, 0);
    CHECK ("zmq_connect", zmq_connect (s, r->f->endpoint));
    if (r->f->topics == 0)
        CHECK ("zmq_setsockopt", zmq_setsockopt (s, ZMQ_SUBSCRIBE, "", 0));
    else {
        char t[TOPIC_LEN];
        for (int k = 0; k < r->f->topics; k++) {
            topic (k, t);
            CHECK ("zmq_setsockopt", zmq_setsockopt (s, ZMQ_SUBSCRIBE, t, sizeof t));
        }
        char marker = PROBE;
        CHECK ("zmq_setsockopt", zmq_setsockopt (s, ZMQ_SUBSCRIBE, &marker, 1));
        marker = END;
        CHECK ("zmq_setsockopt", zmq_setsockopt (s, ZMQ_SUBSCRIBE, &marker, 1));
    }
    int ready = 0;
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    while (zmq_msg_recv (&msg, s, 0) >= 0) {
        unsigned char kind =
          zmq_msg_size (&msg) ? *(unsigned char *) zmq_msg_data (&msg) : 255;
        if (kind == DATA) {
            r->count++;
            r->last_ns = perf_now_ns ();
        } else if (kind == PROBE && !ready) {
            ready = 1;
            __atomic_add_fetch (&r->f->ready, 1, __ATOMIC_SEQ_CST);
        } else if (kind == END)
            break;
    }
    zmq_msg_close (&msg);
    if (!ready)
        __atomic_add_fetch (&r->f->ready, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch (&r->f->done, 1, __ATOMIC_SEQ_CST);
    /* Unsent subscriptions to a PUB that is gone would hold zmq_ctx_term
       forever (seen with 100 SUBs). */
    set_int (s, ZMQ_LINGER, 0);
    zmq_close (s);
    return NULL;
}

/* Sends marker messages until *counter reaches goal; 0 on timeout. */
static int send_until (void *pub, unsigned char marker, size_t size,
                       int *counter, int goal)
{
    unsigned long long deadline = perf_now_ns () + PHASE_LIMIT_NS;
    char buf[65536] = {0};
    buf[0] = (char) marker;
    while (__atomic_load_n (counter, __ATOMIC_SEQ_CST) < goal) {
        if (perf_now_ns () > deadline)
            return 0;
        zmq_send (pub, buf, size < sizeof buf ? size : sizeof buf,
                  ZMQ_DONTWAIT);
        usleep (1000);
    }
    return 1;
}

static int run_fanout (int subscribers, size_t size, int count,
                       const char *transport, int topics)
{
    struct fanout f = {zmq_ctx_new (), "", 0, 0, topics};
    if (topics > 0 && size < TOPIC_LEN)
        size = TOPIC_LEN;
    zmq_ctx_set (f.ctx, ZMQ_MAX_SOCKETS, subscribers + 16);
    void *pub = zmq_socket (f.ctx, ZMQ_PUB);
    CHECK_PTR ("zmq_socket", pub);
    bind_fresh (pub, transport, f.endpoint, sizeof f.endpoint);
    pthread_attr_t attr;
    pthread_attr_init (&attr);
    pthread_attr_setstacksize (&attr, 256 * 1024);
    struct sub_result *subs = calloc ((size_t) subscribers, sizeof *subs);
    if (!subs)
        return 255;
    for (int i = 0; i < subscribers; i++) {
        subs[i].f = &f;
        pthread_create (&subs[i].thread, &attr, sub_thread, &subs[i]);
    }
    int ready = send_until (pub, PROBE, size, &f.ready, subscribers);
    double cpu = cpu_seconds ();
    unsigned long long start = perf_now_ns ();
    if (ready) {
        for (int i = 0; i < count; i++) {
            zmq_msg_t msg;
            CHECK ("zmq_msg_init_size", zmq_msg_init_size (&msg, size));
            *(unsigned char *) zmq_msg_data (&msg) = DATA;
            if (topics > 0)
                topic (i % topics, zmq_msg_data (&msg));
            CHECK ("zmq_send", zmq_msg_send (&msg, pub, 0));
        }
    }
    send_until (pub, END, size, &f.done, subscribers);
    double cpu_s = cpu_seconds () - cpu;
    long delivered = 0;
    unsigned long long last = start;
    for (int i = 0; i < subscribers; i++) {
        pthread_join (subs[i].thread, NULL);
        delivered += subs[i].count;
        if (subs[i].last_ns > last)
            last = subs[i].last_ns;
    }
    /* Nothing left to deliver matters once every SUB has stopped. */
    set_int (pub, ZMQ_LINGER, 0);
    zmq_close (pub);
    zmq_ctx_term (f.ctx);
    free (subs);
    if (!ready) {
        printf ("subscribers never became ready\n");
        return 255;
    }
    double seconds = (double) (last - start) / 1e9;
    if (seconds < 1e-6)
        seconds = 1e-6;
    printf ("result delivered_per_s=%.0f loss=%.4f cpu_s=%.2f msgs_per_cpu_s=%.0f\n",
            delivered / seconds,
            1.0 - (double) delivered / ((double) count * subscribers), cpu_s,
            per_cpu_second ((double) delivered, cpu_s));
    return 0;
}

#include "zmq_bench_scale.h"

/* ---- conns ---- */
static int run_conns (int n)
{
    void *ctx = zmq_ctx_new ();
    zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, n + 16);
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    CHECK_PTR ("zmq_socket", router);
    set_int (router, ZMQ_RCVTIMEO, CONNS_TIMEOUT_MS);
    set_int (router, ZMQ_BACKLOG, n < 4096 ? n : 4096);
    char endpoint[256];
    bind_fresh (router, "tcp", endpoint, sizeof endpoint);
    unsigned long long before = status_bytes ("VmRSS");
    void **dealers = calloc ((size_t) n, sizeof *dealers);
    if (!dealers)
        return 255;
    for (int i = 0; i < n; i++) {
        dealers[i] = zmq_socket (ctx, ZMQ_DEALER);
        CHECK_PTR ("zmq_socket", dealers[i]);
        CHECK ("zmq_connect", zmq_connect (dealers[i], endpoint));
        CHECK ("zmq_send", zmq_send (dealers[i], "x", 1, 0));
    }
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    for (int i = 0; i < n * 2; i++)
        CHECK ("zmq_recvmsg", zmq_msg_recv (&msg, router, 0));
    zmq_msg_close (&msg);
    unsigned long long after = status_bytes ("VmRSS");
    /* Idle cost in time: the CPU the process uses while every connection
       sits idle (no heartbeats: libzmq's default). */
    double idle_cpu = cpu_seconds ();
    sleep (IDLE_SECONDS);
    double idle_cpu_ms_per_s = (cpu_seconds () - idle_cpu) * 1000.0 / IDLE_SECONDS;
    for (int i = 0; i < n; i++) {
        set_int (dealers[i], ZMQ_LINGER, 0);
        zmq_close (dealers[i]);
    }
    free (dealers);
    zmq_close (router);
    zmq_ctx_term (ctx);
    printf ("result connections=%d bytes_per_connection=%.0f "
            "idle_cpu_ms_per_s=%.3f\n",
            n, after > before ? (double) (after - before) / n : 0.0,
            idle_cpu_ms_per_s);
    return 0;
}

int main (int argc, char *argv[])
{
    if (argc == 5 && strcmp (argv[1], "thr") == 0)
        return run_thr (argv[2], (size_t) perf_number ("message size", argv[3], 0),
                        perf_number ("message count", argv[4], 1));
    if (argc == 5 && strcmp (argv[1], "lat") == 0)
        return run_lat (argv[2], (size_t) perf_number ("message size", argv[3], 0),
                        perf_number ("roundtrip count", argv[4], 1));
    if ((argc == 5 || argc == 7) && strcmp (argv[1], "fanout") == 0)
        return run_fanout (perf_number ("subscribers", argv[2], 1),
                           (size_t) perf_number ("message size", argv[3], 1),
                           perf_number ("message count", argv[4], 1),
                           argc == 7 ? argv[5] : "tcp",
                           argc == 7 ? perf_number ("topics", argv[6], 0) : 0);
    if (argc == 5 && strcmp (argv[1], "router") == 0)
        return run_router (perf_number ("peers", argv[2], 1),
                           (size_t) perf_number ("message size", argv[3], 0),
                           perf_number ("rounds", argv[4], 1));
    if (argc == 5 && strcmp (argv[1], "loadlat") == 0)
        return run_loadlat (perf_number ("streams", argv[2], 0),
                            (size_t) perf_number ("message size", argv[3], 0),
                            perf_number ("roundtrip count", argv[4], 1));
    if (argc == 2 && strcmp (argv[1], "version") == 0) {
        int major, minor, patch;
        zmq_version (&major, &minor, &patch);
        printf ("result version=%d.%d.%d\n", major, minor, patch);
        return 0;
    }
    if (argc == 3 && strcmp (argv[1], "conns") == 0)
        return run_conns (perf_number ("connections", argv[2], 1));
    printf ("usage: zmq_bench thr <tcp|ipc|inproc> <message-size> <message-count>\n"
            "       zmq_bench lat <tcp|ipc|inproc> <message-size> <roundtrip-count>\n"
            "       zmq_bench fanout <subscribers> <message-size> <message-count> [<tcp|ipc> <topics>]\n"
            "       zmq_bench router <peers> <message-size> <rounds>\n"
            "       zmq_bench loadlat <streams> <message-size> <roundtrip-count>\n"
            "       zmq_bench conns <connections>\n");
    return 1;
}
