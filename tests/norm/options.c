/* The ZMQ_NORM_* options and zmq_has("norm") through the C ABI: defaults,
 * values in and out of range, wrong sizes, with the errno of each call.
 * tests/norm/ci.sh runs it on our libzmq.so.5 and on Debian's (built
 * with NORM) and wants the same output. */
#define ZMQ_BUILD_DRAFT_API
#include <zmq.h>

#include <stdio.h>

static void get (void *s, const char *name, int option)
{
    int value = -12345;
    size_t size = sizeof value;
    int rc = zmq_getsockopt (s, option, &value, &size);
    printf ("get %s: rc=%d value=%d size=%zu errno=%d\n", name, rc, value, size,
            rc ? zmq_errno () : 0);
}

static void set (void *s, const char *name, int option, int value)
{
    int rc = zmq_setsockopt (s, option, &value, sizeof value);
    printf ("set %s %d: rc=%d errno=%d\n", name, value, rc, rc ? zmq_errno () : 0);
    get (s, name, option);
}

#define CHECK(option, ...)                                                   \
    do {                                                                     \
        int values[] = {__VA_ARGS__};                                        \
        get (s, #option, option);                                            \
        for (size_t i = 0; i < sizeof values / sizeof *values; i++)          \
            set (s, #option, option, values[i]);                             \
        char small = 1;                                                      \
        int rc = zmq_setsockopt (s, option, &small, 1);                      \
        printf ("set %s with 1 byte: rc=%d errno=%d\n", #option, rc,        \
                rc ? zmq_errno () : 0);                                      \
    } while (0)

int main (void)
{
    printf ("zmq_has(\"norm\") = %d\n", zmq_has ("norm"));
    void *ctx = zmq_ctx_new ();
    void *s = zmq_socket (ctx, ZMQ_SUB);
    CHECK (ZMQ_NORM_MODE, -1, 0, 4, 5, 1);
    CHECK (ZMQ_NORM_UNICAST_NACK, 2, -1, 1, 0);
    CHECK (ZMQ_NORM_BUFFER_SIZE, 0, -5, 1, 4096);
    CHECK (ZMQ_NORM_SEGMENT_SIZE, 0, 1, 65535, 70000);
    CHECK (ZMQ_NORM_BLOCK_SIZE, 0, 1, 255, 256);
    CHECK (ZMQ_NORM_NUM_PARITY, -1, 0, 254, 255);
    CHECK (ZMQ_NORM_NUM_AUTOPARITY, -1, 0, 254, 255);
    CHECK (ZMQ_NORM_PUSH, 2, 1, 0);
    /* A socket type norm does not take, and an address without a port. */
    void *req = zmq_socket (ctx, ZMQ_REQ);
    int rc = zmq_connect (req, "norm://239.1.2.3:5555");
    printf ("REQ connect: rc=%d errno=%d\n", rc, rc ? zmq_errno () : 0);
    zmq_close (req);
    zmq_close (s);
    zmq_ctx_term (ctx);
    return 0;
}
