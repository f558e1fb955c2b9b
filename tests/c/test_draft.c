/* Draft socket types through the C ABI: SERVER/CLIENT routing ids,
 * RADIO/DISH groups, PEER connect_peer, SCATTER/GATHER, CHANNEL, errors
 * of the draft calls, thread safety flags. Prints what it observes
 * (routing ids only as properties). */
#define _GNU_SOURCE
#define ZMQ_BUILD_DRAFT_API
#include "testutil.h"
#include <dlfcn.h>
#include <stdint.h>

/* zmq_disconnect_peer is declared by libzmq 4.3.5's zmq.h but not
 * exported by its library: looked up at run time. */
typedef int (*disconnect_peer_fn) (void *, uint32_t);
static disconnect_peer_fn disconnect_peer_symbol (void)
{
    disconnect_peer_fn fn;
    void *symbol = dlsym (RTLD_DEFAULT, "zmq_disconnect_peer");
    memcpy (&fn, &symbol, sizeof fn);
    return fn;
}

static void *new_socket (void *ctx, int type)
{
    void *s = zmq_socket (ctx, type);
    NOT_NULL (s);
    set_int (s, ZMQ_RCVTIMEO, 5000);
    set_int (s, ZMQ_SNDTIMEO, 5000);
    set_int (s, ZMQ_LINGER, 0);
    return s;
}

static void client_server (void *ctx)
{
    SECTION ("SERVER/CLIENT");
    void *server = new_socket (ctx, ZMQ_SERVER);
    void *client = new_socket (ctx, ZMQ_CLIENT);
    char endpoint[256];
    R (zmq_bind (server, "tcp://127.0.0.1:*"));
    last_endpoint (server, endpoint, sizeof endpoint);
    R (zmq_connect (client, endpoint));
    R (get_int (client, ZMQ_THREAD_SAFE));
    R (get_int (server, ZMQ_THREAD_SAFE));

    send_str (client, "hello", 0);
    zmq_msg_t msg;
    R (zmq_msg_init (&msg));
    R (zmq_msg_recv (&msg, server, 0));
    uint32_t id = zmq_msg_routing_id (&msg);
    say ("routing id != 0: %s", id != 0 ? "yes" : "no");
    R (zmq_msg_more (&msg));
    R (zmq_msg_close (&msg));

    R (zmq_msg_init_size (&msg, 5));
    memcpy (zmq_msg_data (&msg), "world", 5);
    R (zmq_msg_routing_id (&msg));
    R (zmq_msg_set_routing_id (&msg, 0));
    R (zmq_msg_set_routing_id (&msg, id));
    CHECK (zmq_msg_routing_id (&msg) == id);
    R (zmq_msg_send (&msg, server, 0));
    recv_str (client);

    /* a message without a routing id, multipart, unknown peer */
    R (zmq_send (server, "no id", 5, 0));
    R (zmq_send (client, "a", 1, ZMQ_SNDMORE));
    R (zmq_msg_init_size (&msg, 1));
    R (zmq_msg_set_routing_id (&msg, id));
    R (zmq_msg_send (&msg, server, ZMQ_SNDMORE));
    R (zmq_msg_close (&msg));
    R (zmq_msg_init_size (&msg, 1));
    R (zmq_msg_set_routing_id (&msg, id + 1000));
    R (zmq_msg_send (&msg, server, 0));
    R (zmq_msg_close (&msg));
    /* the routing id is cleared by a send, kept on a received message */
    R (zmq_msg_init_size (&msg, 2));
    memcpy (zmq_msg_data (&msg), "ok", 2);
    R (zmq_msg_set_routing_id (&msg, id));
    R (zmq_msg_send (&msg, server, 0));
    R (zmq_msg_routing_id (&msg));
    R (zmq_msg_close (&msg));
    recv_str (client);
    /* a client message carries no routing id on the client side */
    send_str (server, "x", 0);
    R (zmq_msg_init (&msg));
    send_str (client, "ping", 0);
    R (zmq_msg_recv (&msg, server, 0));
    CHECK (zmq_msg_routing_id (&msg) == id);
    R (zmq_msg_close (&msg));
    R (zmq_close (client));
    R (zmq_close (server));
}

