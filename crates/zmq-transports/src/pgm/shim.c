/* A small C layer over OpenPGM 5.3 (libpgm) for the pgm/epgm transports.
 *
 * It sets a PGM socket up as libzmq 4.3.5 does (the same options, timers
 * and windows), and hands Rust plain integers, byte pointers and the 8
 * bytes of a TSI: the C compiler lays out libpgm's structures from its
 * own headers, so no struct layout is restated in Rust. No function here
 * aborts; every failure is a return value. */

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <pgm/pgm.h>

#ifndef MSG_ERRQUEUE
#define MSG_ERRQUEUE 0x2000
#endif

/* What zrs_pgm_* return (the Rust side mirrors these). */
enum {
    ZRS_PGM_ERROR = -1,
    ZRS_PGM_AGAIN = 0,        /* nothing now, nothing pending */
    ZRS_PGM_DATA = 1,         /* an APDU (receive) / sent (send) */
    ZRS_PGM_RESET = 2,        /* unrecoverable loss from a TSI */
    ZRS_PGM_TIMER = 3,        /* come back after PGM_TIME_REMAIN */
    ZRS_PGM_RATE = 4,         /* rate limited: after PGM_RATE_REMAIN */
};

/* The socket options libzmq's pgm_socket_t reads. */
struct zrs_pgm_options {
    int receiver;
    int udp_encapsulation;
    int rate;              /* ZMQ_RATE, kbit/s (> 0) */
    int recovery_ivl;      /* ZMQ_RECOVERY_IVL, ms */
    int multicast_maxtpdu; /* ZMQ_MULTICAST_MAXTPDU */
    int multicast_hops;    /* ZMQ_MULTICAST_HOPS */
    int multicast_loop;    /* libzmq always sets 0 */
    int sndbuf;            /* < 0: system default */
    int rcvbuf;
    int in_batch_size;     /* ZMQ_IN_BATCH_SIZE: receive vector size */
    uint32_t gsi_seed[2];  /* random bytes for the GSI */
};

