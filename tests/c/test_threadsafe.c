/* Thread-safe socket types shared by several threads at once, as libzmq
 * allows: four threads hammer one CLIENT and one SERVER socket (send,
 * receive with timeouts, zmq_poller and zmq_poll on the shared sockets,
 * getsockopt / setsockopt), then the same with SCATTER / GATHER and with
 * RADIO / DISH (with concurrent joins and leaves); the sockets are closed
 * from another thread once the workers stopped, and every count must add
 * up: each message arrives exactly once. */
#define ZMQ_BUILD_DRAFT_API
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include "testutil_assert.h"

#define THREADS 4
/* Requests each thread sends. */
#define PER_THREAD 2000
#define TOTAL (THREADS * PER_THREAD)

static void *new_socket (void *ctx, int type)
{
    void *s = zmq_socket (ctx, type);
    NOT_NULL (s);
    int linger = 0, timeout = 20;
    OK (zmq_setsockopt (s, ZMQ_LINGER, &linger, sizeof linger));
    OK (zmq_setsockopt (s, ZMQ_RCVTIMEO, &timeout, sizeof timeout));
    int thread_safe = 0;
    size_t size = sizeof thread_safe;
    OK (zmq_getsockopt (s, ZMQ_THREAD_SAFE, &thread_safe, &size));
    CHECK (thread_safe == 1);
    /* libzmq: no ZMQ_FD on a thread-safe socket. */
    int fd = -1;
    size = sizeof fd;
    FAILS (zmq_getsockopt (s, ZMQ_FD, &fd, &size), EINVAL);
    return s;
}

static void last_endpoint (void *s, char *buf, size_t size)
{
    OK (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, buf, &size));
}

/* Shared counts, under `lock`. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int requests_received;
static int replies_received;
/* How many times each (thread, sequence) request came back as a reply. */
static unsigned char seen[THREADS][PER_THREAD];

static void count (int *counter)
{
    pthread_mutex_lock (&lock);
    (*counter)++;
    pthread_mutex_unlock (&lock);
}

static int read_count (const int *counter)
{
    pthread_mutex_lock (&lock);
    int value = *counter;
    pthread_mutex_unlock (&lock);
    return value;
}

/* Options read and written by every thread while the others work. */
static void touch_options (void *s)
{
    int timeout = 20;
    OK (zmq_setsockopt (s, ZMQ_RCVTIMEO, &timeout, sizeof timeout));
    int value = 0;
    size_t size = sizeof value;
    OK (zmq_getsockopt (s, ZMQ_RCVTIMEO, &value, &size));
    CHECK (value == 20);
    size = sizeof value;
    OK (zmq_getsockopt (s, ZMQ_EVENTS, &value, &size));
    CHECK ((value & ~(ZMQ_POLLIN | ZMQ_POLLOUT)) == 0);
    size = sizeof value;
    OK (zmq_getsockopt (s, ZMQ_THREAD_SAFE, &value, &size));
    CHECK (value == 1);
}

/* ---- CLIENT / SERVER ---------------------------------------------------- */

struct cs_sockets
{
    void *client;
    void *server;
};

struct cs_worker
{
    struct cs_sockets *sockets;
    int id;
};

/* One request the server side got: echo it to its sender. `flags` 0 or
 * ZMQ_DONTWAIT; returns whether one was handled. */
static int serve_one (void *server, int flags)
{
    zmq_msg_t msg;
    OK (zmq_msg_init (&msg));
    int rc = zmq_msg_recv (&msg, server, flags);
    if (rc == -1) {
        CHECK (zmq_errno () == EAGAIN);
        OK (zmq_msg_close (&msg));
        return 0;
    }
    CHECK (rc == 8);
    CHECK (zmq_msg_routing_id (&msg) != 0);
    count (&requests_received);
    /* The reply goes back with the same routing id. */
    CHECK (zmq_msg_send (&msg, server, ZMQ_DONTWAIT) == 8);
    return 1;
}

