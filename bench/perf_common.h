/* Shared helpers of the C perf tools (our own code, against libzmq):
   argument checks, the stopwatch, and libzmq's report lines. */
#ifndef PERF_COMMON_H
#define PERF_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

/* Fails the way libzmq's perf tools do: "error in <call>: <strerror>". */
#define CHECK(call, expr)                                                    \
    do {                                                                     \
        if ((expr) < 0) {                                                    \
            printf ("error in %s: %s\n", call, zmq_strerror (errno));        \
            exit (255);                                                      \
        }                                                                    \
    } while (0)

#define CHECK_PTR(call, ptr)                                                 \
    do {                                                                     \
        if (!(ptr)) {                                                        \
            printf ("error in %s: %s\n", call, zmq_strerror (errno));        \
            exit (255);                                                      \
        }                                                                    \
    } while (0)

static inline unsigned long long perf_now_ns (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (unsigned long long) ts.tv_sec * 1000000000ull
           + (unsigned long long) ts.tv_nsec;
}

/* CPU seconds of this process (every thread, ended ones included), as
   crates/zmq-tools/src/cpu.rs reads them. */
static inline double cpu_seconds (void)
{
    struct timespec now;
    if (clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &now) != 0)
        return 0;
    return (double) now.tv_sec + (double) now.tv_nsec / 1e9;
}

static inline double per_cpu_second (double count, double cpu_s)
{
    return cpu_s > 0 ? count / cpu_s : 0;
}

static inline unsigned long perf_now_us (void)
{
    return (unsigned long) (perf_now_ns () / 1000ull);
}

static inline void perf_print_throughput (size_t size, int count,
                                          unsigned long elapsed_us)
{
    if (elapsed_us == 0)
        elapsed_us = 1;
    unsigned long throughput =
      (unsigned long) ((double) count / (double) elapsed_us * 1000000);
    double megabits = (double) (throughput * size * 8) / 1000000;
    printf ("message size: %d [B]\n", (int) size);
    printf ("message count: %d\n", count);
    printf ("mean throughput: %d [msg/s]\n", (int) throughput);
    printf ("mean throughput: %.3f [Mb/s]\n", megabits);
}

static inline void perf_print_latency_header (size_t size, int roundtrips)
{
    printf ("message size: %d [B]\n", (int) size);
    printf ("roundtrip count: %d\n", roundtrips);
}

static inline void perf_print_latency_footer (int roundtrips,
                                              unsigned long elapsed_us)
{
    printf ("average latency: %.3f [us]\n",
            (double) elapsed_us / (roundtrips * 2));
}

/* Receives one message into msg and checks its size. */
static inline void perf_recv_sized (void *s, zmq_msg_t *msg, size_t size)
{
    CHECK ("zmq_recvmsg", zmq_msg_recv (msg, s, 0));
    if (zmq_msg_size (msg) != size) {
        printf ("message of incorrect size received\n");
        exit (255);
    }
}

/* Receives count messages; microseconds from the first to the last. */
static inline unsigned long perf_receive_stream (void *s, size_t size,
                                                 int count)
{
    zmq_msg_t msg;
    CHECK ("zmq_msg_init", zmq_msg_init (&msg));
    perf_recv_sized (s, &msg, size);
    unsigned long start = perf_now_us ();
    for (int i = 1; i < count; i++)
        perf_recv_sized (s, &msg, size);
    unsigned long elapsed = perf_now_us () - start;
    zmq_msg_close (&msg);
    return elapsed;
}

/* Sends count messages of size bytes, one fresh message each. */
static inline void perf_send_stream (void *s, size_t size, int count)
{
    for (int i = 0; i < count; i++) {
        zmq_msg_t msg;
        CHECK ("zmq_msg_init_size", zmq_msg_init_size (&msg, size));
        /* Like libzmq's remote_thr: the body is not filled. */
        if (size > 0)
            memset (zmq_msg_data (&msg), 0, 1);
        CHECK ("zmq_sendmsg", zmq_msg_send (&msg, s, 0));
    }
}

/* Echoes roundtrips messages back. */
static inline void perf_echo (void *s, size_t size, int roundtrips)
{
    zmq_msg_t msg;
    CHECK ("zmq_msg_init", zmq_msg_init (&msg));
    for (int i = 0; i < roundtrips; i++) {
        perf_recv_sized (s, &msg, size);
        CHECK ("zmq_sendmsg", zmq_msg_send (&msg, s, 0));
    }
    zmq_msg_close (&msg);
}

/* A request of size zero bytes, reused for every roundtrip as libzmq's
   remote_lat does (the reply becomes the next request). */
static inline void perf_request_init (zmq_msg_t *msg, size_t size)
{
    CHECK ("zmq_msg_init_size", zmq_msg_init_size (msg, size));
    memset (zmq_msg_data (msg), 0, size);
}

/* One request and its reply from a REQ socket. */
static inline void perf_roundtrip (void *s, zmq_msg_t *msg, size_t size)
{
    CHECK ("zmq_sendmsg", zmq_msg_send (msg, s, 0));
    perf_recv_sized (s, msg, size);
}

static inline int perf_number (const char *name, const char *text, int min)
{
    char *end = NULL;
    long value = strtol (text, &end, 10);
    if (end == text || *end != '\0' || value < min || value > 2000000000L) {
        printf ("invalid %s: \"%s\"\n", name, text);
        exit (1);
    }
    return (int) value;
}

#endif
