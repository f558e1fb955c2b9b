/* Loss for the repair tests, deterministic: LD_PRELOAD'ed into a PGM
 * sender, drops every ZRS_DROP_EVERY-th ODATA packet it sends (PGM type
 * 0x04 in the 5th byte of the PGM header, the first bytes of what libpgm
 * hands sendto/sendmsg, over raw IP and UDP alike). Dropped packets are
 * reported as sent, as a lossy network would. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define PGM_ODATA 0x04

#include <stdio.h>

static unsigned long odata_seen, odata_dropped;

/* At exit, on stderr: how many were dropped (the tests check it). */
__attribute__ ((destructor)) static void report (void)
{
    if (odata_seen > 0)
        fprintf (stderr, "drop.so: dropped %lu of %lu ODATA\n", odata_dropped,
                 odata_seen);
}

static int drop_this (const unsigned char *pgm, size_t len)
{
    static long every = -1;
    if (every < 0) {
        const char *text = getenv ("ZRS_DROP_EVERY");
        every = text ? atol (text) : 0;
    }
    if (every <= 0 || len < 5 || pgm[4] != PGM_ODATA)
        return 0;
    odata_seen++;
    if (odata_seen % (unsigned long) every != 0)
        return 0;
    odata_dropped++;
    return 1;
}

ssize_t sendto (int fd, const void *buf, size_t len, int flags,
                const struct sockaddr *to, socklen_t tolen)
{
    static ssize_t (*real) (int, const void *, size_t, int,
                            const struct sockaddr *, socklen_t);
    if (!real)
        real = dlsym (RTLD_NEXT, "sendto");
    if (drop_this (buf, len))
        return (ssize_t) len;
    return real (fd, buf, len, flags, to, tolen);
}

ssize_t sendmsg (int fd, const struct msghdr *msg, int flags)
{
    static ssize_t (*real) (int, const struct msghdr *, int);
    if (!real)
        real = dlsym (RTLD_NEXT, "sendmsg");
    if (msg && msg->msg_iovlen > 0 && msg->msg_iov[0].iov_len >= 5
        && drop_this (msg->msg_iov[0].iov_base, msg->msg_iov[0].iov_len)) {
        size_t total = 0;
        for (size_t i = 0; i < msg->msg_iovlen; i++)
            total += msg->msg_iov[i].iov_len;
        return (ssize_t) total;
    }
    return real (fd, msg, flags);
}
