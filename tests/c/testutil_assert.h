/* Asserting helpers, for the programs that check invariants themselves
 * rather than print observations (test_threadsafe.c: counts from several
 * threads): each check prints where it failed and exits non-zero. They run
 * on libzmq and on ours like the others (same stdout, same exit status
 * expected). The printing helpers are in testutil.h. */
#ifndef TESTUTIL_ASSERT_H
#define TESTUTIL_ASSERT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf (stderr, "%s:%d: check failed: %s (errno %d: %s)\n",      \
                     __FILE__, __LINE__, #cond, zmq_errno (),                 \
                     zmq_strerror (zmq_errno ()));                            \
            exit (1);                                                         \
        }                                                                     \
    } while (0)

/* A call that must succeed (return other than -1 / NULL). */
#define OK(call) CHECK ((call) != -1)
#define NOT_NULL(call) CHECK ((call) != NULL)

/* A call that must fail with `err`, also visible in the C errno. */
#define FAILS(call, err)                                                      \
    do {                                                                      \
        errno = 0;                                                            \
        int rc_ = (int) (call);                                               \
        CHECK (rc_ == -1);                                                    \
        CHECK (zmq_errno () == (err));                                        \
        CHECK (errno == (err));                                               \
    } while (0)

/* zmq-rs extension (not in libzmq, not in zmq.h): how many panics the
 * library caught at its C boundary. Each is a bug, so every program
 * checks at exit that there were none. Looked up at run time: libzmq has
 * no such symbol (there the check is skipped). */
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
        fprintf (stderr, "%llu panic(s) caught at the C boundary\n", panics);
        fflush (stderr);
        _Exit (1);
    }
}

__attribute__ ((constructor)) static void testutil_init (void)
{
    atexit (testutil_check_no_panics);
}

/* Sends a string as one part. */
static inline void send_str (void *s, const char *text, int flags)
{
    int rc = zmq_send (s, text, strlen (text), flags);
    CHECK (rc == (int) strlen (text));
}

/* Receives one part and checks it equals `text`. */
static inline void recv_str (void *s, const char *text)
{
    char buf[256];
    int rc = zmq_recv (s, buf, sizeof buf, 0);
    CHECK (rc == (int) strlen (text));
    CHECK (memcmp (buf, text, strlen (text)) == 0);
}

#endif
