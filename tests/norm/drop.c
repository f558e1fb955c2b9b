/* Loss for the NORM repair tests (netem is not available): an LD_PRELOAD
 * shim that drops every Nth datagram of at least MIN bytes sent with
 * sendto(2), deterministically, and says it sent it.
 *
 *   ZMQ_RS_DROP_EVERY=N   drop the Nth, 2Nth, ... (unset or 0: none)
 *   ZMQ_RS_DROP_MIN=B     only datagrams of B bytes or more count
 *                         (NORM data and repair segments; NACKs and
 *                         commands are shorter)
 *
 * zmq_rs_drop_count() reports how many were dropped (found with dlsym
 * by a test in the same process); at exit the count goes to stderr when
 * ZMQ_RS_DROP_REPORT is set.
 *
 *   cc -shared -fPIC -o libdrop.so drop.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/types.h>

typedef ssize_t (*sendto_fn) (int, const void *, size_t, int,
                              const struct sockaddr *, socklen_t);

static atomic_long counted;
static atomic_long dropped;

long zmq_rs_drop_count (void)
{
    return atomic_load (&dropped);
}

static long env_long (const char *name)
{
    const char *text = getenv (name);
    return text ? atol (text) : 0;
}

ssize_t sendto (int fd, const void *buf, size_t len, int flags,
                const struct sockaddr *to, socklen_t tolen)
{
    static sendto_fn real;
    if (!real)
        real = (sendto_fn) dlsym (RTLD_NEXT, "sendto");
    long every = env_long ("ZMQ_RS_DROP_EVERY");
    if (every > 0 && (long) len >= env_long ("ZMQ_RS_DROP_MIN")
        && (atomic_fetch_add (&counted, 1) + 1) % every == 0) {
        atomic_fetch_add (&dropped, 1);
        return (ssize_t) len;
    }
    return real (fd, buf, len, flags, to, tolen);
}

__attribute__ ((destructor)) static void report (void)
{
    if (getenv ("ZMQ_RS_DROP_REPORT"))
        fprintf (stderr, "drop shim: dropped %ld of %ld datagrams\n",
                 atomic_load (&dropped), atomic_load (&counted));
}
