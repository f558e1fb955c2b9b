/* The socket option matrix: for every option of zmq_setsockopt(3) and
 * zmq_getsockopt(3) and every socket type (ZMQ_PAIR .. ZMQ_CHANNEL), tries
 * a fixed list of values (valid ones, wrong sizes, out of range, a NULL
 * value with a size), reads the option back after each, and prints one
 * line per attempt. It asserts nothing: run it on libzmq and on zmq-rs and
 * diff the outputs (crates/zmq-capi/tests/option_matrix.rs).
 *
 * Each socket type runs in a child process with its own context; each
 * NULL-with-a-size attempt runs in a child of its own, because libzmq
 * reads through the pointer (and crashes) where zmq-rs refuses with
 * EINVAL: both are printed as "refused" (docs/conformance-differences.md).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zmq.h"

enum kind { INT, I64, U64, BIN, CURVE };

struct option {
    const char *name;
    int number;
    enum kind kind;
};

static const struct option options[] = {
    {"ZMQ_AFFINITY", 4, U64},
    {"ZMQ_ROUTING_ID", 5, BIN},
    {"ZMQ_SUBSCRIBE", 6, BIN},
    {"ZMQ_UNSUBSCRIBE", 7, BIN},
    {"ZMQ_RATE", 8, INT},
    {"ZMQ_RECOVERY_IVL", 9, INT},
    {"ZMQ_SNDBUF", 11, INT},
    {"ZMQ_RCVBUF", 12, INT},
    {"ZMQ_RCVMORE", 13, INT},
    {"ZMQ_FD", 14, INT},
    {"ZMQ_EVENTS", 15, INT},
    {"ZMQ_TYPE", 16, INT},
    {"ZMQ_LINGER", 17, INT},
    {"ZMQ_RECONNECT_IVL", 18, INT},
    {"ZMQ_BACKLOG", 19, INT},
    {"ZMQ_RECONNECT_IVL_MAX", 21, INT},
    {"ZMQ_MAXMSGSIZE", 22, I64},
    {"ZMQ_SNDHWM", 23, INT},
    {"ZMQ_RCVHWM", 24, INT},
    {"ZMQ_MULTICAST_HOPS", 25, INT},
    {"ZMQ_RCVTIMEO", 27, INT},
    {"ZMQ_SNDTIMEO", 28, INT},
    {"ZMQ_IPV4ONLY", 31, INT},
    {"ZMQ_LAST_ENDPOINT", 32, BIN},
    {"ZMQ_ROUTER_MANDATORY", 33, INT},
    {"ZMQ_TCP_KEEPALIVE", 34, INT},
    {"ZMQ_TCP_KEEPALIVE_CNT", 35, INT},
    {"ZMQ_TCP_KEEPALIVE_IDLE", 36, INT},
    {"ZMQ_TCP_KEEPALIVE_INTVL", 37, INT},
    {"ZMQ_TCP_ACCEPT_FILTER", 38, BIN},
    {"ZMQ_IMMEDIATE", 39, INT},
    {"ZMQ_XPUB_VERBOSE", 40, INT},
    {"ZMQ_ROUTER_RAW", 41, INT},
    {"ZMQ_IPV6", 42, INT},
    {"ZMQ_MECHANISM", 43, INT},
    {"ZMQ_PLAIN_SERVER", 44, INT},
    {"ZMQ_PLAIN_USERNAME", 45, BIN},
    {"ZMQ_PLAIN_PASSWORD", 46, BIN},
    {"ZMQ_CURVE_SERVER", 47, INT},
    {"ZMQ_CURVE_PUBLICKEY", 48, CURVE},
    {"ZMQ_CURVE_SECRETKEY", 49, CURVE},
    {"ZMQ_CURVE_SERVERKEY", 50, CURVE},
    {"ZMQ_PROBE_ROUTER", 51, INT},
    {"ZMQ_REQ_CORRELATE", 52, INT},
    {"ZMQ_REQ_RELAXED", 53, INT},
    {"ZMQ_CONFLATE", 54, INT},
    {"ZMQ_ZAP_DOMAIN", 55, BIN},
    {"ZMQ_ROUTER_HANDOVER", 56, INT},
    {"ZMQ_TOS", 57, INT},
    {"ZMQ_IPC_FILTER_PID", 58, BIN},
    {"ZMQ_IPC_FILTER_UID", 59, BIN},
    {"ZMQ_IPC_FILTER_GID", 60, BIN},
    {"ZMQ_CONNECT_ROUTING_ID", 61, BIN},
    {"ZMQ_GSSAPI_SERVER", 62, INT},
    {"ZMQ_GSSAPI_PRINCIPAL", 63, BIN},
    {"ZMQ_GSSAPI_SERVICE_PRINCIPAL", 64, BIN},
    {"ZMQ_GSSAPI_PLAINTEXT", 65, INT},
    {"ZMQ_HANDSHAKE_IVL", 66, INT},
    {"ZMQ_SOCKS_PROXY", 68, BIN},
    {"ZMQ_XPUB_NODROP", 69, INT},
    {"ZMQ_XPUB_MANUAL", 71, INT},
    {"ZMQ_XPUB_WELCOME_MSG", 72, BIN},
    {"ZMQ_STREAM_NOTIFY", 73, INT},
    {"ZMQ_INVERT_MATCHING", 74, INT},
    {"ZMQ_HEARTBEAT_IVL", 75, INT},
    {"ZMQ_HEARTBEAT_TTL", 76, INT},
    {"ZMQ_HEARTBEAT_TIMEOUT", 77, INT},
    {"ZMQ_XPUB_VERBOSER", 78, INT},
    {"ZMQ_CONNECT_TIMEOUT", 79, INT},
    {"ZMQ_TCP_MAXRT", 80, INT},
    {"ZMQ_THREAD_SAFE", 81, INT},
    {"ZMQ_MULTICAST_MAXTPDU", 84, INT},
    {"ZMQ_VMCI_BUFFER_SIZE", 85, U64},
    {"ZMQ_VMCI_BUFFER_MIN_SIZE", 86, U64},
    {"ZMQ_VMCI_BUFFER_MAX_SIZE", 87, U64},
    {"ZMQ_VMCI_CONNECT_TIMEOUT", 88, INT},
    {"ZMQ_USE_FD", 89, INT},
    {"ZMQ_GSSAPI_PRINCIPAL_NAMETYPE", 90, INT},
    {"ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE", 91, INT},
    {"ZMQ_BINDTODEVICE", 92, BIN},
    {"ZMQ_ZAP_ENFORCE_DOMAIN", 93, INT},
    {"ZMQ_LOOPBACK_FASTPATH", 94, INT},
    {"ZMQ_METADATA", 95, BIN},
    {"ZMQ_MULTICAST_LOOP", 96, INT},
    {"ZMQ_ROUTER_NOTIFY", 97, INT},
    {"ZMQ_XPUB_MANUAL_LAST_VALUE", 98, INT},
    {"ZMQ_SOCKS_USERNAME", 99, BIN},
    {"ZMQ_SOCKS_PASSWORD", 100, BIN},
    {"ZMQ_IN_BATCH_SIZE", 101, INT},
    {"ZMQ_OUT_BATCH_SIZE", 102, INT},
    {"ZMQ_ONLY_FIRST_SUBSCRIBE", 108, INT},
    {"ZMQ_RECONNECT_STOP", 109, INT},
    {"ZMQ_HELLO_MSG", 110, BIN},
    {"ZMQ_DISCONNECT_MSG", 111, BIN},
    {"ZMQ_PRIORITY", 112, INT},
    {"ZMQ_BUSY_POLL", 113, INT},
    {"ZMQ_HICCUP_MSG", 114, BIN},
    {"ZMQ_XSUB_VERBOSE_UNSUBSCRIBE", 115, INT},
    {"ZMQ_TOPICS_COUNT", 116, INT},
    {"ZMQ_NORM_MODE", 117, INT},
    {"ZMQ_NORM_UNICAST_NACK", 118, INT},
    {"ZMQ_NORM_BUFFER_SIZE", 119, INT},
    {"ZMQ_NORM_SEGMENT_SIZE", 120, INT},
    {"ZMQ_NORM_BLOCK_SIZE", 121, INT},
    {"ZMQ_NORM_NUM_PARITY", 122, INT},
    {"ZMQ_NORM_NUM_AUTOPARITY", 123, INT},
    {"ZMQ_NORM_PUSH", 124, INT},
};
#define OPTION_COUNT (sizeof options / sizeof options[0])

static const char *type_names[] = {
  "PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER",
  "PULL", "PUSH", "XPUB", "XSUB", "STREAM", "SERVER", "CLIENT",
  "RADIO", "DISH", "GATHER", "SCATTER", "DGRAM", "PEER", "CHANNEL"};
#define TYPE_COUNT 21
#define TYPE_DGRAM 18

/* One value to set: a label, the bytes, their size. */
struct value_case {
    const char *label;
    const void *data;
    size_t size;
};