static void radio_dish (void *ctx, const char *endpoint)
{
    say ("== RADIO/DISH over %s", masked (endpoint));
    void *radio = new_socket (ctx, ZMQ_RADIO);
    void *dish = new_socket (ctx, ZMQ_DISH);
    R (zmq_join (dish, "tv"));
    R (zmq_join (dish, "tv"));
    R (zmq_leave (dish, "radio"));
    R (zmq_join (radio, "tv"));
    R (zmq_leave (radio, "tv"));
    R (zmq_join (dish, ""));
    R (zmq_leave (dish, ""));
    R (zmq_bind (radio, endpoint));
    char resolved[256];
    last_endpoint (radio, resolved, sizeof resolved);
    R (zmq_connect (dish, resolved));

    /* the JOIN travels asynchronously over tcp: probe until it is in */
    zmq_pollitem_t item = {dish, 0, ZMQ_POLLIN, 0};
    int arrived = 0;
    for (int i = 0; i < 500 && arrived == 0; i++) {
        zmq_msg_t probe;
        zmq_msg_init_size (&probe, 5);
        memcpy (zmq_msg_data (&probe), "probe", 5);
        zmq_msg_set_group (&probe, "tv");
        zmq_msg_send (&probe, radio, 0);
        zmq_msg_close (&probe);
        arrived = zmq_poll (&item, 1, 10);
    }
    say ("probe arrived: %d", arrived);
    char buf[32];
    while (zmq_recv (dish, buf, sizeof buf, ZMQ_DONTWAIT) >= 0) {
    }

    const char *groups[] = {"news", "tv", "", "tvx"};
    for (int i = 0; i < 4; i++) {
        zmq_msg_t msg;
        zmq_msg_init_size (&msg, strlen (groups[i]) + 1);
        memcpy (zmq_msg_data (&msg), groups[i], strlen (groups[i]) + 1);
        R (zmq_msg_set_group (&msg, groups[i]));
        VS (zmq_msg_group (&msg));
        R (zmq_msg_send (&msg, radio, 0));
        zmq_msg_close (&msg);
    }
    zmq_msg_t msg;
    R (zmq_msg_init (&msg));
    R (zmq_msg_recv (&msg, dish, 0));
    say ("body \"%s\", group \"%s\"", printable (zmq_msg_data (&msg), zmq_msg_size (&msg)),
         zmq_msg_group (&msg));
    R (zmq_msg_close (&msg));
    R (zmq_msg_init (&msg));
    set_int (dish, ZMQ_RCVTIMEO, 300);
    R (zmq_msg_recv (&msg, dish, 0));
    R (zmq_msg_close (&msg));

    /* no group, multipart, too long a group */
    R (zmq_send (radio, "nogroup", 7, 0));
    R (zmq_send (radio, "x", 1, ZMQ_SNDMORE));
    R (zmq_send (dish, "x", 1, 0));
    char long_group[300];
    memset (long_group, 'g', sizeof long_group - 1);
    long_group[sizeof long_group - 1] = 0;
    R (zmq_msg_init (&msg));
    VS (zmq_msg_group (&msg));
    R (zmq_msg_set_group (&msg, long_group));
    long_group[255] = 0;
    R (zmq_msg_set_group (&msg, long_group));
    long_group[254] = 0;
    R (zmq_msg_set_group (&msg, long_group));
    R (zmq_msg_close (&msg));
    long_group[254] = 'g';
    R (zmq_join (dish, long_group));
    long_group[255] = 'g';
    R (zmq_join (dish, long_group));
    R (zmq_leave (dish, "tv"));
    R (zmq_leave (dish, "tv"));
    R (zmq_close (dish));
    R (zmq_close (radio));
}

static void peer (void *ctx)
{
    SECTION ("PEER");
    void *a = new_socket (ctx, ZMQ_PEER);
    void *b = new_socket (ctx, ZMQ_PEER);
    char endpoint[256];
    R (zmq_bind (a, "tcp://127.0.0.1:*"));
    last_endpoint (a, endpoint, sizeof endpoint);
    R (zmq_connect (b, endpoint));
    uint32_t id = zmq_connect_peer (b, endpoint);
    say ("connect_peer id != 0: %s", id != 0 ? "yes" : "no");
    zmq_msg_t msg;
    R (zmq_msg_init_size (&msg, 2));
    memcpy (zmq_msg_data (&msg), "hi", 2);
    R (zmq_msg_set_routing_id (&msg, id));
    R (zmq_msg_send (&msg, b, 0));
    R (zmq_msg_init (&msg));
    R (zmq_msg_recv (&msg, a, 0));
    uint32_t back = zmq_msg_routing_id (&msg);
    say ("received routing id != 0: %s", back != 0 ? "yes" : "no");
    R (zmq_msg_close (&msg));
    /* and back */
    R (zmq_msg_init_size (&msg, 5));
    memcpy (zmq_msg_data (&msg), "hello", 5);
    R (zmq_msg_set_routing_id (&msg, back));
    R (zmq_msg_send (&msg, a, 0));
    R (zmq_msg_init (&msg));
    R (zmq_msg_recv (&msg, b, 0));
    CHECK (zmq_msg_routing_id (&msg) == id);
    R (zmq_msg_close (&msg));
    R (zmq_send (b, "noid", 4, 0));
    disconnect_peer_fn disconnect_peer = disconnect_peer_symbol ();
    say ("zmq_disconnect_peer exported: %s", disconnect_peer ? "yes" : "no");
    if (disconnect_peer) {
        R (disconnect_peer (b, id));
        R (disconnect_peer (b, id ^ 0x5555));
    }

    void *dealer = new_socket (ctx, ZMQ_DEALER);
    errno = 0;
    uint32_t none = zmq_connect_peer (dealer, endpoint);
    say ("connect_peer on DEALER -> %u %s", none, errno_name (errno));
    errno = 0;
    none = zmq_connect_peer (a, "tcp://127.0.0.1:*");
    say ("connect_peer to a wildcard -> %u %s", none, errno_name (errno));
    if (disconnect_peer)
        R (disconnect_peer (dealer, 1));
    R (zmq_close (dealer));
    R (zmq_close (b));
    R (zmq_close (a));
}

