/* The zmq_msg_* API: init variants, the user's free function called
 * exactly once, copy/move, properties, metadata over tcp. */
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
    OK (zmq_bind (a, "inproc://msg"));
    OK (zmq_connect (b, "inproc://msg"));

    /* init / size / data */
    zmq_msg_t msg;
    OK (zmq_msg_init (&msg));
    CHECK (zmq_msg_size (&msg) == 0);
    CHECK (zmq_msg_data (&msg) != NULL);
    CHECK (zmq_msg_more (&msg) == 0);
    CHECK (zmq_msg_get (&msg, ZMQ_MORE) == 0);
    R (zmq_msg_get (&msg, 999));
    R (zmq_msg_set (&msg, ZMQ_MORE, 1));
    OK (zmq_msg_close (&msg));

    /* init_size: small and large buffers are writable */
    size_t sizes[] = {0, 5, 33, 64, 5000};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        OK (zmq_msg_init_size (&msg, sizes[i]));
        CHECK (zmq_msg_size (&msg) == sizes[i]);
        memset (zmq_msg_data (&msg), 'a' + (int) i, sizes[i]);
        CHECK (zmq_msg_send (&msg, a, 0) == (int) sizes[i]);
        OK (zmq_msg_close (&msg));
        OK (zmq_msg_init (&msg));
        CHECK (zmq_msg_recv (&msg, b, 0) == (int) sizes[i]);
        for (size_t k = 0; k < sizes[i]; k++)
            CHECK (((char *) zmq_msg_data (&msg))[k] == 'a' + (int) i);
        OK (zmq_msg_close (&msg));
    }

    /* init_data: the free function runs once, after the last copy goes
     * and the message has been sent */
    char *buffer = malloc (1000);
    memset (buffer, 'z', 1000);
    int hint = 42;
    OK (zmq_msg_init_data (&msg, buffer, 1000, count_free, &hint));
    CHECK (zmq_msg_get (&msg, ZMQ_SHARED) == 0);
    zmq_msg_t copy;
    OK (zmq_msg_init (&copy));
    OK (zmq_msg_copy (&copy, &msg));
    CHECK (zmq_msg_get (&msg, ZMQ_SHARED) == 1);
    CHECK (zmq_msg_data (&copy) == (void *) buffer); /* shared, not copied */
    CHECK (zmq_msg_send (&msg, a, 0) == 1000);
    OK (zmq_msg_close (&msg));
    CHECK (freed == 0);
    OK (zmq_msg_init (&msg));
    CHECK (zmq_msg_recv (&msg, b, 0) == 1000);
    CHECK (((char *) zmq_msg_data (&msg))[999] == 'z');
    OK (zmq_msg_close (&msg));
    CHECK (freed == 0);
    OK (zmq_msg_close (&copy));
    CHECK (freed == 1);
    CHECK (freed_hint == &hint);
    OK (zmq_msg_close (&copy)); /* closing twice is harmless */
    CHECK (freed == 1);

    /* init_data without a free function */
    static const char constant[] = "constant";
    OK (zmq_msg_init_data (&msg, (void *) constant, 8, NULL, NULL));
    CHECK (zmq_msg_send (&msg, a, 0) == 8);
    recv_str (b);
    OK (zmq_msg_close (&msg));
    CHECK (zmq_send_const (a, constant, 8, 0) == 8);
    recv_str (b);

    /* move */
    zmq_msg_t src, dst;
    OK (zmq_msg_init_size (&src, 3));
    memcpy (zmq_msg_data (&src), "abc", 3);
    OK (zmq_msg_init (&dst));
    OK (zmq_msg_move (&dst, &src));
    CHECK (zmq_msg_size (&dst) == 3);
    CHECK (zmq_msg_size (&src) == 0);
    CHECK (memcmp (zmq_msg_data (&dst), "abc", 3) == 0);
    OK (zmq_msg_close (&src));
    OK (zmq_msg_close (&dst));

    /* a failed send leaves the message with the caller */
    void *lonely = zmq_socket (ctx, ZMQ_PUSH);
    OK (zmq_msg_init_size (&msg, 4));
    memcpy (zmq_msg_data (&msg), "keep", 4);
    R (zmq_msg_send (&msg, lonely, ZMQ_DONTWAIT));
    CHECK (zmq_msg_size (&msg) == 4);
    CHECK (memcmp (zmq_msg_data (&msg), "keep", 4) == 0);
    OK (zmq_msg_close (&msg));
    OK (zmq_close (lonely));

    /* multipart: ZMQ_MORE on received parts; the deprecated names */
    OK (zmq_msg_init_size (&msg, 1));
    CHECK (zmq_sendmsg (a, &msg, ZMQ_SNDMORE) == 1);
    OK (zmq_msg_close (&msg));
    send_str (a, "last", 0);
    OK (zmq_msg_init (&msg));
    CHECK (zmq_recvmsg (b, &msg, 0) == 1);
    CHECK (zmq_msg_more (&msg) == 1);
    CHECK (zmq_msg_get (&msg, ZMQ_MORE) == 1);
    CHECK (zmq_msg_recv (&msg, b, 0) == 4);
    CHECK (zmq_msg_more (&msg) == 0);
    OK (zmq_msg_close (&msg));

    /* sendiov / recviov */
    struct iovec out[2] = {{(void *) "io", 2}, {(void *) "vec", 3}};
    CHECK (zmq_sendiov (a, out, 2, 0) == 3);
    struct iovec in[4];
    size_t count = 4;
    CHECK (zmq_recviov (b, in, &count, 0) == 5);
    CHECK (count == 2);
    CHECK (in[0].iov_len == 2 && memcmp (in[0].iov_base, "io", 2) == 0);
    CHECK (in[1].iov_len == 3 && memcmp (in[1].iov_base, "vec", 3) == 0);
    free (in[0].iov_base);
    free (in[1].iov_base);

    /* metadata over tcp */
    void *server = zmq_socket (ctx, ZMQ_PULL);
    void *client = zmq_socket (ctx, ZMQ_PUSH);
    OK (zmq_bind (server, "tcp://127.0.0.1:*"));
    char endpoint[256];
    size_t size = sizeof endpoint;
    OK (zmq_getsockopt (server, ZMQ_LAST_ENDPOINT, endpoint, &size));
    OK (zmq_connect (client, endpoint));
    send_str (client, "meta", 0);
    OK (zmq_msg_init (&msg));
    CHECK (zmq_msg_recv (&msg, server, 0) == 4);
    const char *type = zmq_msg_gets (&msg, "Socket-Type");
    NOT_NULL (type);
    CHECK (strcmp (type, "PUSH") == 0);
    const char *peer = zmq_msg_gets (&msg, "Peer-Address");
    NOT_NULL (peer);
    CHECK (strcmp (peer, "127.0.0.1") == 0);
    errno = 0;
    CHECK (zmq_msg_gets (&msg, "No-Such-Property") == NULL);
    CHECK (errno == EINVAL);
    OK (zmq_msg_close (&msg));
    OK (zmq_close (server));
    OK (zmq_close (client));

    /* NULL messages are refused */
    R (zmq_msg_init (NULL));
    R (zmq_msg_close (NULL));

    OK (zmq_close (a));
    OK (zmq_close (b));
    OK (zmq_ctx_term (ctx));
    puts ("test_msg: ok");
    return 0;
}
