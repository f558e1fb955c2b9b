/* The socket option matrix: for every option of zmq_setsockopt(3) and
 * zmq_getsockopt(3) and every socket type (ZMQ_PAIR .. ZMQ_CHANNEL), tries
 * a fixed list of values (valid ones, wrong sizes, out of range, a NULL
 * value with a size), then, on a fresh socket, the option's own
 * documented values and the values just outside them ("doc" lines),
 * reads the option back after each, and prints one line per attempt.
 * Then ("CTX" lines) every context option with valid and invalid values
 * through zmq_ctx_set / zmq_ctx_get and zmq_ctx_set_ext / zmq_ctx_get_ext,
 * on a fresh context and after its I/O threads started. It asserts nothing: run it on libzmq and on zmq-rs and
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
    {"ZMQ_WSS_KEY_PEM", 103, BIN},
    {"ZMQ_WSS_CERT_PEM", 104, BIN},
    {"ZMQ_WSS_TRUST_PEM", 105, BIN},
    {"ZMQ_WSS_HOSTNAME", 106, BIN},
    {"ZMQ_WSS_TRUST_SYSTEM", 107, INT},
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

/* FNV-1a of a value read back, so that long values are compared whole. */
static unsigned long fnv (const unsigned char *b, size_t n)
{
    unsigned long h = 2166136261UL;
    for (size_t i = 0; i < n; i++)
        h = ((h ^ b[i]) * 16777619UL) & 0xffffffffUL;
    return h;
}

static void print_read_back_sized (void *s, const struct option *o,
                                   size_t size)
{
    unsigned char buf[1100];
    memset (buf, 0xAA, sizeof buf);
    size_t asked = size;
    int rc = zmq_getsockopt (s, o->number, buf, &size);
    if (rc != 0) {
        printf (" | get(%zu) rc=-1 %s", asked, errno_name (errno));
        return;
    }
    printf (" | get(%zu) rc=0 size=%zu value=", asked, size);
    if (o->number == ZMQ_FD) {
        printf ("<fd>");
        return;
    }
    if (o->kind == INT && size == sizeof (int)) {
        int v;
        memcpy (&v, buf, sizeof v);
        printf ("%d", v);
    } else if ((o->kind == I64 || o->kind == U64) && size == 8) {
        int64_t v;
        memcpy (&v, buf, sizeof v);
        printf ("%lld", (long long) v);
    } else {
        size_t shown = size < 48 ? size : 48;
        for (size_t i = 0; i < shown; i++)
            printf ("%02x", buf[i]);
        if (shown < size)
            printf ("... fnv=%08lx", fnv (buf, size));
        /* the rest of the buffer, as libzmq zeroes it */
        int rest_zero = 1;
        for (size_t i = size; i < asked; i++)
            if (buf[i] != 0)
                rest_zero = 0;
        printf (" rest=%s", rest_zero ? "zeroed" : "kept");
    }
}