static int ints[] = {-2, -1, 0, 1, 2, 3, 99, 100, 6553599, 6553600,
                     2147483647, -2147483647 - 1};
static const char *int_labels[] = {
  "int -2", "int -1", "int 0", "int 1", "int 2", "int 3", "int 99",
  "int 100", "int 6553599", "int 6553600", "int INT_MAX", "int INT_MIN"};
#define INT_CASES (sizeof ints / sizeof ints[0])

static int64_t i64s[] = {-2, -1, 0, 1, 1099511627776LL};
static const char *i64_labels[] = {"int64 -2", "int64 -1", "int64 0",
                                   "int64 1", "int64 2^40"};
#define I64_CASES (sizeof i64s / sizeof i64s[0])

static char x255[255];
static char x256[256];
static unsigned char binary_key[32];
/* A Z85 key (the test vector of zmq_curve(7)'s server public key). */
static const char z85_key[] = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
static const char empty_text[] = "";
static const char nul_first[] = "\0ab";
static const char short_int[] = "\1\0";

static struct value_case bytes_cases[] = {
    {"bytes NULL,0", NULL, 0},
    {"bytes \"\",0", empty_text, 0},
    {"bytes \"a\"", "a", 1},
    {"bytes 2 bytes", short_int, 2},
    {"bytes \"abc\"", "abc", 3},
    {"bytes \"\\0ab\"", nul_first, 3},
    {"bytes \"abcd\"", "abcd", 4},
    {"bytes \"X-key:value\"", "X-key:value", 11},
    {"bytes \"X-key:\"", "X-key:", 6},
    {"bytes \"127.0.0.1\"", "127.0.0.1", 9},
    {"bytes \"10.0.0.0/8\"", "10.0.0.0/8", 10},
    {"bytes \"127.0.0.1:1080\"", "127.0.0.1:1080", 14},
    {"bytes \"lo\"", "lo", 2},
    {"bytes 255 x", x255, 255},
    {"bytes 256 x", x256, 256},
    {"bytes z85 key (40)", z85_key, 40},
    {"bytes z85 key+NUL (41)", z85_key, 41},
    {"bytes binary key (32)", binary_key, 32},
};
#define BYTES_CASES (sizeof bytes_cases / sizeof bytes_cases[0])

