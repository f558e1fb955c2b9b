/* Sending and receiving over inproc, tcp and ipc: single parts,
 * truncation, multipart with ZMQ_RCVMORE, REQ/REP, DEALER/ROUTER,
 * PUB/SUB, PUSH/PULL fair queueing, DONTWAIT, send on the wrong socket
 * types. Prints what it observes. */
#include "testutil.h"

static int rcvmore (void *s)
{
    return get_int (s, ZMQ_RCVMORE);
}

/* A fresh endpoint for each pair: `base` with a counter for inproc and
 * ipc (libzmq releases names asynchronously, after close returns). */
static const char *fresh (const char *base)
{
    static char buf[256];
    static int counter = 0;
    if (strncmp (base, "tcp://", 6) == 0)
        return base;
    snprintf (buf, sizeof buf, "%s-%d", base, ++counter);
    return buf;
}

/* A bound and a connected socket of the given types on `endpoint`
 * (wildcards resolved through ZMQ_LAST_ENDPOINT). */
static void pair_up (void *ctx, int bind_type, int connect_type,
                     const char *endpoint, void **bound, void **connected)
{
    *bound = zmq_socket (ctx, bind_type);
    *connected = zmq_socket (ctx, connect_type);
    NOT_NULL (*bound);
    NOT_NULL (*connected);
    set_int (*bound, ZMQ_RCVTIMEO, 5000);
    set_int (*connected, ZMQ_RCVTIMEO, 5000);
    set_int (*bound, ZMQ_LINGER, 0);
    set_int (*connected, ZMQ_LINGER, 0);
    SETUP_OK (zmq_bind (*bound, fresh (endpoint)));
    char resolved[256];
    last_endpoint (*bound, resolved, sizeof resolved);
    SETUP_OK (zmq_connect (*connected, resolved));
}

static void exchange (void *ctx, const char *endpoint)
{
    SECTION ("PAIR exchange");
    void *a, *b;
    pair_up (ctx, ZMQ_PAIR, ZMQ_PAIR, endpoint, &a, &b);

    send_str (b, "hello", 0);
    recv_str (a);

    /* truncation: the full size is returned */
    send_str (a, "0123456789", 0);
    char small[4];
    R (zmq_recv (b, small, sizeof small, 0));
    say ("truncated bytes: \"%s\"", printable (small, sizeof small));
    R (rcvmore (b));
    /* a zero-size buffer */
    send_str (a, "xyz", 0);
    R (zmq_recv (b, small, 0, 0));

    /* multipart with an empty part */
    send_str (b, "one", ZMQ_SNDMORE);
    R (zmq_send (b, NULL, 0, ZMQ_SNDMORE));
    send_str (b, "three", 0);
    recv_str (a);
    recv_str (a);
    recv_str (a);
    R (rcvmore (a));

    /* a large message through zmq_msg_* */
    zmq_msg_t big;
    SETUP_OK (zmq_msg_init_size (&big, 100000));
    memset (zmq_msg_data (&big), 'x', 100000);
    R (zmq_msg_send (&big, a, 0));
    R (zmq_msg_size (&big));
    R (zmq_msg_close (&big));
    zmq_msg_t got;
    SETUP_OK (zmq_msg_init (&got));
    R (zmq_msg_recv (&got, b, 0));
    int all_x = zmq_msg_size (&got) == 100000;
    for (size_t i = 0; all_x && i < 100000; i++)
        all_x = ((char *) zmq_msg_data (&got))[i] == 'x';
    CHECK (all_x);
    R (zmq_msg_more (&got));
    R (zmq_msg_close (&got));

    /* many small messages keep their order */
    int in_order = 1;
    for (int i = 0; i < 200; i++) {
        char text[16];
        snprintf (text, sizeof text, "m%d", i);
        if (zmq_send (b, text, strlen (text), 0) != (int) strlen (text))
            in_order = 0;
    }
    for (int i = 0; i < 200 && in_order; i++) {
        char want[16], buf[16];
        snprintf (want, sizeof want, "m%d", i);
        int rc = zmq_recv (a, buf, sizeof buf, 0);
        in_order = rc == (int) strlen (want) && memcmp (buf, want, (size_t) rc) == 0;
    }
    say ("200 messages in order: %s", in_order ? "yes" : "no");

    /* nothing waiting */
    R (zmq_recv (a, small, sizeof small, ZMQ_DONTWAIT));
    /* an unknown flag is ignored or refused */
    send_str (a, "flags", 64);
    R (zmq_recv (b, small, sizeof small, 64));
    R (zmq_close (a));
    R (zmq_close (b));
}