static void print_read_back (void *s, const struct option *o)
{
    switch (o->kind) {
        case INT: print_read_back_sized (s, o, sizeof (int)); break;
        case I64:
        case U64: print_read_back_sized (s, o, 8); break;
        case CURVE:
            print_read_back_sized (s, o, 32);
            print_read_back_sized (s, o, 41);
            break;
        default: print_read_back_sized (s, o, 1024); break;
    }
    printf ("\n");
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

/* The documented values of each option (zmq_setsockopt(3)) and the
 * values just outside them, each set on the socket and read back. */
static char x16[16], x17[17], x300[300], x1000[1000];
static unsigned char high[] = {0xff, 0x80, 0xc3, 0x28, 0x00, 0x61};
static char label_buf[160];

static void try_int (void *s, int type, const struct option *o, int v)
{
    snprintf (label_buf, sizeof label_buf, "doc int %d", v);
    struct value_case c = {label_buf, &v, sizeof v};
    attempt (s, type, o, &c);
}

static void try_i64 (void *s, int type, const struct option *o, int64_t v)
{
    snprintf (label_buf, sizeof label_buf, "doc int64 %lld", (long long) v);
    struct value_case c = {label_buf, &v, sizeof v};
    attempt (s, type, o, &c);
}

static void try_bytes (void *s,
                       int type,
                       const struct option *o,
                       const char *label,
                       const void *data,
                       size_t size)
{
    snprintf (label_buf, sizeof label_buf, "doc %s (%zu)", label, size);
    struct value_case c = {label_buf, data, size};
    attempt (s, type, o, &c);
}

#define INTS(...)                                                              \
    do {                                                                       \
        static const int v_[] = {__VA_ARGS__};                                 \
        for (size_t i_ = 0; i_ < sizeof v_ / sizeof v_[0]; i_++)               \
            try_int (s, type, o, v_[i_]);                                      \
    } while (0)
#define TEXT(t) try_bytes (s, type, o, "\"" t "\"", t, sizeof (t) - 1)
#define BYTES(label, data, size) try_bytes (s, type, o, label, data, size)
#define IMAX 2147483647
#define IMIN (-2147483647 - 1)

/* The generic byte values every text option gets on top of its own. */
static void text_edges (void *s, int type, const struct option *o)
{
    BYTES ("NULL", NULL, 0);
    BYTES ("empty", "", 0);
    BYTES ("high bytes", high, sizeof high);
    BYTES ("255 x", x255, 255);
    BYTES ("256 x", x256, 256);
}

static void run_documented (void *s, int type, const struct option *o)
{
    switch (o->number) {
        case ZMQ_AFFINITY:
            try_i64 (s, type, o, 3);
            try_i64 (s, type, o, -1); /* UINT64_MAX */
            break;
        case ZMQ_ROUTING_ID:
            TEXT ("peer");
            TEXT ("\0zero first");
            BYTES ("1 byte", "A", 1);
            text_edges (s, type, o);
            break;
        case ZMQ_SUBSCRIBE:
        case ZMQ_UNSUBSCRIBE:
            TEXT ("topic");
            BYTES ("1000 x", x1000, 1000);
            text_edges (s, type, o);
            break;
        case ZMQ_RATE:
        case ZMQ_MULTICAST_HOPS:
        case ZMQ_MULTICAST_MAXTPDU:
        case ZMQ_IN_BATCH_SIZE:
        case ZMQ_OUT_BATCH_SIZE: INTS (1, 0, -1, 255, 256, 1500, 8192, IMAX); break;
        case ZMQ_RECOVERY_IVL:
        case ZMQ_RECONNECT_IVL_MAX:
        case ZMQ_BACKLOG:
        case ZMQ_SNDHWM:
        case ZMQ_RCVHWM:
        case ZMQ_HANDSHAKE_IVL:
        case ZMQ_HEARTBEAT_IVL:
        case ZMQ_HEARTBEAT_TIMEOUT:
        case ZMQ_CONNECT_TIMEOUT:
        case ZMQ_TCP_MAXRT:
        case ZMQ_PRIORITY: INTS (0, -1, 1, 7, 1000, 30000, IMAX, IMIN); break;
        case ZMQ_SNDBUF:
        case ZMQ_RCVBUF:
        case ZMQ_LINGER:
        case ZMQ_RECONNECT_IVL:
        case ZMQ_RCVTIMEO:
        case ZMQ_SNDTIMEO:
        case ZMQ_TCP_KEEPALIVE_CNT:
        case ZMQ_TCP_KEEPALIVE_IDLE:
        case ZMQ_TCP_KEEPALIVE_INTVL: INTS (-1, -2, 0, 1, 65536, IMAX, IMIN); break;
        case ZMQ_MAXMSGSIZE:
            try_i64 (s, type, o, -1);
            try_i64 (s, type, o, -2);
            try_i64 (s, type, o, 0);
            try_i64 (s, type, o, INT64_MAX);
            try_i64 (s, type, o, INT64_MIN);
            break;
        case ZMQ_IPV4ONLY:
        case ZMQ_IPV6:
        case ZMQ_IMMEDIATE:
        case ZMQ_CONFLATE:
        case ZMQ_PLAIN_SERVER:
        case ZMQ_CURVE_SERVER:
        case ZMQ_STREAM_NOTIFY:
        case ZMQ_INVERT_MATCHING:
        case ZMQ_ZAP_ENFORCE_DOMAIN:
        case ZMQ_LOOPBACK_FASTPATH:
        case ZMQ_MULTICAST_LOOP:
        case ZMQ_ROUTER_MANDATORY:
        case ZMQ_XPUB_VERBOSE:
        case ZMQ_XPUB_VERBOSER:
        case ZMQ_XPUB_MANUAL:
        case ZMQ_XPUB_MANUAL_LAST_VALUE:
        case ZMQ_XPUB_NODROP:
        case ZMQ_ROUTER_RAW:
        case ZMQ_ROUTER_HANDOVER:
        case ZMQ_PROBE_ROUTER:
        case ZMQ_REQ_CORRELATE:
        case ZMQ_REQ_RELAXED:
        case ZMQ_ONLY_FIRST_SUBSCRIBE:
        case ZMQ_GSSAPI_SERVER:
        case ZMQ_GSSAPI_PLAINTEXT: INTS (0, 1, 2, -1, IMAX, IMIN, 0); break;
        case ZMQ_XSUB_VERBOSE_UNSUBSCRIBE: {
            INTS (0, 1, 2, -1, 0);
            /* libzmq reads an int from the first bytes whatever the size */
            int64_t wide = 1;
            BYTES ("int64 1", &wide, sizeof wide);
            unsigned char five[5] = {0, 0, 0, 0, 1};
            BYTES ("5 bytes, int 0 first", five, sizeof five);
            break;
        }
        case ZMQ_TCP_KEEPALIVE: INTS (-1, 0, 1, 2, -2); break;
        case ZMQ_TCP_ACCEPT_FILTER:
            TEXT ("127.0.0.1");
            TEXT ("10.0.0.0/8");
            TEXT ("::1");
            TEXT ("fe80::/10");
            TEXT ("10.0.0.0/33");
            TEXT ("::1/129");
            TEXT ("not an address");
            {
                /* IPv6 networks need ZMQ_IPV6 (libzmq resolves with it) */
                int on = 1;
                zmq_setsockopt (s, ZMQ_IPV6, &on, sizeof on);
                TEXT ("::1 after ZMQ_IPV6=1");
                TEXT ("fe80::/10");
                TEXT ("10.0.0.0/8");
            }
            BYTES ("NULL", NULL, 0);
            BYTES ("empty", "", 0);
            BYTES ("256 x", x256, 256);
            break;
        case ZMQ_PLAIN_USERNAME:
        case ZMQ_PLAIN_PASSWORD:
        case ZMQ_ZAP_DOMAIN:
        case ZMQ_SOCKS_USERNAME:
        case ZMQ_SOCKS_PASSWORD:
        case ZMQ_GSSAPI_PRINCIPAL:
        case ZMQ_GSSAPI_SERVICE_PRINCIPAL:
            TEXT ("admin");
            TEXT ("with\0nul");
            text_edges (s, type, o);
            BYTES ("300 x", x300, 300);
            break;
        case ZMQ_CURVE_PUBLICKEY:
        case ZMQ_CURVE_SECRETKEY:
        case ZMQ_CURVE_SERVERKEY: {
            BYTES ("binary key", binary_key, 32);
            BYTES ("z85 key", z85_key, 40);
            BYTES ("z85 key+NUL", z85_key, 41);
            char z85_bad[41];
            memcpy (z85_bad, z85_key, 41);
            z85_bad[3] = ' '; /* not a Z85 character */
            BYTES ("z85 with a space", z85_bad, 40);
            z85_bad[3] = z85_key[3];
            z85_bad[40] = 'x'; /* 41 bytes, no NUL */
            BYTES ("z85 + x", z85_bad, 41);
            BYTES ("31 bytes", binary_key, 31);
            BYTES ("33 bytes", x255, 33);
            BYTES ("39 z85", z85_key, 39);
            BYTES ("42 bytes", x255, 42);
            BYTES ("NULL", NULL, 0);
            break;
        }
        case ZMQ_TOS: INTS (0, 1, 0x28, 0xb8, 255, 256, -1, IMAX); break;
        case ZMQ_IPC_FILTER_PID:
        case ZMQ_IPC_FILTER_UID:
        case ZMQ_IPC_FILTER_GID: {
            int id = 1000, neg = -1;
            int64_t wide = 1000;
            BYTES ("id 1000", &id, sizeof id);
            BYTES ("id -1", &neg, sizeof neg);
            BYTES ("int64 1000", &wide, sizeof wide);
            BYTES ("2 bytes", &id, 2);
            BYTES ("NULL", NULL, 0);
            break;
        }
        case ZMQ_CONNECT_ROUTING_ID:
            TEXT ("peer");
            TEXT ("\0zero first");
            BYTES ("high bytes", high, sizeof high);
            BYTES ("255 x", x255, 255);
            BYTES ("256 x", x256, 256);
            BYTES ("1000 x", x1000, 1000);
            BYTES ("empty", "", 0);
            break;
        case ZMQ_SOCKS_PROXY:
            TEXT ("127.0.0.1:1080");
            TEXT ("proxy.example:1080");
            TEXT ("[::1]:1080");
            TEXT ("no port");
            text_edges (s, type, o);
            BYTES ("1000 x", x1000, 1000);
            break;
        case ZMQ_XPUB_WELCOME_MSG:
        case ZMQ_HELLO_MSG:
        case ZMQ_DISCONNECT_MSG:
        case ZMQ_HICCUP_MSG:
            TEXT ("hello");
            text_edges (s, type, o);
            BYTES ("1000 x", x1000, 1000);
            break;
        case ZMQ_HEARTBEAT_TTL:
            INTS (0, 99, 100, 150, 199, -1, -99, -100, 6553500, 6553599, 6553600,
                  IMAX, IMIN);
            break;
        case ZMQ_USE_FD: INTS (-1, -2, 0, 1000, IMAX, -1); break;
        case ZMQ_BINDTODEVICE:
            TEXT ("lo");
            TEXT ("eth0");
            BYTES ("16 x", x16, 16);
            BYTES ("17 x", x17, 17);
            text_edges (s, type, o);
            break;
        case ZMQ_METADATA:
            TEXT ("X-key:value");
            TEXT ("X-:v");
            TEXT ("X-k:v");
            TEXT ("X-key:");
            TEXT ("key:value");
            TEXT (":value");
            TEXT ("X-key");
            TEXT ("X-key:a:b");
            TEXT ("X-key:with\0nul");
            BYTES ("NULL", NULL, 0);
            BYTES ("empty", "", 0);
            break;
        case ZMQ_ROUTER_NOTIFY: INTS (0, 1, 2, 3, 4, -1, IMAX); break;
        case ZMQ_RECONNECT_STOP: INTS (0, 1, 2, 3, 4, 7, 8, -1, IMAX); break;
        case ZMQ_BUSY_POLL: INTS (0, 50, -1, IMAX, IMIN); break;
        default: break;
    }
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
        /* The documented values, on a fresh socket. */
        s = zmq_socket (ctx, type);
        run_documented (s, type, o);
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

/* The context option matrix: zmq_ctx_set / zmq_ctx_get and the _ext
 * forms, every context option with valid and invalid values. */
struct ctx_option {
    const char *name;
    int number;
};

static const struct ctx_option ctx_options[] = {
    {"ZMQ_IO_THREADS", ZMQ_IO_THREADS},
    {"ZMQ_MAX_SOCKETS", ZMQ_MAX_SOCKETS},
    {"ZMQ_SOCKET_LIMIT/ZMQ_THREAD_PRIORITY", ZMQ_SOCKET_LIMIT},
    {"ZMQ_THREAD_SCHED_POLICY", ZMQ_THREAD_SCHED_POLICY},
    {"ZMQ_MAX_MSGSZ", ZMQ_MAX_MSGSZ},
    {"ZMQ_MSG_T_SIZE", ZMQ_MSG_T_SIZE},
    {"ZMQ_THREAD_AFFINITY_CPU_ADD", ZMQ_THREAD_AFFINITY_CPU_ADD},
    {"ZMQ_THREAD_AFFINITY_CPU_REMOVE", ZMQ_THREAD_AFFINITY_CPU_REMOVE},
    {"ZMQ_THREAD_NAME_PREFIX", ZMQ_THREAD_NAME_PREFIX},
    {"ZMQ_ZERO_COPY_RECV", ZMQ_ZERO_COPY_RECV},
    {"ZMQ_IPV6", ZMQ_IPV6},
    {"ZMQ_BLOCKY", ZMQ_BLOCKY},
    {"unknown 0", 0},
    {"unknown 11", 11},
    {"unknown -1", -1},
    {"ZMQ_LINGER (a socket option)", ZMQ_LINGER},
};
#define CTX_OPTION_COUNT (sizeof ctx_options / sizeof ctx_options[0])

static void ctx_print_get (void *ctx, const struct ctx_option *o)
{
    errno = 0;
    int v = zmq_ctx_get (ctx, o->number);
    printf (" | get=%d%s%s", v, v == -1 ? " " : "",
            v == -1 ? errno_name (errno) : "");
}

/* zmq_ctx_get_ext with a buffer of `size` bytes. */
static void ctx_print_get_ext (void *ctx, const struct ctx_option *o,
                               size_t size)
{
    unsigned char buf[64];
    memset (buf, 0xAA, sizeof buf);
    size_t len = size;
    int rc = zmq_ctx_get_ext (ctx, o->number, buf, &len);
    printf (" | get_ext(%zu) rc=%d", size, rc);
    if (rc != 0) {
        printf (" %s", errno_name (errno));
        return;
    }
    printf (" size=%zu value=", len);
    for (size_t i = 0; i < size && i < sizeof buf; i++)
        printf ("%02x", buf[i]);
}

static void ctx_read_back (void *ctx, const struct ctx_option *o)
{
    ctx_print_get (ctx, o);
    ctx_print_get_ext (ctx, o, sizeof (int));
    if (o->number == ZMQ_THREAD_NAME_PREFIX) {
        ctx_print_get_ext (ctx, o, 0);
        ctx_print_get_ext (ctx, o, 8);
        ctx_print_get_ext (ctx, o, 16);
        ctx_print_get_ext (ctx, o, 32);
    } else {
        ctx_print_get_ext (ctx, o, 8);
    }
    printf ("\n");
}

static void ctx_set (void *ctx, const struct ctx_option *o, int v)
{
    printf ("CTX %s [set %d]", o->name, v);
    int rc = zmq_ctx_set (ctx, o->number, v);
    printf (" rc=%d%s%s", rc, rc ? " " : "", rc ? errno_name (errno) : "");
    ctx_read_back (ctx, o);
}

static void ctx_set_ext (void *ctx, const struct ctx_option *o,
                         const char *label, const void *data, size_t size)
{
    printf ("CTX %s [set_ext %s (%zu)]", o->name, label, size);
    int rc = zmq_ctx_set_ext (ctx, o->number, data, size);
    printf (" rc=%d%s%s", rc, rc ? " " : "", rc ? errno_name (errno) : "");
    ctx_read_back (ctx, o);
}

static void run_context_option (const struct ctx_option *o, int started)
{
    void *ctx = zmq_ctx_new ();
    void *s = NULL;
    if (started) {
        /* set after the context started its threads */
        s = zmq_socket (ctx, ZMQ_PAIR);
        /* a tcp bind starts the I/O threads in both libraries */
        zmq_bind (s, "tcp://127.0.0.1:*");
        printf ("CTX %s [after a socket]", o->name);
    } else
        printf ("CTX %s [default]", o->name);
    ctx_read_back (ctx, o);
    static const int values[] = {1, 0, -1, -2, 2, 3, 7, 16, 100, 1023, 1024,
                                 65535, 65536, 2147483647, -2147483647 - 1,
                                 1, 3};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        /* ZMQ_THREAD_AFFINITY_CPU_REMOVE of each added CPU, then twice */
        if (o->number == ZMQ_THREAD_AFFINITY_CPU_REMOVE && values[i] == 7)
            zmq_ctx_set (ctx, ZMQ_THREAD_AFFINITY_CPU_ADD, 7);
        ctx_set (ctx, o, values[i]);
    }
    if (!started) {
        int64_t wide = 5;
        ctx_set_ext (ctx, o, "int64 5", &wide, sizeof wide);
        int one = 1;
        ctx_set_ext (ctx, o, "int 1", &one, sizeof one);
        ctx_set_ext (ctx, o, "2 bytes", &one, 2);
        ctx_set_ext (ctx, o, "empty", "", 0);
        ctx_set_ext (ctx, o, "\"app\"", "app", 3);
        ctx_set_ext (ctx, o, "\"app\\0\"", "app", 4);
        ctx_set_ext (ctx, o, "\"12abc\"", "12abc", 5);
        ctx_set_ext (ctx, o, "\" -7\"", " -7", 3);
        ctx_set_ext (ctx, o, "\"99999999999\"", "99999999999", 11);
        ctx_set_ext (ctx, o, "\"-9999999999999999\"", "-9999999999999999", 16);
        ctx_set_ext (ctx, o, "high bytes", high, sizeof high);
        ctx_set_ext (ctx, o, "16 x", x16, 16);
        ctx_set_ext (ctx, o, "17 x", x17, 17);
    }
    if (started && o->number == ZMQ_MAX_SOCKETS) {
        /* set after the start: libzmq keeps the slots it started with */
        zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, 1);
        void *more[3];
        int made = 0;
        for (int i = 0; i < 3; i++)
            if ((more[i] = zmq_socket (ctx, ZMQ_PAIR)) != NULL)
                made++;
        printf ("CTX %s [1 after a socket] %d more sockets\n", o->name, made);
        for (int i = 0; i < 3; i++)
            if (more[i])
                zmq_close (more[i]);
    }
    if (s)
        zmq_close (s);
    zmq_ctx_term (ctx);
}

