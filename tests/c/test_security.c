/* Security through the C ABI: CURVE keys (zmq_curve_keypair,
 * zmq_curve_public), the PLAIN / CURVE / ZAP socket options with libzmq's
 * size rules, and a PLAIN and a CURVE exchange over tcp authenticated by a
 * ZAP handler written here (a REP socket on inproc://zeromq.zap.01 in a
 * thread). */
#include "testutil.h"
#include <pthread.h>

/* a draft option in zmq.h */
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_STOP_ENDPOINT "inproc://zap-stop"

static void *ctx;
static char allowed_public[41]; /* the one CURVE client key accepted */
static int zap_requests;        /* how many requests the handler answered */
static pthread_mutex_t zap_lock = PTHREAD_MUTEX_INITIALIZER;

/* Receives one frame into `buf` (NUL-terminated); returns its size. */
static int recv_frame (void *s, char *buf, size_t size)
{
    int rc = zmq_recv (s, buf, size - 1, 0);
    CHECK (rc >= 0 && (size_t) rc < size);
    buf[rc] = '\0';
    return rc;
}

static int more (void *s)
{
    int more = 0;
    size_t size = sizeof more;
    OK (zmq_getsockopt (s, ZMQ_RCVMORE, &more, &size));
    return more;
}

/* One ZAP request (RFC 27) in, one reply out. PLAIN: admin/secret;
 * CURVE: only `allowed_public`; anything else: 400. */
static void answer_zap (void *handler)
{
    char version[16], request_id[64], domain[256], address[256], identity[256];
    char mechanism[16], cred1[256], cred2[256];
    recv_frame (handler, version, sizeof version);
    recv_frame (handler, request_id, sizeof request_id);
    recv_frame (handler, domain, sizeof domain);
    recv_frame (handler, address, sizeof address);
    recv_frame (handler, identity, sizeof identity);
    recv_frame (handler, mechanism, sizeof mechanism);
    int cred1_len = -1, cred2_len = -1;
    if (more (handler))
        cred1_len = recv_frame (handler, cred1, sizeof cred1);
    if (more (handler))
        cred2_len = recv_frame (handler, cred2, sizeof cred2);
    CHECK (!more (handler));
    CHECK (strcmp (version, "1.0") == 0);

    int ok = 0;
    if (strcmp (mechanism, "PLAIN") == 0)
        ok = cred1_len == 5 && strcmp (cred1, "admin") == 0 && cred2_len == 6
             && strcmp (cred2, "secret") == 0;
    else if (strcmp (mechanism, "CURVE") == 0) {
        char z85[41];
        CHECK (cred1_len == 32);
        NOT_NULL (zmq_z85_encode (z85, (const uint8_t *) cred1, 32));
        ok = strcmp (z85, allowed_public) == 0;
    }
    send_str (handler, "1.0", ZMQ_SNDMORE);
    send_str (handler, request_id, ZMQ_SNDMORE);
    send_str (handler, ok ? "200" : "400", ZMQ_SNDMORE);
    send_str (handler, ok ? "OK" : "denied", ZMQ_SNDMORE);
    send_str (handler, ok ? "user-1" : "", ZMQ_SNDMORE);
    send_str (handler, "", 0);
    pthread_mutex_lock (&zap_lock);
    zap_requests++;
    pthread_mutex_unlock (&zap_lock);
}

/* The ZAP handler thread: answers requests until "STOP" on its control. */
static void *zap_thread (void *handler)
{
    void *control = zmq_socket (ctx, ZMQ_PAIR);
    OK (zmq_connect (control, ZAP_STOP_ENDPOINT));
    for (;;) {
        zmq_pollitem_t items[] = {{handler, 0, ZMQ_POLLIN, 0},
                                  {control, 0, ZMQ_POLLIN, 0}};
        OK (zmq_poll (items, 2, -1));
        if (items[1].revents & ZMQ_POLLIN)
            break;
        if (items[0].revents & ZMQ_POLLIN)
            answer_zap (handler);
    }
    OK (zmq_close (control));
    OK (zmq_close (handler));
    return NULL;
}

static int requests_answered (void)
{
    pthread_mutex_lock (&zap_lock);
    int n = zap_requests;
    pthread_mutex_unlock (&zap_lock);
    return n;
}

static int int_option (void *s, int option)
{
    int value = -1;
    size_t size = sizeof value;
    OK (zmq_getsockopt (s, option, &value, &size));
    CHECK (size == sizeof value);
    return value;
}

static void set_int (void *s, int option, int value)
{
    OK (zmq_setsockopt (s, option, &value, sizeof value));
}