static void req_rep (void *ctx, const char *endpoint)
{
    SECTION ("REQ/REP");
    void *rep, *req;
    pair_up (ctx, ZMQ_REP, ZMQ_REQ, endpoint, &rep, &req);
    int answered = 0;
    for (int i = 0; i < 10; i++) {
        char buf[16];
        if (zmq_send (req, "question", 8, 0) == 8 && zmq_recv (rep, buf, sizeof buf, 0) == 8
            && zmq_send (rep, "answer", 6, 0) == 6 && zmq_recv (req, buf, sizeof buf, 0) == 6)
            answered++;
    }
    say ("answered: %d of 10", answered);
    /* lockstep */
    char buf[16];
    R (zmq_recv (req, buf, sizeof buf, ZMQ_DONTWAIT));
    send_str (req, "again", 0);
    send_str (req, "x", 0);
    R (zmq_send (rep, "x", 1, 0));
    recv_str (rep);
    R (zmq_recv (rep, buf, sizeof buf, ZMQ_DONTWAIT));
    send_str (rep, "two", ZMQ_SNDMORE);
    send_str (rep, "parts", 0);
    recv_str (req);
    recv_str (req);
    R (zmq_recv (req, buf, sizeof buf, ZMQ_DONTWAIT));
    R (zmq_close (rep));
    R (zmq_close (req));
}

static void dealer_router (void *ctx, const char *endpoint)
{
    SECTION ("DEALER/ROUTER");
    void *router, *dealer;
    router = zmq_socket (ctx, ZMQ_ROUTER);
    dealer = zmq_socket (ctx, ZMQ_DEALER);
    set_int (router, ZMQ_RCVTIMEO, 5000);
    set_int (dealer, ZMQ_RCVTIMEO, 5000);
    set_int (router, ZMQ_LINGER, 0);
    set_int (dealer, ZMQ_LINGER, 0);
    R (zmq_setsockopt (dealer, ZMQ_ROUTING_ID, "dealer-1", 8));
    R (zmq_bind (router, fresh (endpoint)));
    char resolved[256];
    last_endpoint (router, resolved, sizeof resolved);
    R (zmq_connect (dealer, resolved));
    send_str (dealer, "first", ZMQ_SNDMORE);
    send_str (dealer, "second", 0);
    recv_str (router);
    recv_str (router);
    recv_str (router);
    send_str (router, "dealer-1", ZMQ_SNDMORE);
    send_str (router, "reply", 0);
    recv_str (dealer);
    /* an unknown peer: dropped silently, or EHOSTUNREACH when mandatory */
    send_str (router, "nobody", ZMQ_SNDMORE);
    send_str (router, "lost", 0);
    set_int (router, ZMQ_ROUTER_MANDATORY, 1);
    send_str (router, "nobody", ZMQ_SNDMORE);
    send_str (router, "dealer-1", ZMQ_SNDMORE);
    send_str (router, "kept", 0);
    recv_str (dealer);
    char buf[16];
    R (zmq_recv (dealer, buf, sizeof buf, ZMQ_DONTWAIT));
    R (zmq_close (router));
    R (zmq_close (dealer));
}