static void run_context (void)
{
    for (size_t i = 0; i < CTX_OPTION_COUNT; i++) {
        run_context_option (&ctx_options[i], 0);
        run_context_option (&ctx_options[i], 1);
    }
    /* Not a context. */
    errno = 0;
    int rc = zmq_ctx_set (NULL, ZMQ_IO_THREADS, 1);
    printf ("CTX NULL [set] rc=%d %s\n", rc, errno_name (errno));
    rc = zmq_ctx_get (NULL, ZMQ_IO_THREADS);
    printf ("CTX NULL [get] rc=%d %s\n", rc, errno_name (errno));
    int v = 1;
    size_t len = sizeof v;
    rc = zmq_ctx_set_ext (NULL, ZMQ_IO_THREADS, &v, sizeof v);
    printf ("CTX NULL [set_ext] rc=%d %s\n", rc, errno_name (errno));
    rc = zmq_ctx_get_ext (NULL, ZMQ_IO_THREADS, &v, &len);
    printf ("CTX NULL [get_ext] rc=%d %s\n", rc, errno_name (errno));
    /* The deprecated zmq_init. */
    static const int inits[] = {0, 1, 2, -1};
    for (size_t i = 0; i < sizeof inits / sizeof inits[0]; i++) {
        errno = 0;
        void *ctx = zmq_init (inits[i]);
        printf ("CTX zmq_init(%d) %s", inits[i], ctx ? "ok" : "NULL");
        if (ctx) {
            printf (" io_threads=%d\n", zmq_ctx_get (ctx, ZMQ_IO_THREADS));
            zmq_term (ctx);
        } else
            printf (" %s\n", errno_name (errno));
    }
}

int main (int argc, char **argv)
{
    memset (x255, 'x', sizeof x255);
    memset (x256, 'x', sizeof x256);
    memset (x16, 'x', sizeof x16);
    memset (x17, 'x', sizeof x17);
    memset (x300, 'x', sizeof x300);
    memset (x1000, 'x', sizeof x1000);
    for (size_t i = 0; i < sizeof binary_key; i++)
        binary_key[i] = (unsigned char) (i * 7 + 1);
    int only = argc > 1 ? atoi (argv[1]) : -1;
    setvbuf (stdout, NULL, _IOFBF, 1 << 16);

    if (only < 0 || only == TYPE_COUNT) {
        run_context ();
        fflush (stdout);
    }

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
