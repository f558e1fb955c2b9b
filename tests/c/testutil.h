/* Helpers shared by the C test programs. The programs PRINT what they
 * observe (return codes, errno names, values read back, received bytes)
 * instead of asserting what we believe libzmq does: the harness
 * (crates/zmq-capi/tests/c_programs.rs) runs each program on real libzmq
 * 4.3.5 and on ours and compares the two outputs line by line.
 *
 * Rules for what is printed: nothing that varies run to run (ports,
 * descriptors, pointers, pids, timings); print properties instead
 * ("port>0", "== bound endpoint"). Every line is flushed at once, so a
 * crash leaves everything observed before it. Only the main thread
 * prints. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

/* zmq-rs extension (not in libzmq, not in zmq.h): how many panics the
 * library caught at its C boundary. Each is a bug, so every program checks
 * at exit that there were none. Looked up at run time: libzmq has no such
 * symbol (there the check is skipped). */
#include <dlfcn.h>

static void testutil_check_no_panics (void)
{
    void *self = dlopen (NULL, RTLD_LAZY);
    void *symbol = self ? dlsym (self, "zmq_rs_caught_panics") : NULL;
    if (symbol == NULL)
        return;
    unsigned long long (*caught) (void);
    memcpy (&caught, &symbol, sizeof caught);
    unsigned long long panics = caught ();
    if (panics != 0) {
        fflush (stdout);
        fprintf (stderr, "%llu panic(s) caught at the C boundary\n", panics);
        fflush (stderr);
        _Exit (1);
    }
}

__attribute__ ((constructor)) static void testutil_init (void)
{
    atexit (testutil_check_no_panics);
}

/* Prints one line and flushes it. */
static inline void say (const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    vprintf (fmt, args);
    va_end (args);
    putchar ('\n');
    fflush (stdout);
}

/* The symbolic name of an errno value (libzmq's own codes included). */
static inline const char *errno_name (int e)
{
    switch (e) {
        case 0: return "0";
        case EPERM: return "EPERM";
        case ENOENT: return "ENOENT";
        case EINTR: return "EINTR";
        case EIO: return "EIO";
        case EBADF: return "EBADF";
        case EAGAIN: return "EAGAIN";
        case ENOMEM: return "ENOMEM";
        case EACCES: return "EACCES";
        case EFAULT: return "EFAULT";
        case EBUSY: return "EBUSY";
        case EEXIST: return "EEXIST";
        case ENODEV: return "ENODEV";
        case EINVAL: return "EINVAL";
        case EMFILE: return "EMFILE";
        case ENOSPC: return "ENOSPC";
        case EPIPE: return "EPIPE";
        case ERANGE: return "ERANGE";
        case ENOTSUP: return "ENOTSUP";
        case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
        case ENOBUFS: return "ENOBUFS";
        case ENETDOWN: return "ENETDOWN";
        case EADDRINUSE: return "EADDRINUSE";
        case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
        case ECONNREFUSED: return "ECONNREFUSED";
        case EINPROGRESS: return "EINPROGRESS";
        case ENOTSOCK: return "ENOTSOCK";
        case EMSGSIZE: return "EMSGSIZE";
        case EAFNOSUPPORT: return "EAFNOSUPPORT";
        case ENETUNREACH: return "ENETUNREACH";
        case ECONNABORTED: return "ECONNABORTED";
        case ECONNRESET: return "ECONNRESET";
        case ENOTCONN: return "ENOTCONN";
        case ETIMEDOUT: return "ETIMEDOUT";
        case EHOSTUNREACH: return "EHOSTUNREACH";
        case ENETRESET: return "ENETRESET";
        case EPROTO: return "EPROTO";
        case EFSM: return "EFSM";
        case ENOCOMPATPROTO: return "ENOCOMPATPROTO";
        case ETERM: return "ETERM";
        case EMTHREAD: return "EMTHREAD";
        default: {
            static char other[32];
            snprintf (other, sizeof other, "errno(%d)", e);
            return other;
        }
    }
}

/* The error of a failed call: its name, and a note when the C errno and
 * zmq_errno () disagree. */
static inline const char *error_text (int c_errno)
{
    static char text[96];
    int z = zmq_errno ();
    /* errno 0: a legitimate -1 result (a value, not an error); then only
     * errno is shown (test_errors.c checks zmq_errno () itself) */
    if (z == c_errno || c_errno == 0)
        snprintf (text, sizeof text, "%s", errno_name (c_errno));
    else {
        snprintf (text, sizeof text, "%s", errno_name (c_errno));
        size_t used = strlen (text);
        snprintf (text + used, sizeof text - used, " (zmq_errno %s)",
                  errno_name (z));
    }
    return text;
}

static inline long show_rc (const char *what, long rc)
{
    int e = errno;
    if (rc == -1)
        say ("%s -> -1 %s", what, error_text (e));
    else
        say ("%s -> %ld", what, rc);
    return rc;
}

static inline long show_ok (const char *what, long rc)
{
    int e = errno;
    if (rc == -1)
        say ("%s -> -1 %s", what, error_text (e));
    else
        say ("%s -> %s", what, rc >= 0 ? ">=0" : "<0");
    return rc;
}

static inline void *show_ptr (const char *what, void *p)
{
    int e = errno;
    if (p == NULL)
        say ("%s -> NULL %s", what, error_text (e));
    else
        say ("%s -> object", what);
    return p;
}

/* The same as R, for a call expected to succeed. */
#define OK(call) (errno = 0, show_rc (#call, (long) (call)))
/* A call returning an int (or -1 with errno): prints the exact result.
 * errno is cleared first, so a stale value never shows. */