/* One reply the client side got; returns whether one was handled. */
static int take_reply (void *client, int flags)
{
    int body[2];
    int rc = zmq_recv (client, body, sizeof body, flags);
    if (rc == -1) {
        CHECK (zmq_errno () == EAGAIN);
        return 0;
    }
    CHECK (rc == (int) sizeof body);
    CHECK (body[0] >= 0 && body[0] < THREADS);
    CHECK (body[1] >= 0 && body[1] < PER_THREAD);
    pthread_mutex_lock (&lock);
    seen[body[0]][body[1]]++;
    replies_received++;
    pthread_mutex_unlock (&lock);
    return 1;
}

/* Moves whatever is ready, in one of three ways by `round`: a poller on
 * both sockets, zmq_poll on both, or receives with a timeout. */
static void pump (struct cs_sockets *s, void *poller, int round)
{
    switch (round % 3) {
        case 0: {
            zmq_poller_event_t events[2];
            int n = zmq_poller_wait_all (poller, events, 2, 20);
            if (n == -1) {
                CHECK (zmq_errno () == EAGAIN);
                return;
            }
            for (int i = 0; i < n; i++) {
                CHECK (events[i].events == ZMQ_POLLIN);
                if (events[i].socket == s->server)
                    serve_one (s->server, ZMQ_DONTWAIT);
                else {
                    CHECK (events[i].socket == s->client);
                    CHECK (events[i].user_data == s->client);
                    take_reply (s->client, ZMQ_DONTWAIT);
                }
            }
            break;
        }
        case 1: {
            zmq_pollitem_t items[2] = {{s->server, 0, ZMQ_POLLIN, 0},
                                       {s->client, 0, ZMQ_POLLIN, 0}};
            int n = zmq_poll (items, 2, 20);
            CHECK (n >= 0);
            if (items[0].revents & ZMQ_POLLIN)
                serve_one (s->server, ZMQ_DONTWAIT);
            if (items[1].revents & ZMQ_POLLIN)
                take_reply (s->client, ZMQ_DONTWAIT);
            break;
        }
        default:
            /* RCVTIMEO is 20 ms (touch_options). */
            serve_one (s->server, 0);
            take_reply (s->client, 0);
            break;
    }
}

static void *cs_work (void *arg)
{
    struct cs_worker *worker = arg;
    struct cs_sockets *s = worker->sockets;
    void *poller = zmq_poller_new ();
    NOT_NULL (poller);
    OK (zmq_poller_add (poller, s->server, s->server, ZMQ_POLLIN));
    OK (zmq_poller_add (poller, s->client, s->client, ZMQ_POLLIN));
    /* A poller with thread-safe sockets has a descriptor of its own. */
    int fd = -1;
    OK (zmq_poller_fd (poller, &fd));
    CHECK (fd >= 0);
    int round = 0;
    for (int seq = 0; seq < PER_THREAD; seq++) {
        int body[2] = {worker->id, seq};
        while (zmq_send (s->client, body, sizeof body, ZMQ_DONTWAIT) == -1) {
            CHECK (zmq_errno () == EAGAIN);
            pump (s, poller, round++);
        }
        if (seq % 64 == 0) {
            touch_options (s->client);
            touch_options (s->server);
        }
        if (seq % 4 == 0)
            pump (s, poller, round++);
    }
    while (read_count (&replies_received) < TOTAL)
        pump (s, poller, round++);
    OK (zmq_poller_destroy (&poller));
    return NULL;
}

struct closing
{
    void *sockets[2];
};

static void *close_all (void *arg)
{
    struct closing *c = arg;
    for (int i = 0; i < 2; i++)
        OK (zmq_close (c->sockets[i]));
    return NULL;
}

static void close_from_another_thread (void *a, void *b)
{
    struct closing c = {{a, b}};
    pthread_t closer;
    CHECK (pthread_create (&closer, NULL, close_all, &c) == 0);
    CHECK (pthread_join (closer, NULL) == 0);
}