static const char *errno_name (int e)
{
    switch (e) {
        case EINVAL: return "EINVAL";
        case EFAULT: return "EFAULT";
        case ENOTSUP: return "ENOTSUP";
        case ETERM: return "ETERM";
        case ENOTSOCK: return "ENOTSOCK";
        case EAGAIN: return "EAGAIN";
        case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
        case EINTR: return "EINTR";
        case ENOMEM: return "ENOMEM";
        case EMFILE: return "EMFILE";
        default: {
            static char buf[32];
            snprintf (buf, sizeof buf, "errno %d", e);
            return buf;
        }
    }
}

/* Attempts where zmq-rs differs from libzmq on purpose: the same line is
 * printed on both (docs/conformance-differences.md says why). */
static const char *deliberate (int type, const struct option *o,
                               const struct value_case *c)
{
    /* libzmq's XSUB reads an int through the pointer whatever the size:
     * through NULL, a crash (we refuse with EINVAL). */
    if (o->number == 115 && type == ZMQ_XSUB && c->data == NULL)
        return "libzmq reads an int through NULL";
    return NULL;
}

static void print_read_back (void *s, const struct option *o)
{
    unsigned char buf[300];
    size_t size;
    switch (o->kind) {
        case INT: size = sizeof (int); break;
        case I64:
        case U64: size = 8; break;
        case CURVE: size = 41; break;
        default: size = 256; break;
    }
    memset (buf, 0xAA, sizeof buf);
    size_t asked = size;
    int rc = zmq_getsockopt (s, o->number, buf, &size);
    if (rc != 0) {
        printf (" | get(%zu) rc=-1 %s\n", asked, errno_name (errno));
        return;
    }
    printf (" | get(%zu) rc=0 size=%zu value=", asked, size);
    if (o->number == ZMQ_FD) {
        printf ("<fd>\n");
        return;
    }
    if (o->kind == INT && size == sizeof (int)) {
        int v;
        memcpy (&v, buf, sizeof v);
        printf ("%d\n", v);
    } else if ((o->kind == I64 || o->kind == U64) && size == 8) {
        int64_t v;
        memcpy (&v, buf, sizeof v);
        printf ("%lld\n", (long long) v);
    } else {
        size_t shown = size < 48 ? size : 48;
        for (size_t i = 0; i < shown; i++)
            printf ("%02x", buf[i]);
        if (shown < size)
            printf ("...");
        /* the rest of the buffer, as libzmq zeroes it */
        int rest_zero = 1;
        for (size_t i = size; i < asked; i++)
            if (buf[i] != 0)
                rest_zero = 0;
        printf (" rest=%s\n", rest_zero ? "zeroed" : "kept");
    }
}

