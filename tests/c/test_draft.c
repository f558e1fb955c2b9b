/* Draft socket types through the C ABI: SERVER/CLIENT routing ids,
 * RADIO/DISH groups, PEER connect_peer, errors of the draft calls. */
#define ZMQ_BUILD_DRAFT_API
#include <errno.h>
#include "testutil.h"

static void *new_socket (void *ctx, int type)
{
    void *s = zmq_socket (ctx, type);
    NOT_NULL (s);
    int timeout = 5000, linger = 0;
    OK (zmq_setsockopt (s, ZMQ_RCVTIMEO, &timeout, sizeof timeout));
    OK (zmq_setsockopt (s, ZMQ_SNDTIMEO, &timeout, sizeof timeout));
    OK (zmq_setsockopt (s, ZMQ_LINGER, &linger, sizeof linger));
    return s;
}

static void last_endpoint (void *s, char *buf, size_t size)
{
    OK (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, buf, &size));
}

static void client_server (void *ctx)
{
    void *server = new_socket (ctx, ZMQ_SERVER);
    void *client = new_socket (ctx, ZMQ_CLIENT);
    char endpoint[256];
    OK (zmq_bind (server, "tcp://127.0.0.1:*"));
    last_endpoint (server, endpoint, sizeof endpoint);
    OK (zmq_connect (client, endpoint));
    int thread_safe = 0;
    size_t size = sizeof thread_safe;
    OK (zmq_getsockopt (client, ZMQ_THREAD_SAFE, &thread_safe, &size));
    CHECK (thread_safe == 1);

    send_str (client, "hello", 0);
    zmq_msg_t msg;
    OK (zmq_msg_init (&msg));
    CHECK (zmq_msg_recv (&msg, server, 0) == 5);
    uint32_t id = zmq_msg_routing_id (&msg);
    CHECK (id != 0);
    OK (zmq_msg_close (&msg));

    OK (zmq_msg_init_size (&msg, 5));
    memcpy (zmq_msg_data (&msg), "world", 5);
    R (zmq_msg_set_routing_id (&msg, 0));
    OK (zmq_msg_set_routing_id (&msg, id));
    CHECK (zmq_msg_send (&msg, server, 0) == 5);
    char buf[16];
    CHECK (zmq_recv (client, buf, sizeof buf, 0) == 5);
    CHECK (memcmp (buf, "world", 5) == 0);

    R (zmq_send (client, "a", 1, ZMQ_SNDMORE));
    OK (zmq_msg_init_size (&msg, 1));
    OK (zmq_msg_set_routing_id (&msg, id + 1000));
    R (zmq_msg_send (&msg, server, 0));
    OK (zmq_msg_close (&msg));
    OK (zmq_close (client));
    OK (zmq_close (server));
}

static void radio_dish (void *ctx)
{
    void *radio = new_socket (ctx, ZMQ_RADIO);
    void *dish = new_socket (ctx, ZMQ_DISH);
    OK (zmq_join (dish, "tv"));
    R (zmq_join (dish, "tv"));
    R (zmq_leave (dish, "radio"));
    R (zmq_join (radio, "tv"));
    OK (zmq_bind (radio, "inproc://draft-radio"));
    OK (zmq_connect (dish, "inproc://draft-radio"));

    /* inproc: the JOIN is in the pipe before the first send. */
    const char *groups[] = {"news", "tv"};
    for (int i = 0; i < 2; i++) {
        zmq_msg_t msg;
        OK (zmq_msg_init_size (&msg, 3));
        memcpy (zmq_msg_data (&msg), groups[i], 3);
        OK (zmq_msg_set_group (&msg, groups[i]));
        CHECK (strcmp (zmq_msg_group (&msg), groups[i]) == 0);
        OK (zmq_msg_send (&msg, radio, 0));
    }
    zmq_msg_t msg;
    OK (zmq_msg_init (&msg));
    CHECK (zmq_msg_recv (&msg, dish, 0) == 3);
    CHECK (memcmp (zmq_msg_data (&msg), "tv", 2) == 0);
    CHECK (strcmp (zmq_msg_group (&msg), "tv") == 0);
    OK (zmq_msg_close (&msg));

    char long_group[300];
    memset (long_group, 'g', sizeof long_group - 1);
    long_group[sizeof long_group - 1] = 0;
    OK (zmq_msg_init (&msg));
    R (zmq_msg_set_group (&msg, long_group));
    OK (zmq_msg_close (&msg));
    R (zmq_join (dish, long_group));
    OK (zmq_leave (dish, "tv"));
    OK (zmq_close (dish));
    OK (zmq_close (radio));
}

static void peer (void *ctx)
{
    void *a = new_socket (ctx, ZMQ_PEER);
    void *b = new_socket (ctx, ZMQ_PEER);
    char endpoint[256];
    OK (zmq_bind (a, "tcp://127.0.0.1:*"));
    last_endpoint (a, endpoint, sizeof endpoint);
    uint32_t id = zmq_connect_peer (b, endpoint);
    CHECK (id != 0);
    zmq_msg_t msg;
    OK (zmq_msg_init_size (&msg, 2));
    memcpy (zmq_msg_data (&msg), "hi", 2);
    OK (zmq_msg_set_routing_id (&msg, id));
    CHECK (zmq_msg_send (&msg, b, 0) == 2);
    OK (zmq_msg_init (&msg));
    CHECK (zmq_msg_recv (&msg, a, 0) == 2);
    CHECK (zmq_msg_routing_id (&msg) != 0);
    OK (zmq_msg_close (&msg));
    OK (zmq_disconnect_peer (b, id));
    R (zmq_disconnect_peer (b, id ^ 0x5555));

    void *dealer = new_socket (ctx, ZMQ_DEALER);
    errno = 0;
    CHECK (zmq_connect_peer (dealer, endpoint) == 0);
    CHECK (errno == ENOTSUP);
    R (zmq_disconnect_peer (dealer, 1));
    OK (zmq_close (dealer));
    OK (zmq_close (b));
    OK (zmq_close (a));
}

static void scatter_gather_channel (void *ctx)
{
    int pairs[2][2] = {{ZMQ_GATHER, ZMQ_SCATTER}, {ZMQ_CHANNEL, ZMQ_CHANNEL}};
    for (int i = 0; i < 2; i++) {
        void *bound = new_socket (ctx, pairs[i][0]);
        void *connected = new_socket (ctx, pairs[i][1]);
        OK (zmq_bind (bound, "inproc://draft-pair"));
        OK (zmq_connect (connected, "inproc://draft-pair"));
        send_str (connected, "one", 0);
        char buf[8];
        CHECK (zmq_recv (bound, buf, sizeof buf, 0) == 3);
        R (zmq_send (connected, "a", 1, ZMQ_SNDMORE));
        OK (zmq_close (connected));
        OK (zmq_close (bound));
    }
}

int main (void)
{
    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    client_server (ctx);
    radio_dish (ctx);
    peer (ctx);
    scatter_gather_channel (ctx);
    R (zmq_socket (ctx, ZMQ_DGRAM) == NULL ? -1 : 0);
    OK (zmq_ctx_term (ctx));
    return 0;
}
