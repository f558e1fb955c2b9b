/* The zmq_msg_* API: init variants, the user's free function called
 * exactly once, copy/move, properties, metadata over tcp, iovecs, the
 * deprecated names. Prints what it observes. */
#define ZMQ_BUILD_DRAFT_API
#include "testutil.h"
#include <sys/uio.h>

static int freed = 0;
static void *freed_hint = NULL;

static void count_free (void *data, void *hint)
{
    freed++;
    freed_hint = hint;
    free (data);
}

int main (void)
{
    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    void *a = zmq_socket (ctx, ZMQ_PAIR);
    void *b = zmq_socket (ctx, ZMQ_PAIR);
    set_int (b, ZMQ_RCVTIMEO, 5000);
    SETUP_OK (zmq_bind (a, "inproc://msg"));
    SETUP_OK (zmq_connect (b, "inproc://msg"));

    SECTION ("init / size / data / properties");
    zmq_msg_t msg;
    R (zmq_msg_init (&msg));
    R (zmq_msg_size (&msg));
    CHECK (zmq_msg_data (&msg) != NULL);
    R (zmq_msg_more (&msg));
    R (zmq_msg_get (&msg, ZMQ_MORE));
    R (zmq_msg_get (&msg, ZMQ_SHARED));
    R (zmq_msg_get (&msg, ZMQ_SRCFD));
    R (zmq_msg_get (&msg, 999));
    R (zmq_msg_get (&msg, -1));
    R (zmq_msg_set (&msg, ZMQ_MORE, 1));
    R (zmq_msg_set (&msg, ZMQ_SHARED, 1));
    R (zmq_msg_set (&msg, 999, 1));
    P (zmq_msg_gets (&msg, "Socket-Type"));
    R (zmq_msg_close (&msg));

    SECTION ("init_size: small and large buffers are writable");
    size_t sizes[] = {0, 1, 5, 29, 30, 31, 33, 64, 5000, 1 << 20};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        R (zmq_msg_init_size (&msg, sizes[i]));
        size_t size = zmq_msg_size (&msg);
        memset (zmq_msg_data (&msg), 'a' + (int) i, sizes[i]);
        int sent = zmq_msg_send (&msg, a, 0);
        zmq_msg_close (&msg);
        zmq_msg_init (&msg);
        int got = zmq_msg_recv (&msg, b, 0);
        int same = got == (int) sizes[i];
        for (size_t k = 0; same && k < sizes[i]; k++)
            same = ((char *) zmq_msg_data (&msg))[k] == 'a' + (int) i;
        say ("size %zu: zmq_msg_size %zu, sent %d, received %d, bytes intact %s",
             sizes[i], size, sent, got, same ? "yes" : "no");
        R (zmq_msg_close (&msg));
    }

    SECTION ("init_buffer");
    R (zmq_msg_init_buffer (&msg, "buffered", 8));
    R (zmq_msg_size (&msg));
    R (zmq_msg_send (&msg, a, 0));
    recv_str (b);
    R (zmq_msg_close (&msg));
    R (zmq_msg_init_buffer (&msg, NULL, 0));
    R (zmq_msg_size (&msg));
    R (zmq_msg_close (&msg));

    SECTION ("init_data: the free function runs once, after the last copy");
    char *buffer = malloc (1000);
    memset (buffer, 'z', 1000);
    int hint = 42;
    R (zmq_msg_init_data (&msg, buffer, 1000, count_free, &hint));
    R (zmq_msg_get (&msg, ZMQ_SHARED));
    zmq_msg_t copy;
    R (zmq_msg_init (&copy));
    R (zmq_msg_copy (&copy, &msg));
    R (zmq_msg_get (&msg, ZMQ_SHARED));
    R (zmq_msg_get (&copy, ZMQ_SHARED));
    CHECK (zmq_msg_data (&copy) == (void *) buffer);
    CHECK (zmq_msg_data (&msg) == (void *) buffer);
    R (zmq_msg_send (&msg, a, 0));
    R (zmq_msg_size (&msg));
    R (zmq_msg_close (&msg));
    VI (freed);
    R (zmq_msg_init (&msg));
    R (zmq_msg_recv (&msg, b, 0));
    CHECK (((char *) zmq_msg_data (&msg))[999] == 'z');
    R (zmq_msg_close (&msg));
    VI (freed);
    R (zmq_msg_close (&copy));
    VI (freed);
    CHECK (freed_hint == &hint);
    R (zmq_msg_close (&copy));
    VI (freed);
    /* a closed message is invalid until initialised again */
    R (zmq_msg_init (&msg));
    R (zmq_msg_copy (&msg, &copy));
    R (zmq_msg_copy (&copy, &msg));
    R (zmq_msg_move (&msg, &copy));
    R (zmq_msg_move (&copy, &msg));
    R (zmq_msg_recv (&copy, b, ZMQ_DONTWAIT));
    R (zmq_msg_init (&copy));
    R (zmq_msg_close (&copy));
    R (zmq_msg_close (&msg));

    SECTION ("init_data without a free function, zmq_send_const");
    static const char constant[] = "constant";
    R (zmq_msg_init_data (&msg, (void *) constant, 8, NULL, NULL));
    CHECK (zmq_msg_data (&msg) == (void *) constant);
    /* constant data is shared from the start; no source descriptor */
    R (zmq_msg_get (&msg, ZMQ_SHARED));
    R (zmq_msg_get (&msg, ZMQ_SRCFD));
    R (zmq_msg_send (&msg, a, 0));
    recv_str (b);
    R (zmq_msg_close (&msg));
    R (zmq_send_const (a, constant, 8, 0));
    recv_str (b);
    R (zmq_send_const (a, constant, 0, ZMQ_SNDMORE));
    R (zmq_send_const (a, constant, 3, 0));
    recv_str (b);
    recv_str (b);

    SECTION ("copy of a small message");
    R (zmq_msg_init_size (&msg, 3));
    memcpy (zmq_msg_data (&msg), "abc", 3);
    R (zmq_msg_init (&copy));
    R (zmq_msg_copy (&copy, &msg));
    R (zmq_msg_size (&copy));
    CHECK (memcmp (zmq_msg_data (&copy), "abc", 3) == 0);
    R (zmq_msg_get (&msg, ZMQ_SHARED));
    R (zmq_msg_close (&msg));
    R (zmq_msg_close (&copy));

    SECTION ("move");
    zmq_msg_t src, dst;
    R (zmq_msg_init_size (&src, 3));
    memcpy (zmq_msg_data (&src), "abc", 3);
    R (zmq_msg_init_size (&dst, 100));
    R (zmq_msg_move (&dst, &src));
    R (zmq_msg_size (&dst));
    R (zmq_msg_size (&src));
    CHECK (memcmp (zmq_msg_data (&dst), "abc", 3) == 0);
    R (zmq_msg_close (&src));
    R (zmq_msg_close (&dst));

    SECTION ("a failed send leaves the message with the caller");
    void *lonely = zmq_socket (ctx, ZMQ_PUSH);
    R (zmq_msg_init_size (&msg, 4));
    memcpy (zmq_msg_data (&msg), "keep", 4);
    R (zmq_msg_send (&msg, lonely, ZMQ_DONTWAIT));
    R (zmq_msg_size (&msg));
    CHECK (memcmp (zmq_msg_data (&msg), "keep", 4) == 0);
    R (zmq_msg_close (&msg));
    R (zmq_close (lonely));

    SECTION ("a failed receive (EAGAIN) empties the message");
    R (zmq_msg_init_size (&msg, 4));
    memcpy (zmq_msg_data (&msg), "mine", 4);
    R (zmq_msg_recv (&msg, a, ZMQ_DONTWAIT));
    R (zmq_msg_size (&msg));
    R (zmq_msg_close (&msg));

    SECTION ("multipart: ZMQ_MORE; the deprecated names");
    R (zmq_msg_init_size (&msg, 1));
    R (zmq_sendmsg (a, &msg, ZMQ_SNDMORE));
    R (zmq_msg_more (&msg));
    R (zmq_msg_close (&msg));
    send_str (a, "last", 0);
    R (zmq_msg_init (&msg));
    R (zmq_recvmsg (b, &msg, 0));
    R (zmq_msg_more (&msg));
    R (zmq_msg_get (&msg, ZMQ_MORE));
    R (zmq_msg_recv (&msg, b, 0));
    R (zmq_msg_more (&msg));
    R (zmq_msg_close (&msg));

    SECTION ("sendiov / recviov");
    /* a pair of their own: what one library sends as one message the
     * other may send as several */
    void *iov_a = zmq_socket (ctx, ZMQ_PAIR);
    void *iov_b = zmq_socket (ctx, ZMQ_PAIR);
    set_int (iov_b, ZMQ_RCVTIMEO, 2000);
    set_int (iov_a, ZMQ_LINGER, 0);
    SETUP_OK (zmq_bind (iov_a, "inproc://msg-iov"));
    SETUP_OK (zmq_connect (iov_b, "inproc://msg-iov"));
    struct iovec out[3] = {{(void *) "io", 2}, {(void *) "vec", 3}, {(void *) "", 0}};
    R (zmq_sendiov (iov_a, out, 3, 0));
    struct iovec in[4];
    size_t count = 4;
    R (zmq_recviov (iov_b, in, &count, 0));
    VU (count);
    for (size_t i = 0; i < count && i < 4; i++) {
        say ("part %zu: %zu \"%s\"", i, in[i].iov_len, printable (in[i].iov_base, in[i].iov_len));
        free (in[i].iov_base);
    }
    /* fewer slots than parts */
    R (zmq_sendiov (iov_a, out, 3, 0));
    count = 1;
    R (zmq_recviov (iov_b, in, &count, 0));
    VU (count);
    free (in[0].iov_base);
    R (get_int (iov_b, ZMQ_RCVMORE));
    count = 4;
    R (zmq_recviov (iov_b, in, &count, ZMQ_DONTWAIT));
    VU (count);
    for (size_t i = 0; i < count && i < 4; i++)
        free (in[i].iov_base);
    R (zmq_sendiov (iov_a, NULL, 0, 0));
    R (zmq_sendiov (iov_a, out, 0, 0));
    count = 4;
    R (zmq_recviov (iov_b, NULL, &count, ZMQ_DONTWAIT));
    R (zmq_recviov (iov_b, in, &count, ZMQ_DONTWAIT));
    /* with ZMQ_SNDMORE the buffers are the parts of one message, the
     * last without MORE */
    R (zmq_sendiov (iov_a, out, 3, ZMQ_SNDMORE));
    count = 4;
    R (zmq_recviov (iov_b, in, &count, 0));
    VU (count);
    for (size_t i = 0; i < count && i < 4; i++)
        free (in[i].iov_base);
    R (get_int (iov_b, ZMQ_RCVMORE));
    /* no room for a part */
    size_t no_room = 0;
    R (zmq_recviov (iov_b, in, &no_room, ZMQ_DONTWAIT));

    R (zmq_close (iov_a));
    R (zmq_close (iov_b));

    SECTION ("metadata over tcp");
    void *server = zmq_socket (ctx, ZMQ_PULL);
    void *client = zmq_socket (ctx, ZMQ_PUSH);
    set_int (server, ZMQ_RCVTIMEO, 5000);
    R (zmq_setsockopt (client, ZMQ_ROUTING_ID, "client-id", 9));
    R (zmq_bind (server, "tcp://127.0.0.1:*"));
    char endpoint[256];
    last_endpoint (server, endpoint, sizeof endpoint);
    R (zmq_connect (client, endpoint));
    send_str (client, "meta", 0);
    R (zmq_msg_init (&msg));
    R (zmq_msg_recv (&msg, server, 0));
    const char *props[] = {"Socket-Type", "Identity", "Routing-Id",
                           "Peer-Address", "User-Id", "socket-type",
                           "No-Such-Property", ""};
    for (size_t i = 0; i < sizeof props / sizeof *props; i++) {
        errno = 0;
        const char *value = zmq_msg_gets (&msg, props[i]);
        int e = errno;
        if (value)
            say ("zmq_msg_gets (\"%s\") = \"%s\"", props[i], value);
        else
            say ("zmq_msg_gets (\"%s\") = NULL %s", props[i], errno_name (e));
    }
    R (zmq_msg_get (&msg, ZMQ_SRCFD) >= 0);
    R (zmq_msg_close (&msg));
    R (zmq_close (server));
    R (zmq_close (client));

    SECTION ("init_data over tcp: freed once the message is on its way");
    server = zmq_socket (ctx, ZMQ_PULL);
    client = zmq_socket (ctx, ZMQ_PUSH);
    set_int (server, ZMQ_RCVTIMEO, 5000);
    R (zmq_bind (server, "tcp://127.0.0.1:*"));
    last_endpoint (server, endpoint, sizeof endpoint);
    R (zmq_connect (client, endpoint));
    freed = 0;
    char *payload = malloc (300);
    memset (payload, 'p', 300);
    R (zmq_msg_init_data (&msg, payload, 300, count_free, NULL));
    R (zmq_msg_send (&msg, client, 0));
    R (zmq_msg_close (&msg));
    R (zmq_msg_init (&msg));
    R (zmq_msg_recv (&msg, server, 0));
    /* a copy of a received message shares its properties */
    R (zmq_msg_init (&copy));
    R (zmq_msg_copy (&copy, &msg));
    P (zmq_msg_gets (&copy, "Socket-Type"));
    R (zmq_msg_size (&copy));
    R (zmq_msg_close (&copy));
    R (zmq_msg_close (&msg));
    R (zmq_close (client));
    R (zmq_close (server));
    /* the sender's engine has written it and let it go by now, or at the
     * latest when the context ends (below) */

    SECTION ("metadata over inproc");
    send_str (a, "inproc meta", 0);
    R (zmq_msg_init (&msg));
    R (zmq_msg_recv (&msg, b, 0));
    P (zmq_msg_gets (&msg, "Socket-Type"));
    P (zmq_msg_gets (&msg, "Peer-Address"));
    R (zmq_msg_close (&msg));

    R (zmq_close (a));
    R (zmq_close (b));
    R (zmq_ctx_term (ctx));
    VI (freed);
    say ("done");
    return 0;
}