static void attempt (void *s, int type, const struct option *o,
                     const struct value_case *c)
{
    printf ("%s %s [%s]", type_names[type], o->name, c->label);
    const char *why = deliberate (type, o, c);
    if (why) {
        printf (" skipped (deliberate: %s)\n", why);
        return;
    }
    int rc = zmq_setsockopt (s, o->number, c->data, c->size);
    if (rc == 0)
        printf (" set rc=0");
    else
        printf (" set rc=-1 %s", errno_name (errno));
    print_read_back (s, o);
}

/* All non-NULL attempts of one socket type, a fresh socket per option. */
static void run_type (int type)
{
    void *ctx = zmq_ctx_new ();
    for (size_t i = 0; i < OPTION_COUNT; i++) {
        const struct option *o = &options[i];
        void *s = zmq_socket (ctx, type);
        if (!s) {
            printf ("%s: zmq_socket failed %s\n", type_names[type],
                    errno_name (errno));
            break;
        }
        /* The default, then every value. */
        printf ("%s %s [default]", type_names[type], o->name);
        print_read_back (s, o);
        /* Reads with a wrong buffer size. */
        unsigned char buf[8];
        size_t sizes[] = {0, 3, 5, 8};
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            size_t size = sizes[k];
            int rc = zmq_getsockopt (s, o->number, buf, &size);
            printf ("%s %s [get size %zu] rc=%d %s size=%zu\n",
                    type_names[type], o->name, sizes[k], rc,
                    rc ? errno_name (errno) : "ok", size);
        }
        for (size_t k = 0; k < INT_CASES; k++) {
            struct value_case c = {int_labels[k], &ints[k], sizeof (int)};
            attempt (s, type, o, &c);
        }
        for (size_t k = 0; k < I64_CASES; k++) {
            struct value_case c = {i64_labels[k], &i64s[k], 8};
            attempt (s, type, o, &c);
        }
        for (size_t k = 0; k < BYTES_CASES; k++)
            attempt (s, type, o, &bytes_cases[k]);
        zmq_close (s);
    }
    zmq_ctx_term (ctx);
}

/* A NULL value with a size, in a child of its own. */
static void run_null (int type, const struct option *o, size_t size)
{
    fflush (stdout);
    pid_t pid = fork ();
    if (pid == 0) {
        void *ctx = zmq_ctx_new ();
        void *s = zmq_socket (ctx, type);
        int rc = s ? zmq_setsockopt (s, o->number, NULL, size) : -1;
        if (s)
            zmq_close (s);
        zmq_ctx_term (ctx);
        _exit (rc == 0 ? 0 : 1);
    }
    int status = 0;
    waitpid (pid, &status, 0);
    printf ("%s %s [NULL,%zu] %s\n", type_names[type], o->name, size,
            WIFEXITED (status) && WEXITSTATUS (status) == 0 ? "accepted"
                                                            : "refused");
}

int main (int argc, char **argv)
{
    memset (x255, 'x', sizeof x255);
    memset (x256, 'x', sizeof x256);
    for (size_t i = 0; i < sizeof binary_key; i++)
        binary_key[i] = (unsigned char) (i * 7 + 1);
    int only = argc > 1 ? atoi (argv[1]) : -1;
    setvbuf (stdout, NULL, _IOFBF, 1 << 16);

    for (int type = 0; type < TYPE_COUNT; type++) {
        if (only >= 0 && type != only)
            continue;
        if (type == TYPE_DGRAM) {
            printf ("DGRAM skipped (deliberate: udp and DGRAM not built in "
                    "zmq-rs)\n");
            continue;
        }
        fflush (stdout);
        pid_t pid = fork ();
        if (pid == 0) {
            run_type (type);
            fflush (stdout);
            _exit (0);
        }
        int status = 0;
        waitpid (pid, &status, 0);
        if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
            printf ("%s: child ended with status %d\n", type_names[type],
                    status);
        for (size_t i = 0; i < OPTION_COUNT; i++)
            run_null (type, &options[i], sizeof (int));
    }
    fflush (stdout);
    return 0;
}