#define R(call) (errno = 0, show_rc (#call, (long) (call)))
/* The same for a result that varies run to run (a descriptor, an id):
 * prints only ">=0" / "<0" or the error. */
#define RV(call) (errno = 0, show_ok (#call, (long) (call)))
/* A call returning a pointer: "object", or NULL with the error. */
#define P(call) (errno = 0, show_ptr (#call, (void *) (call)))
/* A property: prints whether it holds. */
#define CHECK(cond) say ("%s: %s", #cond, (cond) ? "yes" : "no")
/* A value: prints it. */
#define VI(expr) say ("%s = %lld", #expr, (long long) (expr))
#define VU(expr) say ("%s = %llu", #expr, (unsigned long long) (expr))
#define VS(expr) say ("%s = \"%s\"", #expr, (expr))
/* A heading. */
#define SECTION(name) say ("== %s", name)

/* Setup that must succeed for the rest to mean anything: aborts (after
 * printing) otherwise. */
#define SETUP(cond)                                                           \
    do {                                                                      \
        if (!(cond)) {                                                        \
            int e_ = errno;                                                   \
            say ("SETUP FAILED: %s (%s)", #cond, error_text (e_));           \
            exit (1);                                                         \
        }                                                                     \
    } while (0)
#define SETUP_OK(call) SETUP ((call) != -1)
#define NOT_NULL(call) SETUP ((call) != NULL)

/* Prints an endpoint with what varies masked: a tcp port becomes "PORT",
 * this process's pid in an ipc path becomes "PID". */
static inline const char *masked (const char *endpoint)
{
    static char out[512];
    if (strncmp (endpoint, "tcp://", 6) == 0 || strncmp (endpoint, "udp://", 6) == 0) {
        const char *colon = strrchr (endpoint, ':');
        size_t n = (size_t) (colon - endpoint);
        if (colon && colon > endpoint + 5 && n < sizeof out - 8) {
            memcpy (out, endpoint, n);
            int digits = colon[1] != '\0';
            for (const char *c = colon + 1; *c; c++)
                if (*c < '0' || *c > '9')
                    digits = 0;
            snprintf (out + n, sizeof out - n, ":%s",
                      digits && atoi (colon + 1) > 0 ? "PORT" : colon + 1);
            return out;
        }
    }
    /* host:port without a scheme */
    const char *last_colon = strrchr (endpoint, ':');
    if (last_colon && !strstr (endpoint, "://") && last_colon[1] != '\0'
        && strspn (last_colon + 1, "0123456789") == strlen (last_colon + 1)
        && (size_t) (last_colon - endpoint) < sizeof out - 8) {
        snprintf (out, sizeof out, "%.*s:PORT", (int) (last_colon - endpoint), endpoint);
        return out;
    }
    char pid[32];
    snprintf (pid, sizeof pid, "%d", (int) getpid ());
    const char *at = strstr (endpoint, pid);
    if (at) {
        snprintf (out, sizeof out, "%.*sPID%s", (int) (at - endpoint), endpoint,
                  at + strlen (pid));
        return out;
    }
    snprintf (out, sizeof out, "%s", endpoint);
    return out;
}

/* Bytes printed as text, non-printable ones as \xNN. */
static inline const char *printable (const void *data, size_t size)
{
    static char out[1024];
    size_t o = 0;
    const unsigned char *b = (const unsigned char *) data;
    for (size_t i = 0; i < size && o < sizeof out - 8; i++) {
        if (b[i] >= 32 && b[i] < 127 && b[i] != '\\')
            out[o++] = (char) b[i];
        else
            o += (size_t) snprintf (out + o, sizeof out - o, "\\x%02x", b[i]);
    }
    if (o >= sizeof out - 8)
        o += (size_t) snprintf (out + o, sizeof out - o, "...");
    out[o] = '\0';
    return out;
}

/* Sends a string as one part; prints the result. */
static inline int send_str (void *s, const char *text, int flags)
{
    errno = 0;
    int rc = zmq_send (s, text, strlen (text), flags);
    int e = errno;
    if (rc == -1)
        say ("send \"%s\" -> -1 %s", text, error_text (e));
    else
        say ("send \"%s\" -> %d", text, rc);
    return rc;
}

/* Receives one part; prints its size, bytes and the more flag. */
static inline int recv_str (void *s)
{
    char buf[256];
    errno = 0;
    int rc = zmq_recv (s, buf, sizeof buf, 0);
    int e = errno;
    if (rc == -1) {
        say ("recv -> -1 %s", error_text (e));
        return rc;
    }
    int more = 0;
    size_t size = sizeof more;
    zmq_getsockopt (s, ZMQ_RCVMORE, &more, &size);
    size_t shown = rc < (int) sizeof buf ? (size_t) rc : sizeof buf;
    say ("recv -> %d \"%s\"%s", rc, printable (buf, shown), more ? " more" : "");
    return rc;
}

/* The resolved endpoint of the last bind. */
static inline void last_endpoint (void *s, char *buf, size_t size)
{
    SETUP_OK (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, buf, &size));
}

static inline void set_int (void *s, int option, int value)
{
    errno = 0;
    int rc = zmq_setsockopt (s, option, &value, sizeof value);
    if (rc == -1)
        say ("setsockopt %d = %d -> -1 %s", option, value, error_text (errno));
}

static inline int get_int (void *s, int option)
{
    int value = -12345;
    size_t size = sizeof value;
    errno = 0;
    if (zmq_getsockopt (s, option, &value, &size) == -1)
        say ("getsockopt %d -> -1 %s", option, error_text (errno));
    return value;
}

#endif