struct zrs_pgm {
    pgm_sock_t *sock;
    int receiver;
    struct pgm_msgv_t *msgv;
    size_t msgv_len;
    size_t nbytes_rec;
    size_t nbytes_processed;
    size_t msgv_processed;
    int last_rx_status;
    int last_tx_status;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_ok;

static void init_library (void)
{
    pgm_error_t *error = NULL;
    init_ok = pgm_init (&error) ? 1 : 0;
    if (error)
        pgm_error_free (error);
}

static void set_message (char *buf, size_t len, const char *what,
                         pgm_error_t *error)
{
    if (!buf || len == 0)
        return;
    if (error && error->message)
        snprintf (buf, len, "%s: %s", what, error->message);
    else
        snprintf (buf, len, "%s", what);
}

/* libzmq's init_address: "network:port", the port taken with atoi from
 * after the last ':'; the network part shorter than 255 bytes; libpgm
 * parses the network ("iface;group"). 0 on success. */
int zrs_pgm_check_address (const char *address, uint16_t *port, char *msg,
                           size_t msglen)
{
    const char *delim;
    char network[256];
    struct pgm_addrinfo_t *res = NULL;
    pgm_error_t *error = NULL;

    if (pthread_once (&init_once, init_library) != 0 || !init_ok) {
        set_message (msg, msglen, "pgm_init failed", NULL);
        return -1;
    }
    delim = strrchr (address, ':');
    if (!delim) {
        set_message (msg, msglen, "no port", NULL);
        return -1;
    }
    *port = (uint16_t) atoi (delim + 1);
    if (delim - address >= (long) sizeof (network) - 1) {
        set_message (msg, msglen, "network too long", NULL);
        return -1;
    }
    memset (network, 0, sizeof (network));
    memcpy (network, address, (size_t) (delim - address));
    if (!pgm_getaddrinfo (network, NULL, &res, &error)) {
        set_message (msg, msglen, "pgm_getaddrinfo", error);
        if (error)
            pgm_error_free (error);
        return -1;
    }
    pgm_freeaddrinfo (res);
    return 0;
}

static int compute_sqns (const struct zrs_pgm_options *o, int tpdu)
{
    uint64_t rate = (uint64_t) o->rate / 8;
    uint64_t size = (uint64_t) o->recovery_ivl * rate;
    uint64_t sqns = tpdu > 0 ? size / (uint64_t) tpdu : 0;
    if (sqns == 0)
        sqns = 1;
    if (sqns > INT32_MAX)
        sqns = INT32_MAX;
    return (int) sqns;
}

#define SETOPT(level, name, value)                                           \
    do {                                                                     \
        if (!pgm_setsockopt (s->sock, (level), (name), &(value),             \
                             sizeof (value))) {                              \
            set_message (msg, msglen, "pgm_setsockopt " #name, NULL);        \
            goto fail;                                                       \
        }                                                                    \
    } while (0)

void zrs_pgm_close (struct zrs_pgm *s);

/* libzmq's pgm_socket_t::init: create, configure, bind, join, connect. */
struct zrs_pgm *zrs_pgm_open (const char *address,
                              const struct zrs_pgm_options *o, char *msg,
                              size_t msglen)
{
    uint16_t port = 0;
    const char *delim;
    char network[256];
    struct pgm_addrinfo_t *res = NULL;
    pgm_error_t *error = NULL;
    sa_family_t family;
    struct zrs_pgm *s;

    if (zrs_pgm_check_address (address, &port, msg, msglen) != 0)
        return NULL;
    s = calloc (1, sizeof (*s));
    if (!s) {
        set_message (msg, msglen, "out of memory", NULL);
        return NULL;
    }
    s->receiver = o->receiver;
    s->last_rx_status = PGM_IO_STATUS_NORMAL;
    s->last_tx_status = PGM_IO_STATUS_NORMAL;
    delim = strrchr (address, ':');
    memset (network, 0, sizeof (network));
    memcpy (network, address, (size_t) (delim - address));
    if (!pgm_getaddrinfo (network, NULL, &res, &error)) {
        set_message (msg, msglen, "pgm_getaddrinfo", error);
        goto fail;
    }
    family = res->ai_send_addrs[0].gsr_group.ss_family;

    if (!pgm_socket (&s->sock, family, SOCK_SEQPACKET,
                     o->udp_encapsulation ? IPPROTO_UDP : IPPROTO_PGM,
                     &error)) {
        set_message (msg, msglen, "pgm_socket", error);
        goto fail;
    }
    if (o->udp_encapsulation) {
        const int encapsulation_port = port;
        SETOPT (IPPROTO_PGM, PGM_UDP_ENCAP_UCAST_PORT, encapsulation_port);
        SETOPT (IPPROTO_PGM, PGM_UDP_ENCAP_MCAST_PORT, encapsulation_port);
    }
    if (o->rcvbuf >= 0)
        SETOPT (SOL_SOCKET, SO_RCVBUF, o->rcvbuf);
    if (o->sndbuf >= 0)
        SETOPT (SOL_SOCKET, SO_SNDBUF, o->sndbuf);
    SETOPT (IPPROTO_PGM, PGM_MTU, o->multicast_maxtpdu);

    if (o->receiver) {
        const int recv_only = 1, rxw_sqns = compute_sqns (o, o->multicast_maxtpdu),
                  peer_expiry = pgm_secs (300), spmr_expiry = pgm_msecs (25),
                  nak_bo_ivl = pgm_msecs (50), nak_rpt_ivl = pgm_msecs (200),
                  nak_rdata_ivl = pgm_msecs (200), nak_data_retries = 50,
                  nak_ncf_retries = 50;
        SETOPT (IPPROTO_PGM, PGM_RECV_ONLY, recv_only);
        SETOPT (IPPROTO_PGM, PGM_RXW_SQNS, rxw_sqns);
        SETOPT (IPPROTO_PGM, PGM_PEER_EXPIRY, peer_expiry);
        SETOPT (IPPROTO_PGM, PGM_SPMR_EXPIRY, spmr_expiry);
        SETOPT (IPPROTO_PGM, PGM_NAK_BO_IVL, nak_bo_ivl);
        SETOPT (IPPROTO_PGM, PGM_NAK_RPT_IVL, nak_rpt_ivl);
        SETOPT (IPPROTO_PGM, PGM_NAK_RDATA_IVL, nak_rdata_ivl);
        SETOPT (IPPROTO_PGM, PGM_NAK_DATA_RETRIES, nak_data_retries);
        SETOPT (IPPROTO_PGM, PGM_NAK_NCF_RETRIES, nak_ncf_retries);
    } else {
        const int send_only = 1,
                  max_rte = ((int64_t) o->rate * 1000) / 8 > INT32_MAX
                              ? INT32_MAX
                              : (int) (((int64_t) o->rate * 1000) / 8),
                  txw_sqns = compute_sqns (o, o->multicast_maxtpdu),
                  ambient_spm = pgm_secs (30);
        const int heartbeat_spm[] = {
            pgm_msecs (100), pgm_msecs (100),  pgm_msecs (100),
            pgm_msecs (100), pgm_msecs (1300), pgm_secs (7),
            pgm_secs (16),   pgm_secs (25),    pgm_secs (30)};
        SETOPT (IPPROTO_PGM, PGM_SEND_ONLY, send_only);
        SETOPT (IPPROTO_PGM, PGM_ODATA_MAX_RTE, max_rte);
        SETOPT (IPPROTO_PGM, PGM_TXW_SQNS, txw_sqns);
        SETOPT (IPPROTO_PGM, PGM_AMBIENT_SPM, ambient_spm);
        SETOPT (IPPROTO_PGM, PGM_HEARTBEAT_SPM, heartbeat_spm);
    }

    {
        struct pgm_sockaddr_t addr;
        struct pgm_interface_req_t if_req;
        memset (&addr, 0, sizeof (addr));
        addr.sa_port = port;
        addr.sa_addr.sport = DEFAULT_DATA_SOURCE_PORT;
        if (!pgm_gsi_create_from_data (&addr.sa_addr.gsi,
                                       (const uint8_t *) o->gsi_seed, 8)) {
            set_message (msg, msglen, "pgm_gsi_create_from_data", NULL);
            goto fail;
        }
        memset (&if_req, 0, sizeof (if_req));
        if_req.ir_interface = res->ai_recv_addrs[0].gsr_interface;
        if_req.ir_scope_id = 0;
        if (AF_INET6 == family) {
            struct sockaddr_in6 sa6;
            memcpy (&sa6, &res->ai_recv_addrs[0].gsr_group, sizeof (sa6));
            if_req.ir_scope_id = sa6.sin6_scope_id;
        }
        if (!pgm_bind3 (s->sock, &addr, sizeof (addr), &if_req,
                        sizeof (if_req), &if_req, sizeof (if_req), &error)) {
            set_message (msg, msglen, "pgm_bind3", error);
            goto fail;
        }
    }
    for (unsigned i = 0; i < res->ai_recv_addrs_len; i++) {
        if (!pgm_setsockopt (s->sock, IPPROTO_PGM, PGM_JOIN_GROUP,
                             &res->ai_recv_addrs[i], sizeof (struct group_req))) {
            set_message (msg, msglen, "PGM_JOIN_GROUP", NULL);
            goto fail;
        }
    }
    if (!pgm_setsockopt (s->sock, IPPROTO_PGM, PGM_SEND_GROUP,
                         &res->ai_send_addrs[0], sizeof (struct group_req))) {
        set_message (msg, msglen, "PGM_SEND_GROUP", NULL);
        goto fail;
    }
    pgm_freeaddrinfo (res);
    res = NULL;

    {
        const int nonblocking = 1, dscp = 0x2e << 2;
        SETOPT (IPPROTO_PGM, PGM_MULTICAST_LOOP, o->multicast_loop);
        SETOPT (IPPROTO_PGM, PGM_MULTICAST_HOPS, o->multicast_hops);
        /* Expedited forwarding, no ECN; not every system takes it. */
        if (AF_INET6 != family)
            (void) pgm_setsockopt (s->sock, IPPROTO_PGM, PGM_TOS, &dscp,
                                   sizeof (dscp));
        SETOPT (IPPROTO_PGM, PGM_NOBLOCK, nonblocking);
    }

    if (!pgm_connect (s->sock, &error)) {
        set_message (msg, msglen, "pgm_connect", error);
        goto fail;
    }

    if (o->receiver) {
        int max_tsdu = 0;
        socklen_t optlen = sizeof (max_tsdu);
        size_t batch = o->in_batch_size > 0 ? (size_t) o->in_batch_size : 8192;
        if (!pgm_getsockopt (s->sock, IPPROTO_PGM, PGM_MSS, &max_tsdu, &optlen)
            || max_tsdu <= 0) {
            set_message (msg, msglen, "PGM_MSS", NULL);
            goto fail;
        }
        s->msgv_len = batch / (size_t) max_tsdu;
        if (batch % (size_t) max_tsdu)
            s->msgv_len++;
        s->msgv = calloc (s->msgv_len, sizeof (struct pgm_msgv_t));
        if (!s->msgv) {
            set_message (msg, msglen, "out of memory", NULL);
            goto fail;
        }
    }
    return s;

fail:
    if (error)
        pgm_error_free (error);
    if (res)
        pgm_freeaddrinfo (res);
    if (s->sock) {
        pgm_close (s->sock, 0);
        s->sock = NULL;
    }
    zrs_pgm_close (s);
    return NULL;
}

void zrs_pgm_close (struct zrs_pgm *s)
{
    if (!s)
        return;
    if (s->sock)
        pgm_close (s->sock, 1);
    free (s->msgv);
    free (s);
}

static int get_fd (struct zrs_pgm *s, int name)
{
    int fd = -1;
    socklen_t len = sizeof (fd);
    if (!pgm_getsockopt (s->sock, IPPROTO_PGM, name, &fd, &len)
        || len != sizeof (fd))
        return -1;
    return fd;
}

/* The descriptors to poll: fds[0] send (POLLOUT, sender only), fds[1]
 * receive, fds[2] repair (sender only), fds[3] pending. -1 where none. */
int zrs_pgm_fds (struct zrs_pgm *s, int fds[4])
{
    fds[0] = s->receiver ? -1 : get_fd (s, PGM_SEND_SOCK);
    fds[1] = get_fd (s, PGM_RECV_SOCK);
    fds[2] = s->receiver ? -1 : get_fd (s, PGM_REPAIR_SOCK);
    fds[3] = get_fd (s, PGM_PENDING_SOCK);
    if ((!s->receiver && (fds[0] < 0 || fds[2] < 0)) || fds[1] < 0
        || fds[3] < 0)
        return -1;
    return 0;
}

int zrs_pgm_max_tsdu (struct zrs_pgm *s)
{
    int max_tsdu = 0;
    socklen_t optlen = sizeof (max_tsdu);
    if (!pgm_getsockopt (s->sock, IPPROTO_PGM, PGM_MSS, &max_tsdu, &optlen))
        return -1;
    return max_tsdu;
}

/* One APDU of at most one TSDU: all of it is sent or nothing. */
int zrs_pgm_send (struct zrs_pgm *s, const void *data, size_t len)
{
    size_t sent = 0;
    const int status = pgm_send (s->sock, data, len, &sent);
    s->last_tx_status = status;
    if (status == PGM_IO_STATUS_NORMAL && sent == len)
        return ZRS_PGM_DATA;
    if (status == PGM_IO_STATUS_RATE_LIMITED)
        return ZRS_PGM_RATE;
    if (status == PGM_IO_STATUS_WOULD_BLOCK)
        return ZRS_PGM_AGAIN;
    return ZRS_PGM_ERROR;
}

static int rx_status (struct zrs_pgm *s, int status)
{
    s->last_rx_status = status;
    switch (status) {
        case PGM_IO_STATUS_TIMER_PENDING:
            return ZRS_PGM_TIMER;
        case PGM_IO_STATUS_RATE_LIMITED:
            return ZRS_PGM_RATE;
        case PGM_IO_STATUS_WOULD_BLOCK:
            return ZRS_PGM_AGAIN;
        default:
            return ZRS_PGM_ERROR;
    }
}

/* The next APDU, as libzmq's pgm_socket_t::receive: a vector of APDUs is
 * read at once and handed out one by one; *data stays valid until the
 * next call. AGAIN once a vector is handed out (so that other handlers
 * get a turn), and when nothing is there. */
int zrs_pgm_receive (struct zrs_pgm *s, const uint8_t **data, size_t *len,
                     uint8_t tsi[8])
{
    struct pgm_sk_buff_t *skb;
    if (s->nbytes_rec > 0 && s->nbytes_rec == s->nbytes_processed) {
        s->nbytes_rec = 0;
        s->nbytes_processed = 0;
        s->msgv_processed = 0;
        return ZRS_PGM_AGAIN;
    }
    if (s->nbytes_rec == s->nbytes_processed) {
        pgm_error_t *error = NULL;
        size_t received = 0;
        const int status = pgm_recvmsgv (s->sock, s->msgv, s->msgv_len,
                                         MSG_ERRQUEUE, &received, &error);
        if (error)
            pgm_error_free (error);
        s->nbytes_rec = 0;
        s->nbytes_processed = 0;
        s->msgv_processed = 0;
        if (status == PGM_IO_STATUS_RESET) {
            s->last_rx_status = status;
            skb = s->msgv[0].msgv_skb[0];
            if (!skb)
                return ZRS_PGM_ERROR;
            memcpy (tsi, &skb->tsi, 8);
            pgm_free_skb (skb);
            return ZRS_PGM_RESET;
        }
        if (status != PGM_IO_STATUS_NORMAL)
            return rx_status (s, status);
        s->last_rx_status = status;
        if (received == 0)
            return ZRS_PGM_AGAIN;
        s->nbytes_rec = received;
    }
    /* One APDU of one TPDU per vector entry, as libzmq's sender makes
     * them; an APDU in several (another sender's fragments) is skipped. */
    while (s->msgv_processed < s->msgv_len
           && s->nbytes_processed < s->nbytes_rec) {
        const struct pgm_msgv_t *entry = &s->msgv[s->msgv_processed++];
        size_t total = 0;
        for (unsigned i = 0; i < entry->msgv_len && i < PGM_MAX_FRAGMENTS; i++)
            total += entry->msgv_skb[i]->len;
        s->nbytes_processed += total;
        if (entry->msgv_len != 1)
            continue;
        skb = entry->msgv_skb[0];
        *data = skb->data;
        *len = skb->len;
        memcpy (tsi, &skb->tsi, 8);
        return ZRS_PGM_DATA;
    }
    /* Counts that do not add up: start afresh at the next call. */
    s->nbytes_rec = s->nbytes_processed = s->msgv_processed = 0;
    return ZRS_PGM_AGAIN;
}

/* The sender's upstream (NAKs, SPMRs) and timers: libzmq's
 * pgm_socket_t::process_upstream. */
int zrs_pgm_process_upstream (struct zrs_pgm *s)
{
    struct pgm_msgv_t dummy;
    size_t bytes = 0;
    pgm_error_t *error = NULL;
    const int status =
      pgm_recvmsgv (s->sock, &dummy, 1, MSG_ERRQUEUE, &bytes, &error);
    if (error)
        pgm_error_free (error);
    if (status == PGM_IO_STATUS_NORMAL || status == PGM_IO_STATUS_RESET) {
        s->last_rx_status = PGM_IO_STATUS_WOULD_BLOCK;
        return ZRS_PGM_AGAIN;
    }
    return rx_status (s, status);
}

static long remain_ms (struct zrs_pgm *s, int name)
{
    struct timeval tv;
    socklen_t optlen = sizeof (tv);
    if (!pgm_getsockopt (s->sock, IPPROTO_PGM, name, &tv, &optlen))
        return -1;
    return (long) tv.tv_sec * 1000 + (long) tv.tv_usec / 1000;
}

/* After a receive or process_upstream: when to come back (ms), -1 when
 * no timer is due (libzmq's get_rx_timeout). */
long zrs_pgm_rx_timeout (struct zrs_pgm *s)
{
    if (s->last_rx_status != PGM_IO_STATUS_RATE_LIMITED
        && s->last_rx_status != PGM_IO_STATUS_TIMER_PENDING)
        return -1;
    return remain_ms (s, s->last_rx_status == PGM_IO_STATUS_RATE_LIMITED
                           ? PGM_RATE_REMAIN
                           : PGM_TIME_REMAIN);
}

/* After a rate-limited send: when to try again (libzmq's get_tx_timeout). */
long zrs_pgm_tx_timeout (struct zrs_pgm *s)
{
    if (s->last_tx_status != PGM_IO_STATUS_RATE_LIMITED)
        return -1;
    return remain_ms (s, PGM_RATE_REMAIN);
}