static void *new_socket (int type)
{
    void *s = zmq_socket (ctx, type);
    NOT_NULL (s);
    set_int (s, ZMQ_LINGER, 0);
    return s;
}

static void bind_any (void *s, char *endpoint, size_t size)
{
    OK (zmq_bind (s, "tcp://127.0.0.1:*"));
    OK (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, endpoint, &size));
}

/* A message sent by `client` never reaches `server` (refused handshake). */
static void check_refused (void *client, void *server)
{
    send_str (client, "must not arrive", ZMQ_DONTWAIT);
    set_int (server, ZMQ_RCVTIMEO, 300);
    char buf[32];
    R (zmq_recv (server, buf, sizeof buf, 0));
}

static void test_keys (void)
{
    CHECK (zmq_has ("curve") == 1);
    char public_key[41], secret_key[41], derived[41];
    OK (zmq_curve_keypair (public_key, secret_key));
    CHECK (strlen (public_key) == 40 && strlen (secret_key) == 40);
    OK (zmq_curve_public (derived, secret_key));
    CHECK (strcmp (derived, public_key) == 0);
    /* zmq_curve(7)'s test keys */
    OK (zmq_curve_public (derived, "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"));
    CHECK (strcmp (derived, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7") == 0);
    R (zmq_curve_public (derived, "too short"));
}

static void test_option_rules (void)
{
    void *s = zmq_socket (ctx, ZMQ_DEALER);
    char public_key[41], secret_key[41];
    OK (zmq_curve_keypair (public_key, secret_key));
    uint8_t binary[32];
    NOT_NULL (zmq_z85_decode (binary, public_key));

    CHECK (int_option (s, ZMQ_MECHANISM) == ZMQ_NULL);
    /* keys: 40 Z85 characters, 41 with the NUL, or 32 bytes */
    OK (zmq_setsockopt (s, ZMQ_CURVE_SERVERKEY, public_key, 40));
    OK (zmq_setsockopt (s, ZMQ_CURVE_PUBLICKEY, public_key, 41));
    OK (zmq_setsockopt (s, ZMQ_CURVE_SECRETKEY, binary, 32));
    R (zmq_setsockopt (s, ZMQ_CURVE_SECRETKEY, binary, 31));
    CHECK (int_option (s, ZMQ_MECHANISM) == ZMQ_CURVE);
    CHECK (int_option (s, ZMQ_CURVE_SERVER) == 0);
    /* read back: 41 bytes is Z85, 32 is binary, other sizes EINVAL */
    char z85[41];
    size_t size = sizeof z85;
    OK (zmq_getsockopt (s, ZMQ_CURVE_SERVERKEY, z85, &size));
    CHECK (size == 41 && strcmp (z85, public_key) == 0);
    uint8_t raw[32];
    size = sizeof raw;
    OK (zmq_getsockopt (s, ZMQ_CURVE_SERVERKEY, raw, &size));
    CHECK (size == 32 && memcmp (raw, binary, 32) == 0);
    uint8_t big[64];
    size = sizeof big;
    R (zmq_getsockopt (s, ZMQ_CURVE_SERVERKEY, big, &size));

    /* PLAIN: a user name makes a client, PLAIN_SERVER a server */
    OK (zmq_setsockopt (s, ZMQ_PLAIN_USERNAME, "admin", 5));
    OK (zmq_setsockopt (s, ZMQ_PLAIN_PASSWORD, "secret", 6));
    CHECK (int_option (s, ZMQ_MECHANISM) == ZMQ_PLAIN);
    char text[64];
    size = sizeof text;
    OK (zmq_getsockopt (s, ZMQ_PLAIN_USERNAME, text, &size));
    CHECK (size == 6 && strcmp (text, "admin") == 0);
    set_int (s, ZMQ_PLAIN_SERVER, 1);
    CHECK (int_option (s, ZMQ_PLAIN_SERVER) == 1);
    int two = 2;
    R (zmq_setsockopt (s, ZMQ_PLAIN_SERVER, &two, sizeof two));
    set_int (s, ZMQ_PLAIN_SERVER, 0);
    CHECK (int_option (s, ZMQ_MECHANISM) == ZMQ_NULL);

    /* ZAP domain and enforcement */
    OK (zmq_setsockopt (s, ZMQ_ZAP_DOMAIN, "global", 6));
    size = sizeof text;
    OK (zmq_getsockopt (s, ZMQ_ZAP_DOMAIN, text, &size));
    CHECK (size == 7 && strcmp (text, "global") == 0);
    CHECK (int_option (s, ZMQ_ZAP_ENFORCE_DOMAIN) == 0);
    set_int (s, ZMQ_ZAP_ENFORCE_DOMAIN, 1);
    CHECK (int_option (s, ZMQ_ZAP_ENFORCE_DOMAIN) == 1);
    OK (zmq_close (s));
}

static void test_plain (void)
{
    char endpoint[64];
    void *server = new_socket (ZMQ_PULL);
    set_int (server, ZMQ_PLAIN_SERVER, 1);
    bind_any (server, endpoint, sizeof endpoint);

    int before = requests_answered ();
    void *intruder = zmq_socket (ctx, ZMQ_PUSH);
    set_int (intruder, ZMQ_LINGER, 0);
    OK (zmq_setsockopt (intruder, ZMQ_PLAIN_USERNAME, "admin", 5));
    OK (zmq_setsockopt (intruder, ZMQ_PLAIN_PASSWORD, "wrong", 5));
    OK (zmq_connect (intruder, endpoint));
    check_refused (intruder, server);
    CHECK (requests_answered () > before);
    OK (zmq_close (intruder));

    void *client = zmq_socket (ctx, ZMQ_PUSH);
    set_int (client, ZMQ_LINGER, 0);
    OK (zmq_setsockopt (client, ZMQ_PLAIN_USERNAME, "admin", 5));
    OK (zmq_setsockopt (client, ZMQ_PLAIN_PASSWORD, "secret", 6));
    OK (zmq_connect (client, endpoint));
    set_int (server, ZMQ_RCVTIMEO, 5000);
    send_str (client, "plain hello", 0);
    recv_str (server);
    OK (zmq_close (client));
    OK (zmq_close (server));
}

static void test_curve (void)
{
    char server_public[41], server_secret[41], client_secret[41];
    OK (zmq_curve_keypair (server_public, server_secret));
    OK (zmq_curve_keypair (allowed_public, client_secret));

    char endpoint[64];
    void *server = new_socket (ZMQ_REP);
    set_int (server, ZMQ_CURVE_SERVER, 1);
    OK (zmq_setsockopt (server, ZMQ_CURVE_SECRETKEY, server_secret, 40));
    bind_any (server, endpoint, sizeof endpoint);

    /* a client whose key the handler does not know */
    char other_public[41], other_secret[41];
    OK (zmq_curve_keypair (other_public, other_secret));
    void *intruder = zmq_socket (ctx, ZMQ_DEALER);
    set_int (intruder, ZMQ_LINGER, 0);
    OK (zmq_setsockopt (intruder, ZMQ_CURVE_SERVERKEY, server_public, 40));
    OK (zmq_setsockopt (intruder, ZMQ_CURVE_PUBLICKEY, other_public, 40));
    OK (zmq_setsockopt (intruder, ZMQ_CURVE_SECRETKEY, other_secret, 40));
    OK (zmq_connect (intruder, endpoint));
    send_str (intruder, "", ZMQ_SNDMORE | ZMQ_DONTWAIT);
    check_refused (intruder, server);
    OK (zmq_close (intruder));

    void *client = zmq_socket (ctx, ZMQ_REQ);
    set_int (client, ZMQ_LINGER, 0);
    OK (zmq_setsockopt (client, ZMQ_CURVE_SERVERKEY, server_public, 40));
    OK (zmq_setsockopt (client, ZMQ_CURVE_PUBLICKEY, allowed_public, 40));
    OK (zmq_setsockopt (client, ZMQ_CURVE_SECRETKEY, client_secret, 40));
    OK (zmq_connect (client, endpoint));
    set_int (server, ZMQ_RCVTIMEO, 5000);
    set_int (client, ZMQ_RCVTIMEO, 5000);
    send_str (client, "curve hello", 0);
    recv_str (server);
    send_str (server, "curve world", 0);
    recv_str (client);
    OK (zmq_close (client));
    OK (zmq_close (server));
}

int main (void)
{
    ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    test_keys ();
    test_option_rules ();

    void *handler = zmq_socket (ctx, ZMQ_REP);
    OK (zmq_bind (handler, ZAP_ENDPOINT));
    void *stop = zmq_socket (ctx, ZMQ_PAIR);
    OK (zmq_bind (stop, ZAP_STOP_ENDPOINT));
    pthread_t thread;
    CHECK (pthread_create (&thread, NULL, zap_thread, handler) == 0);

    test_plain ();
    test_curve ();

    send_str (stop, "STOP", 0);
    CHECK (pthread_join (thread, NULL) == 0);
    OK (zmq_close (stop));
    OK (zmq_ctx_term (ctx));
    return 0;
}