static void scatter_gather_channel (void *ctx)
{
    int pairs[3][2] = {{ZMQ_GATHER, ZMQ_SCATTER}, {ZMQ_SCATTER, ZMQ_GATHER},
                       {ZMQ_CHANNEL, ZMQ_CHANNEL}};
    const char *names[3] = {"GATHER binds, SCATTER connects",
                            "SCATTER binds, GATHER connects", "CHANNEL"};
    for (int i = 0; i < 3; i++) {
        say ("== %s", names[i]);
        void *bound = new_socket (ctx, pairs[i][0]);
        void *connected = new_socket (ctx, pairs[i][1]);
        char endpoint[64];
        snprintf (endpoint, sizeof endpoint, "inproc://draft-pair-%d", i);
        R (zmq_bind (bound, endpoint));
        R (zmq_connect (connected, endpoint));
        void *sender = pairs[i][0] == ZMQ_GATHER ? connected : bound;
        void *receiver = sender == bound ? connected : bound;
        send_str (sender, "one", 0);
        recv_str (receiver);
        R (zmq_send (sender, "a", 1, ZMQ_SNDMORE));
        char buf[8];
        R (zmq_send (receiver, "b", 1, ZMQ_DONTWAIT));
        R (zmq_recv (sender, buf, sizeof buf, ZMQ_DONTWAIT));
        R (get_int (sender, ZMQ_THREAD_SAFE));
        R (zmq_close (connected));
        R (zmq_close (bound));
    }
}

/* zmq_socket_get_peer_state: a ROUTER's peer is writable until its
 * pipe is full; unknown ids, other types and NULL are refused. */
static void router_peer_state (void *ctx)
{
    SECTION ("zmq_socket_get_peer_state");
    R (zmq_socket_get_peer_state (NULL, "x", 1));
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    void *dealer = zmq_socket (ctx, ZMQ_DEALER);
    R (zmq_socket_get_peer_state (dealer, "x", 1));
    R (zmq_socket_get_peer_state (router, "x", 1));
    set_int (router, ZMQ_SNDHWM, 10);
    set_int (dealer, ZMQ_RCVHWM, 10);
    set_int (router, ZMQ_LINGER, 0);
    set_int (dealer, ZMQ_LINGER, 0);
    set_int (router, ZMQ_RCVTIMEO, 5000);
    SETUP_OK (zmq_setsockopt (dealer, ZMQ_ROUTING_ID, "D", 1));
    SETUP_OK (zmq_bind (router, "inproc://draft-peer-state"));
    SETUP_OK (zmq_connect (dealer, "inproc://draft-peer-state"));
    send_str (dealer, "hi", 0);
    recv_str (router);
    recv_str (router);
    R (zmq_socket_get_peer_state (router, "D", 1));
    int sent = 0;
    while (sent < 1000 && zmq_socket_get_peer_state (router, "D", 1) == ZMQ_POLLOUT) {
        zmq_send (router, "D", 1, ZMQ_SNDMORE | ZMQ_DONTWAIT);
        zmq_send (router, "x", 1, ZMQ_DONTWAIT);
        sent++;
    }
    say ("sent until full >= 10: %s, < 1000: %s", sent >= 10 ? "yes" : "no",
         sent < 1000 ? "yes" : "no");
    R (zmq_socket_get_peer_state (router, "D", 1));
    R (zmq_close (dealer));
    R (zmq_close (router));
}

int main (void)
{
    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    router_peer_state (ctx);
    client_server (ctx);
    radio_dish (ctx, "inproc://draft-radio");
    radio_dish (ctx, "tcp://127.0.0.1:*");
    peer (ctx);
    scatter_gather_channel (ctx);
    SECTION ("DGRAM and join/leave on the wrong types");
    void *dgram = P (zmq_socket (ctx, ZMQ_DGRAM));
    if (dgram)
        R (zmq_close (dgram));
    void *pair = zmq_socket (ctx, ZMQ_PAIR);
    R (zmq_join (pair, "g"));
    R (zmq_leave (pair, "g"));
    R (zmq_close (pair));
    SECTION ("join/leave after zmq_ctx_shutdown");
    /* libzmq's join and leave neither check for the shutdown nor
     * process commands: they still work, before and after the socket
     * has seen the stop */
    void *late_dish = zmq_socket (ctx, ZMQ_DISH);
    R (zmq_ctx_shutdown (ctx));
    R (zmq_join (late_dish, "g"));
    char late_buf[8];
    R (zmq_recv (late_dish, late_buf, sizeof late_buf, ZMQ_DONTWAIT));
    R (zmq_join (late_dish, "h"));
    R (zmq_leave (late_dish, "g"));
    R (zmq_close (late_dish));
    R (zmq_ctx_term (ctx));
    say ("done");
    return 0;
}