static void pub_sub (void *ctx, const char *endpoint)
{
    SECTION ("PUB/SUB");
    void *pub, *sub;
    pair_up (ctx, ZMQ_PUB, ZMQ_SUB, endpoint, &pub, &sub);
    R (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "news", 4));
    /* the subscription travels asynchronously: publish until one arrives */
    zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
    int arrived = 0;
    for (int i = 0; i < 500 && arrived == 0; i++) {
        zmq_send (pub, "weather ignored", 15, 0);
        zmq_send (pub, "news flash", 10, 0);
        arrived = zmq_poll (&item, 1, 10);
    }
    say ("arrived: %d", arrived);
    recv_str (sub);
    /* drain the copies of the probe, then one more of each */
    char buf[32];
    while (zmq_recv (sub, buf, sizeof buf, ZMQ_DONTWAIT) >= 0) {
    }
    send_str (pub, "weather", 0);
    send_str (pub, "news", ZMQ_SNDMORE);
    send_str (pub, "more", 0);
    send_str (pub, "newsletter", 0);
    recv_str (sub);
    recv_str (sub);
    recv_str (sub);
    R (zmq_recv (sub, buf, sizeof buf, ZMQ_DONTWAIT));
    R (zmq_send (sub, "x", 1, 0));
    R (zmq_recv (pub, buf, sizeof buf, ZMQ_DONTWAIT));
    R (zmq_close (pub));
    R (zmq_close (sub));
}

