/* The ZMQ_GSSAPI_* options through zmq_setsockopt / zmq_getsockopt,
 * printed for comparison: ci.sh runs this on our libzmq.so.5 (with the
 * `gssapi` feature) and on a libzmq built with GSSAPI, and the outputs
 * must be equal. */
#include <stdio.h>
#include <string.h>
#include <zmq.h>

static void *s;

static void set_int (const char *name, int option, int value)
{
    int rc = zmq_setsockopt (s, option, &value, sizeof value);
    printf ("set %s %d: %d %s\n", name, value, rc, rc ? zmq_strerror (zmq_errno ()) : "");
}

static void set_str (const char *name, int option, const void *value, size_t size)
{
    int rc = zmq_setsockopt (s, option, value, size);
    printf ("set %s (%zu bytes): %d %s\n", name, size, rc, rc ? zmq_strerror (zmq_errno ()) : "");
}

static void get_int (const char *name, int option)
{
    int value = -99;
    size_t size = sizeof value;
    int rc = zmq_getsockopt (s, option, &value, &size);
    printf ("get %s: %d value %d size %zu\n", name, rc, value, size);
}

static void get_str (const char *name, int option)
{
    char value[300];
    memset (value, '#', sizeof value);
    size_t size = sizeof value;
    int rc = zmq_getsockopt (s, option, value, &size);
    printf ("get %s: %d size %zu [", name, rc, size);
    for (size_t i = 0; rc == 0 && i < size; i++)
        printf (value[i] ? "%c" : "\\0", value[i]);
    printf ("]\n");
    size = 3;
    rc = zmq_getsockopt (s, option, value, &size);
    printf ("get %s into 3 bytes: %d %s size %zu\n", name, rc, rc ? zmq_strerror (zmq_errno ()) : "", size);
}

#define INT(o) #o, o

int main (void)
{
    void *ctx = zmq_ctx_new ();
    s = zmq_socket (ctx, ZMQ_DEALER);
    printf ("has gssapi: %d\n", zmq_has ("gssapi"));
    get_int (INT (ZMQ_MECHANISM));
    get_int (INT (ZMQ_GSSAPI_SERVER));
    get_int (INT (ZMQ_GSSAPI_PLAINTEXT));
    get_int (INT (ZMQ_GSSAPI_PRINCIPAL_NAMETYPE));
    get_int (INT (ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE));
    get_str (INT (ZMQ_GSSAPI_PRINCIPAL));
    get_str (INT (ZMQ_GSSAPI_SERVICE_PRINCIPAL));
    int values[] = {0, 1, 2, 3, -1};
    for (int i = 0; i < 5; i++) {
        set_int (INT (ZMQ_GSSAPI_SERVER), values[i]);
        get_int (INT (ZMQ_GSSAPI_SERVER));
        get_int (INT (ZMQ_MECHANISM));
        set_int (INT (ZMQ_GSSAPI_PLAINTEXT), values[i]);
        get_int (INT (ZMQ_GSSAPI_PLAINTEXT));
        set_int (INT (ZMQ_GSSAPI_PRINCIPAL_NAMETYPE), values[i]);
        get_int (INT (ZMQ_GSSAPI_PRINCIPAL_NAMETYPE));
        set_int (INT (ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE), values[i]);
        get_int (INT (ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE));
    }
    set_str (INT (ZMQ_GSSAPI_PRINCIPAL), "zmqtest2", 9);
    get_str (INT (ZMQ_GSSAPI_PRINCIPAL));
    set_str (INT (ZMQ_GSSAPI_PRINCIPAL), "alice", 5);
    get_str (INT (ZMQ_GSSAPI_PRINCIPAL));
    set_str (INT (ZMQ_GSSAPI_PRINCIPAL), "", 0);
    set_str (INT (ZMQ_GSSAPI_PRINCIPAL), NULL, 0);
    char big[256];
    memset (big, 'x', sizeof big);
    set_str (INT (ZMQ_GSSAPI_PRINCIPAL), big, 255);
    set_str (INT (ZMQ_GSSAPI_PRINCIPAL), big, 256);
    set_int (INT (ZMQ_GSSAPI_SERVER), 1);
    set_str (INT (ZMQ_GSSAPI_SERVICE_PRINCIPAL), "svc@host", 8);
    get_str (INT (ZMQ_GSSAPI_SERVICE_PRINCIPAL));
    get_int (INT (ZMQ_GSSAPI_SERVER));
    get_int (INT (ZMQ_MECHANISM));
    short shortint = 1;
    printf ("set ZMQ_GSSAPI_SERVER short: %d\n",
            zmq_setsockopt (s, ZMQ_GSSAPI_SERVER, &shortint, sizeof shortint));
    int plain = 1;
    zmq_setsockopt (s, ZMQ_PLAIN_SERVER, &plain, sizeof plain);
    get_int (INT (ZMQ_GSSAPI_SERVER));
    get_int (INT (ZMQ_MECHANISM));
    zmq_close (s);
    zmq_ctx_term (ctx);
    return 0;
}