static void client_server (void *ctx, const char *endpoint)
{
    struct cs_sockets s;
    s.server = new_socket (ctx, ZMQ_SERVER);
    s.client = new_socket (ctx, ZMQ_CLIENT);
    /* No high-water mark: a reply never waits for room, so that threads
     * busy replying cannot keep each other from reading replies. */
    int unlimited = 0;
    OK (zmq_setsockopt (s.server, ZMQ_SNDHWM, &unlimited, sizeof unlimited));
    OK (zmq_setsockopt (s.server, ZMQ_RCVHWM, &unlimited, sizeof unlimited));
    OK (zmq_setsockopt (s.client, ZMQ_SNDHWM, &unlimited, sizeof unlimited));
    OK (zmq_setsockopt (s.client, ZMQ_RCVHWM, &unlimited, sizeof unlimited));
    char bound[256];
    OK (zmq_bind (s.server, endpoint));
    last_endpoint (s.server, bound, sizeof bound);
    OK (zmq_connect (s.client, bound));

    requests_received = 0;
    replies_received = 0;
    memset (seen, 0, sizeof seen);
    pthread_t threads[THREADS];
    struct cs_worker workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i].sockets = &s;
        workers[i].id = i;
        CHECK (pthread_create (&threads[i], NULL, cs_work, &workers[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++)
        CHECK (pthread_join (threads[i], NULL) == 0);

    CHECK (requests_received == TOTAL);
    CHECK (replies_received == TOTAL);
    for (int t = 0; t < THREADS; t++)
        for (int seq = 0; seq < PER_THREAD; seq++)
            CHECK (seen[t][seq] == 1);
    /* Nothing left over. */
    char byte;
    FAILS (zmq_recv (s.server, &byte, 1, ZMQ_DONTWAIT), EAGAIN);
    FAILS (zmq_recv (s.client, &byte, 1, ZMQ_DONTWAIT), EAGAIN);
    close_from_another_thread (s.client, s.server);
}

/* ---- SCATTER / GATHER and RADIO / DISH ---------------------------------- */

/* A one-way pair: every thread sends on `sender` and receives on
 * `receiver`. */
struct oneway
{
    void *sender;
    void *receiver;
    /* RADIO / DISH: the group messages go to, and whether each thread
     * joins and leaves groups of its own meanwhile. */
    const char *group;
    int dish;
};

static int oneway_received;
static unsigned char oneway_seen[THREADS][PER_THREAD];

static int take_oneway (struct oneway *w, int flags)
{
    zmq_msg_t msg;
    OK (zmq_msg_init (&msg));
    int rc = zmq_msg_recv (&msg, w->receiver, flags);
    if (rc == -1) {
        CHECK (zmq_errno () == EAGAIN);
        OK (zmq_msg_close (&msg));
        return 0;
    }
    CHECK (rc == 8);
    if (w->dish)
        CHECK (strcmp (zmq_msg_group (&msg), w->group) == 0);
    int body[2];
    memcpy (body, zmq_msg_data (&msg), sizeof body);
    OK (zmq_msg_close (&msg));
    CHECK (body[0] >= 0 && body[0] < THREADS);
    CHECK (body[1] >= 0 && body[1] < PER_THREAD);
    pthread_mutex_lock (&lock);
    oneway_seen[body[0]][body[1]]++;
    oneway_received++;
    pthread_mutex_unlock (&lock);
    return 1;
}

static int send_oneway (struct oneway *w, int id, int seq, int flags)
{
    int body[2] = {id, seq};
    zmq_msg_t msg;
    OK (zmq_msg_init_size (&msg, sizeof body));
    memcpy (zmq_msg_data (&msg), body, sizeof body);
    if (w->dish)
        OK (zmq_msg_set_group (&msg, w->group));
    int rc = zmq_msg_send (&msg, w->sender, flags);
    if (rc == -1) {
        CHECK (zmq_errno () == EAGAIN);
        OK (zmq_msg_close (&msg));
        return 0;
    }
    CHECK (rc == (int) sizeof body);
    return 1;
}

struct oneway_worker
{
    struct oneway *w;
    int id;
};

static void oneway_pump (struct oneway *w, void *poller, int round)
{
    if (round % 2 == 0) {
        zmq_poller_event_t event;
        if (zmq_poller_wait (poller, &event, 20) == 0) {
            CHECK (event.socket == w->receiver);
            CHECK (event.events == ZMQ_POLLIN);
            take_oneway (w, ZMQ_DONTWAIT);
        } else
            CHECK (zmq_errno () == EAGAIN);
    } else
        take_oneway (w, 0);
}

static void *oneway_work (void *arg)
{
    struct oneway_worker *worker = arg;
    struct oneway *w = worker->w;
    void *poller = zmq_poller_new ();
    NOT_NULL (poller);
    OK (zmq_poller_add (poller, w->receiver, NULL, ZMQ_POLLIN));
    char own_group[16];
    snprintf (own_group, sizeof own_group, "own-%d", worker->id);
    int round = 0;
    for (int seq = 0; seq < PER_THREAD; seq++) {
        while (!send_oneway (w, worker->id, seq, ZMQ_DONTWAIT))
            oneway_pump (w, poller, round++);
        if (seq % 64 == 0) {
            touch_options (w->sender);
            touch_options (w->receiver);
            if (w->dish) {
                OK (zmq_join (w->receiver, own_group));
                FAILS (zmq_join (w->receiver, own_group), EINVAL);
                OK (zmq_leave (w->receiver, own_group));
            }
        }
        if (seq % 4 == 0)
            oneway_pump (w, poller, round++);
    }
    while (read_count (&oneway_received) < TOTAL)
        oneway_pump (w, poller, round++);
    OK (zmq_poller_destroy (&poller));
    return NULL;
}

static void oneway (void *ctx, int sender_type, int receiver_type, const char *endpoint)
{
    struct oneway w;
    w.sender = new_socket (ctx, sender_type);
    w.receiver = new_socket (ctx, receiver_type);
    w.dish = receiver_type == ZMQ_DISH;
    w.group = "shared";
    if (w.dish) {
        /* RADIO drops at the high-water mark: no limit, so that every
         * message arrives. */
        int unlimited = 0;
        OK (zmq_setsockopt (w.sender, ZMQ_SNDHWM, &unlimited, sizeof unlimited));
        OK (zmq_setsockopt (w.receiver, ZMQ_RCVHWM, &unlimited, sizeof unlimited));
    }
    char bound[256];
    OK (zmq_bind (w.receiver, endpoint));
    last_endpoint (w.receiver, bound, sizeof bound);
    OK (zmq_connect (w.sender, bound));
    if (w.dish) {
        OK (zmq_join (w.receiver, w.group));
        /* Probe until the join reached the radio. */
        int timeout = 50;
        OK (zmq_setsockopt (w.receiver, ZMQ_RCVTIMEO, &timeout, sizeof timeout));
        for (;;) {
            zmq_msg_t msg;
            OK (zmq_msg_init_size (&msg, 1));
            OK (zmq_msg_set_group (&msg, w.group));
            OK (zmq_msg_send (&msg, w.sender, 0));
            OK (zmq_msg_init (&msg));
            int rc = zmq_msg_recv (&msg, w.receiver, 0);
            OK (zmq_msg_close (&msg));
            if (rc == 1)
                break;
            CHECK (zmq_errno () == EAGAIN);
        }
        /* Drain the other probes. */
        char byte;
        while (zmq_recv (w.receiver, &byte, 1, 0) == 1)
            ;
    }

    oneway_received = 0;
    memset (oneway_seen, 0, sizeof oneway_seen);
    pthread_t threads[THREADS];
    struct oneway_worker workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i].w = &w;
        workers[i].id = i;
        CHECK (pthread_create (&threads[i], NULL, oneway_work, &workers[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++)
        CHECK (pthread_join (threads[i], NULL) == 0);

    CHECK (oneway_received == TOTAL);
    for (int t = 0; t < THREADS; t++)
        for (int seq = 0; seq < PER_THREAD; seq++)
            CHECK (oneway_seen[t][seq] == 1);
    char byte;
    FAILS (zmq_recv (w.receiver, &byte, 1, ZMQ_DONTWAIT), EAGAIN);
    close_from_another_thread (w.sender, w.receiver);
}

/* A thread blocked in a receive on a shared socket does not keep other
 * threads from using it, and a context shutdown wakes every blocked one. */
static void *blocked_receive (void *socket)
{
    char byte;
    FAILS (zmq_recv (socket, &byte, 1, 0), ETERM);
    return NULL;
}

static void shutdown_wakes_blocked_threads (void)
{
    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    void *server = new_socket (ctx, ZMQ_SERVER);
    int forever = -1;
    OK (zmq_setsockopt (server, ZMQ_RCVTIMEO, &forever, sizeof forever));
    OK (zmq_bind (server, "inproc://blocked"));
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        CHECK (pthread_create (&threads[i], NULL, blocked_receive, server) == 0);
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep (&pause, NULL);
    /* Meanwhile the socket serves other calls. */
    for (int i = 0; i < 100; i++) {
        int value = 0;
        size_t size = sizeof value;
        OK (zmq_getsockopt (server, ZMQ_EVENTS, &value, &size));
        CHECK ((value & ZMQ_POLLIN) == 0);
    }
    OK (zmq_ctx_shutdown (ctx));
    for (int i = 0; i < THREADS; i++)
        CHECK (pthread_join (threads[i], NULL) == 0);
    OK (zmq_close (server));
    OK (zmq_ctx_term (ctx));
}

/* zmq_proxy between thread-safe sockets (GATHER in, SCATTER out): it
 * holds their locks while it runs and returns ETERM at shutdown. */
struct proxied
{
    void *frontend;
    void *backend;
};

static void *run_proxy (void *arg)
{
    struct proxied *p = arg;
    FAILS (zmq_proxy (p->frontend, p->backend, NULL), ETERM);
    return NULL;
}

static void proxy_between_thread_safe_sockets (void)
{
    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    struct proxied p;
    p.frontend = new_socket (ctx, ZMQ_GATHER);
    p.backend = new_socket (ctx, ZMQ_SCATTER);
    void *in = new_socket (ctx, ZMQ_SCATTER);
    void *out = new_socket (ctx, ZMQ_GATHER);
    int timeout = 5000;
    OK (zmq_setsockopt (out, ZMQ_RCVTIMEO, &timeout, sizeof timeout));
    OK (zmq_bind (p.frontend, "inproc://proxy-in"));
    OK (zmq_bind (p.backend, "inproc://proxy-out"));
    OK (zmq_connect (in, "inproc://proxy-in"));
    OK (zmq_connect (out, "inproc://proxy-out"));
    pthread_t proxy;
    CHECK (pthread_create (&proxy, NULL, run_proxy, &p) == 0);
    for (int i = 0; i < 100; i++)
        send_str (in, "through", 0);
    for (int i = 0; i < 100; i++)
        recv_str (out, "through");
    OK (zmq_ctx_shutdown (ctx));
    CHECK (pthread_join (proxy, NULL) == 0);
    OK (zmq_close (in));
    OK (zmq_close (out));
    close_from_another_thread (p.frontend, p.backend);
    OK (zmq_ctx_term (ctx));
}

int main (void)
{
    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    client_server (ctx, "tcp://127.0.0.1:*");
    client_server (ctx, "inproc://client-server");
    oneway (ctx, ZMQ_SCATTER, ZMQ_GATHER, "tcp://127.0.0.1:*");
    oneway (ctx, ZMQ_SCATTER, ZMQ_GATHER, "inproc://scatter-gather");
    oneway (ctx, ZMQ_RADIO, ZMQ_DISH, "tcp://127.0.0.1:*");
    oneway (ctx, ZMQ_RADIO, ZMQ_DISH, "inproc://radio-dish");
    OK (zmq_ctx_term (ctx));
    shutdown_wakes_blocked_threads ();
    proxy_between_thread_safe_sockets ();
    return 0;
}