static void push_pull (void *ctx, const char *endpoint)
{
    SECTION ("PUSH to two PULL");
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    void *pull1 = zmq_socket (ctx, ZMQ_PULL);
    void *pull2 = zmq_socket (ctx, ZMQ_PULL);
    set_int (push, ZMQ_LINGER, 0);
    set_int (pull1, ZMQ_RCVTIMEO, 5000);
    set_int (pull2, ZMQ_RCVTIMEO, 5000);
    R (zmq_bind (push, fresh (endpoint)));
    char resolved[256];
    last_endpoint (push, resolved, sizeof resolved);
    R (zmq_connect (pull1, resolved));
    R (zmq_connect (pull2, resolved));
    /* wait until both are connected: each gets one probe */
    char buf[16];
    zmq_pollitem_t items[] = {{pull1, 0, ZMQ_POLLIN, 0}, {pull2, 0, ZMQ_POLLIN, 0}};
    int got1 = 0, got2 = 0;
    for (int i = 0; i < 500 && !(got1 && got2); i++) {
        if (zmq_send (push, "probe", 5, ZMQ_DONTWAIT) < 0)
            zmq_poll (NULL, 0, 10);
        while (zmq_recv (pull1, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
            got1 = 1;
        while (zmq_recv (pull2, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
            got2 = 1;
        if (!(got1 && got2))
            zmq_poll (items, 2, 10);
    }
    say ("both connected: %s", got1 && got2 ? "yes" : "no");
    while (zmq_poll (items, 2, 100) > 0) {
        while (zmq_recv (pull1, buf, sizeof buf, ZMQ_DONTWAIT) >= 0) {
        }
        while (zmq_recv (pull2, buf, sizeof buf, ZMQ_DONTWAIT) >= 0) {
        }
    }
    for (int i = 0; i < 10; i++)
        zmq_send (push, "job", 3, 0);
    int n1 = 0, n2 = 0;
    for (int i = 0; i < 10; i++) {
        if (zmq_poll (items, 2, 2000) <= 0)
            break;
        while (zmq_recv (pull1, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
            n1++;
        while (zmq_recv (pull2, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
            n2++;
        if (n1 + n2 == 10)
            break;
    }
    say ("jobs: %d in total, each PULL got 5: %s", n1 + n2, n1 == 5 && n2 == 5 ? "yes" : "no");
    R (zmq_recv (push, buf, sizeof buf, ZMQ_DONTWAIT));
    R (zmq_send (pull1, "x", 1, ZMQ_DONTWAIT));
    R (zmq_close (push));
    R (zmq_close (pull1));
    R (zmq_close (pull2));
}


static void *sock (void *ctx, int type)
{
    void *s = zmq_socket (ctx, type);
    NOT_NULL (s);
    set_int (s, ZMQ_RCVTIMEO, 2000);
    set_int (s, ZMQ_SNDTIMEO, 2000);
    set_int (s, ZMQ_LINGER, 0);
    return s;
}

/* Receives every message waiting (up to 100 parts), printing each part. */
static void drain (const char *who, void *s)
{
    char buf[64];
    int parts = 0;
    for (;;) {
        errno = 0;
        int rc = zmq_recv (s, buf, sizeof buf, ZMQ_DONTWAIT);
        if (rc < 0 || parts++ >= 100)
            break;
        size_t shown = rc < (int) sizeof buf ? (size_t) rc : sizeof buf;
        say ("%s: %d \"%s\"%s", who, rc, printable (buf, shown),
             get_int (s, ZMQ_RCVMORE) ? " more" : "");
    }
    say ("%s: nothing more (%d parts)", who, parts > 100 ? 100 : parts);
}

static void xpub_xsub (void *ctx)
{
    SECTION ("XPUB/XSUB subscriptions (inproc)");
    void *xpub = sock (ctx, ZMQ_XPUB);
    void *xsub = sock (ctx, ZMQ_XSUB);
    void *sub = sock (ctx, ZMQ_SUB);
    R (zmq_setsockopt (xpub, ZMQ_XPUB_WELCOME_MSG, "welcome", 7));
    R (zmq_bind (xpub, "inproc://sr-xpub"));
    R (zmq_connect (xsub, "inproc://sr-xpub"));
    R (zmq_connect (sub, "inproc://sr-xpub"));
    /* XSUB subscribes by sending \x01topic */
    R (zmq_send (xsub, "\x01" "abc", 4, 0));
    R (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "abc", 3));
    recv_str (xpub);
    drain ("xpub", xpub);
    /* the welcome message went to the SUB only if it subscribed to it */
    drain ("xsub", xsub);
    drain ("sub", sub);
    /* verbose: duplicate subscriptions are passed on */
    set_int (xpub, ZMQ_XPUB_VERBOSE, 1);
    R (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "abc", 3));
    recv_str (xpub);
    drain ("xpub", xpub);
    send_str (xpub, "abcdef", 0);
    send_str (xpub, "xyz", 0);
    recv_str (xsub);
    recv_str (sub);
    drain ("xsub", xsub);
    drain ("sub", sub);
    /* unsubscribing: the last one is passed on */
    R (zmq_send (xsub, "\x00" "abc", 4, 0));
    R (zmq_setsockopt (sub, ZMQ_UNSUBSCRIBE, "abc", 3));
    R (zmq_setsockopt (sub, ZMQ_UNSUBSCRIBE, "abc", 3));
    recv_str (xpub);
    drain ("xpub", xpub);
    /* a non-subscription message from XSUB reaches XPUB as is */
    R (zmq_send (xsub, "plain", 5, 0));
    recv_str (xpub);
    /* invert matching */
    void *inverted = sock (ctx, ZMQ_SUB);
    set_int (inverted, ZMQ_INVERT_MATCHING, 1);
    R (zmq_setsockopt (inverted, ZMQ_SUBSCRIBE, "abc", 3));
    R (zmq_connect (inverted, "inproc://sr-xpub"));
    recv_str (xpub);
    send_str (xpub, "abcdef", 0);
    send_str (xpub, "xyz", 0);
    drain ("inverted", inverted);
    R (zmq_close (inverted));
    R (zmq_close (sub));
    R (zmq_close (xsub));
    R (zmq_close (xpub));
}

static void hwm_and_conflate (void *ctx)
{
    SECTION ("PUB drops at the high-water mark (inproc)");
    void *pub = sock (ctx, ZMQ_PUB);
    void *sub = sock (ctx, ZMQ_SUB);
    set_int (pub, ZMQ_SNDHWM, 5);
    set_int (sub, ZMQ_RCVHWM, 5);
    R (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0));
    R (zmq_bind (pub, "inproc://sr-hwm"));
    R (zmq_connect (sub, "inproc://sr-hwm"));
    int sent = 0;
    for (int i = 0; i < 50; i++) {
        char text[8];
        snprintf (text, sizeof text, "%d", i);
        if (zmq_send (pub, text, strlen (text), ZMQ_DONTWAIT) > 0)
            sent++;
    }
    say ("sent: %d of 50", sent);
    int got = 0, first = -1, last = -1;
    char buf[8];
    for (int rc; (rc = zmq_recv (sub, buf, sizeof buf - 1, ZMQ_DONTWAIT)) >= 0;) {
        buf[rc] = 0;
        if (first < 0)
            first = atoi (buf);
        last = atoi (buf);
        got++;
    }
    say ("received: %d (first %d, last %d)", got, first, last);
    R (zmq_close (pub));
    R (zmq_close (sub));

    SECTION ("ZMQ_CONFLATE keeps the last message (inproc)");
    void *push = sock (ctx, ZMQ_PUSH);
    void *pull = sock (ctx, ZMQ_PULL);
    set_int (pull, ZMQ_CONFLATE, 1);
    R (zmq_bind (pull, "inproc://sr-conflate"));
    R (zmq_connect (push, "inproc://sr-conflate"));
    send_str (push, "one", 0);
    send_str (push, "two", 0);
    send_str (push, "three", 0);
    recv_str (pull);
    R (zmq_recv (pull, buf, sizeof buf, ZMQ_DONTWAIT));
    R (zmq_send (push, "a", 1, ZMQ_SNDMORE));
    R (zmq_close (push));
    R (zmq_close (pull));
}

static void router_features (void *ctx)
{
    SECTION ("ZMQ_PROBE_ROUTER, ZMQ_ROUTER_HANDOVER, REQ options (inproc)");
    void *router = sock (ctx, ZMQ_ROUTER);
    R (zmq_bind (router, "inproc://sr-router"));
    void *prober = sock (ctx, ZMQ_DEALER);
    R (zmq_setsockopt (prober, ZMQ_ROUTING_ID, "prober", 6));
    set_int (prober, ZMQ_PROBE_ROUTER, 1);
    R (zmq_connect (prober, "inproc://sr-router"));
    recv_str (router);
    recv_str (router);
    drain ("router", router);
    /* a second peer with the same routing id: refused unless handover */
    void *twin = sock (ctx, ZMQ_DEALER);
    R (zmq_setsockopt (twin, ZMQ_ROUTING_ID, "prober", 6));
    R (zmq_connect (twin, "inproc://sr-router"));
    send_str (twin, "from twin", 0);
    set_int (router, ZMQ_RCVTIMEO, 300);
    recv_str (router);
    drain ("router", router);
    R (zmq_close (twin));
    set_int (router, ZMQ_ROUTER_HANDOVER, 1);
    void *heir = sock (ctx, ZMQ_DEALER);
    R (zmq_setsockopt (heir, ZMQ_ROUTING_ID, "prober", 6));
    R (zmq_connect (heir, "inproc://sr-router"));
    send_str (heir, "from heir", 0);
    set_int (router, ZMQ_RCVTIMEO, 2000);
    recv_str (router);
    recv_str (router);
    send_str (router, "prober", ZMQ_SNDMORE);
    send_str (router, "to prober id", 0);
    set_int (heir, ZMQ_RCVTIMEO, 1000);
    recv_str (heir);
    drain ("prober", prober);
    R (zmq_close (heir));
    R (zmq_close (prober));

    /* REQ_RELAXED and REQ_CORRELATE */
    void *req = sock (ctx, ZMQ_REQ);
    set_int (req, ZMQ_REQ_RELAXED, 1);
    set_int (req, ZMQ_REQ_CORRELATE, 1);
    R (zmq_setsockopt (req, ZMQ_ROUTING_ID, "req", 3));
    R (zmq_connect (req, "inproc://sr-router"));
    send_str (req, "first", 0);
    send_str (req, "second", 0);
    /* the router sees [req][request id (4 bytes)][][body] */
    for (int i = 0; i < 2; i++) {
        zmq_msg_t part;
        char line[256] = "router got:";
        int more = 1;
        while (more) {
            zmq_msg_init (&part);
            if (zmq_msg_recv (&part, router, 0) < 0) {
                zmq_msg_close (&part);
                break;
            }
            size_t used = strlen (line);
            snprintf (line + used, sizeof line - used, " [%zu]", zmq_msg_size (&part));
            more = zmq_msg_more (&part);
            zmq_msg_close (&part);
        }
        say ("%s", line);
    }
    R (zmq_close (req));
    R (zmq_close (router));
}

static void stream_socket (void *ctx)
{
    SECTION ("STREAM to STREAM over tcp");
    void *server = sock (ctx, ZMQ_STREAM);
    void *client = sock (ctx, ZMQ_STREAM);
    R (zmq_bind (server, "tcp://127.0.0.1:*"));
    char endpoint[256];
    last_endpoint (server, endpoint, sizeof endpoint);
    R (zmq_connect (client, endpoint));
    /* each side sees a connection notification: [id][empty] */
    zmq_msg_t id;
    zmq_msg_init (&id);
    R (zmq_msg_recv (&id, client, 0) > 0);
    recv_str (client);
    zmq_msg_t server_id;
    zmq_msg_init (&server_id);
    R (zmq_msg_recv (&server_id, server, 0) > 0);
    recv_str (server);
    /* raw bytes, no framing */
    R (zmq_msg_send (&id, client, ZMQ_SNDMORE));
    send_str (client, "raw bytes", 0);
    zmq_msg_t got_id;
    zmq_msg_init (&got_id);
    R (zmq_msg_recv (&got_id, server, 0) > 0);
    recv_str (server);
    /* closing: send the id then an empty frame */
    zmq_msg_t copy;
    zmq_msg_init (&copy);
    zmq_msg_copy (&copy, &server_id);
    R (zmq_msg_send (&copy, server, ZMQ_SNDMORE));
    R (zmq_send (server, "", 0, 0));
    /* libzmq closes the connection when the application next calls into
     * the server socket: keep calling until the client hears of it */
    zmq_pollitem_t pending = {client, 0, ZMQ_POLLIN, 0};
    for (int i = 0; i < 40 && zmq_poll (&pending, 1, 0) == 0; i++) {
        get_int (server, ZMQ_EVENTS);
        zmq_poll (&pending, 1, 50);
    }
    zmq_msg_t gone;
    zmq_msg_init (&gone);
    R (zmq_msg_recv (&gone, client, 0) > 0);
    recv_str (client);
    zmq_msg_close (&gone);
    zmq_msg_close (&copy);
    zmq_msg_close (&got_id);
    zmq_msg_close (&server_id);
    zmq_msg_close (&id);
    R (zmq_send (client, "no id", 5, 0));
    R (zmq_close (client));
    R (zmq_close (server));
}

int main (void)
{
    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);
    char ipc[128];
    snprintf (ipc, sizeof ipc, "ipc:///tmp/zmq-capi-sr-%d", (int) getpid ());

    const char *endpoints[] = {"inproc://sendrecv", "tcp://127.0.0.1:*", ipc};
    for (size_t i = 0; i < sizeof endpoints / sizeof *endpoints; i++) {
        say ("=== %s", masked (endpoints[i]));
        exchange (ctx, endpoints[i]);
        req_rep (ctx, endpoints[i]);
        dealer_router (ctx, endpoints[i]);
        pub_sub (ctx, endpoints[i]);
        push_pull (ctx, endpoints[i]);
    }
    xpub_xsub (ctx);
    hwm_and_conflate (ctx);
    router_features (ctx);
    stream_socket (ctx);
    R (zmq_ctx_term (ctx));
    say ("done");
    return 0;
}
