/* Errors: errno set in the C library too, zmq_strerror texts, EAGAIN,
 * EFSM, ENOTSUP, ETERM for a call blocked when the context is terminated
 * or after shutdown. Prints what it observes. */
#define ZMQ_BUILD_DRAFT_API /* ZMQ_CLIENT, zmq_ppoll */
#include "testutil.h"
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

static volatile sig_atomic_t alarms = 0;
static void on_alarm (int sig)
{
    (void) sig;
    alarms++;
}

/* Arms a one-shot SIGALRM in `ms`, its handler installed without
 * SA_RESTART, so a blocking call is interrupted. */
static void alarm_in (int ms)
{
    struct sigaction action;
    memset (&action, 0, sizeof action);
    action.sa_handler = on_alarm;
    sigemptyset (&action.sa_mask);
    sigaction (SIGALRM, &action, NULL);
    struct itimerval timer;
    memset (&timer, 0, sizeof timer);
    timer.it_value.tv_sec = ms / 1000;
    timer.it_value.tv_usec = (ms % 1000) * 1000;
    setitimer (ITIMER_REAL, &timer, NULL);
}

static void *blocked_socket;
static int blocked_rc;
static int blocked_errno;

static void *receive_until_term (void *arg)
{
    (void) arg;
    char buf[8];
    blocked_rc = zmq_recv (blocked_socket, buf, sizeof buf, 0);
    blocked_errno = blocked_rc == -1 ? zmq_errno () : 0;
    int linger = 0;
    zmq_setsockopt (blocked_socket, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close (blocked_socket);
    return NULL;
}

int main (void)
{
    SECTION ("zmq_strerror");
    int codes[] = {0, EPERM, ENOENT, EINTR, EAGAIN, ENOMEM, EFAULT, EINVAL,
                   EMFILE, ENOTSUP, EPROTONOSUPPORT, ENOBUFS, ENETDOWN,
                   EADDRINUSE, EADDRNOTAVAIL, ECONNREFUSED, EINPROGRESS,
                   ENOTSOCK, EMSGSIZE, EAFNOSUPPORT, ENETUNREACH,
                   ECONNABORTED, ECONNRESET, ENOTCONN, ETIMEDOUT,
                   EHOSTUNREACH, ENETRESET, EFSM, ENOCOMPATPROTO, ETERM,
                   EMTHREAD, ZMQ_HAUSNUMERO, ZMQ_HAUSNUMERO + 50, 99999, -1};
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
        const char *text = zmq_strerror (codes[i]);
        say ("zmq_strerror (%s) = \"%s\"", errno_name (codes[i]), text ? text : "(null)");
    }
    VI (ZMQ_HAUSNUMERO);
    VI (EFSM - ZMQ_HAUSNUMERO);
    VI (ENOCOMPATPROTO - ZMQ_HAUSNUMERO);
    VI (ETERM - ZMQ_HAUSNUMERO);
    VI (EMTHREAD - ZMQ_HAUSNUMERO);

    void *ctx = zmq_ctx_new ();
    NOT_NULL (ctx);

    SECTION ("EAGAIN in both errno and zmq_errno");
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    R (zmq_bind (pull, "inproc://errors"));
    char buf[8];
    R (zmq_recv (pull, buf, sizeof buf, ZMQ_DONTWAIT));
    int timeout = 20;
    R (zmq_setsockopt (pull, ZMQ_RCVTIMEO, &timeout, sizeof timeout));
    R (zmq_recv (pull, buf, sizeof buf, 0));
    zmq_msg_t msg;
    R (zmq_msg_init (&msg));
    R (zmq_msg_recv (&msg, pull, ZMQ_DONTWAIT));
    R (zmq_msg_close (&msg));
    /* zmq_errno is what the last failing call left */
    R (zmq_send (pull, "x", 1, 0));
    VS (errno_name (zmq_errno ()));
    R (zmq_close (pull));
    /* zmq_errno () is errno: cleared by the caller, cleared for it */
    errno = 0;
    VS (errno_name (zmq_errno ()));
    errno = EINTR;
    VS (errno_name (zmq_errno ()));
    errno = 0;

    SECTION ("EFSM");
    void *rep = zmq_socket (ctx, ZMQ_REP);
    R (zmq_send (rep, "x", 1, 0));
    R (zmq_send (rep, "x", 1, ZMQ_DONTWAIT));
    R (zmq_close (rep));
    void *req = zmq_socket (ctx, ZMQ_REQ);
    R (zmq_recv (req, buf, sizeof buf, ZMQ_DONTWAIT));
    R (zmq_close (req));

    SECTION ("ENOTSUP by socket type");
    const int types[] = {ZMQ_PUB, ZMQ_SUB, ZMQ_PUSH, ZMQ_PULL, ZMQ_XPUB, ZMQ_XSUB};
    const char *names[] = {"PUB", "SUB", "PUSH", "PULL", "XPUB", "XSUB"};
    for (int i = 0; i < 6; i++) {
        void *s = zmq_socket (ctx, types[i]);
        errno = 0;
        int sent = zmq_send (s, "x", 1, ZMQ_DONTWAIT);
        int send_errno = errno;
        errno = 0;
        int got = zmq_recv (s, buf, sizeof buf, ZMQ_DONTWAIT);
        int recv_errno = errno;
        say ("%s: send -> %d %s, recv -> %d %s", names[i], sent,
             sent < 0 ? errno_name (send_errno) : "", got,
             got < 0 ? errno_name (recv_errno) : "");
        zmq_close (s);
    }

    SECTION ("EINTR: a signal interrupts blocking calls");
    void *quiet = zmq_socket (ctx, ZMQ_PULL);
    R (zmq_bind (quiet, "inproc://errors-eintr"));
    set_int (quiet, ZMQ_RCVTIMEO, 3000);
    alarm_in (200);
    R (zmq_recv (quiet, buf, sizeof buf, 0));
    VI (alarms);
    zmq_pollitem_t quiet_item = {quiet, 0, ZMQ_POLLIN, 0};
    alarm_in (200);
    R (zmq_poll (&quiet_item, 1, 3000));
    VI (alarms);
    /* a send blocked by the high-water mark */
    void *full = zmq_socket (ctx, ZMQ_PUSH);
    set_int (full, ZMQ_SNDHWM, 1);
    set_int (full, ZMQ_SNDTIMEO, 3000);
    void *slow = zmq_socket (ctx, ZMQ_PULL);
    set_int (slow, ZMQ_RCVHWM, 1);
    R (zmq_bind (slow, "inproc://errors-eintr-full"));
    R (zmq_connect (full, "inproc://errors-eintr-full"));
    int queued = 0;
    while (queued < 100 && zmq_send (full, "x", 1, ZMQ_DONTWAIT) == 1)
        queued++;
    say ("queued before EAGAIN: %d", queued);
    alarm_in (200);
    R (zmq_send (full, "x", 1, 0));
    VI (alarms);
    /* a thread-safe socket (CLIENT) is not interrupted: libzmq's wait on
     * a condition variable, and it waits out its timeout */
    void *lone_client = zmq_socket (ctx, ZMQ_CLIENT);
    set_int (lone_client, ZMQ_RCVTIMEO, 500);
    alarm_in (200);
    R (zmq_recv (lone_client, buf, sizeof buf, 0));
    VI (alarms);
    R (zmq_close (lone_client));
    /* zmq_ppoll: SIGALRM blocked, except while it waits */
    sigset_t alrm, without_alrm;
    sigemptyset (&alrm);
    sigaddset (&alrm, SIGALRM);
    sigprocmask (SIG_BLOCK, &alrm, &without_alrm);
    sigdelset (&without_alrm, SIGALRM);
    alarm_in (200);
    R (zmq_ppoll (&quiet_item, 1, 3000, &without_alrm));
    VI (alarms);
    sigprocmask (SIG_UNBLOCK, &alrm, NULL);
    alarm_in (0); /* disarmed, in case nothing waited for it */
    signal (SIGALRM, SIG_IGN);
    set_int (full, ZMQ_LINGER, 0);
    R (zmq_close (full));
    R (zmq_close (slow));
    R (zmq_close (quiet));

    SECTION ("ETERM: a receive blocked in another thread");
    blocked_socket = zmq_socket (ctx, ZMQ_PULL);
    R (zmq_bind (blocked_socket, "inproc://blocked"));
    pthread_t thread;
    SETUP (pthread_create (&thread, NULL, receive_until_term, NULL) == 0);
    R (zmq_ctx_term (ctx));
    SETUP (pthread_join (thread, NULL) == 0);
    say ("blocked recv -> %d %s", blocked_rc, errno_name (blocked_errno));

    SECTION ("after shutdown, a live socket");
    ctx = zmq_ctx_new ();
    void *s = zmq_socket (ctx, ZMQ_PAIR);
    void *t = zmq_socket (ctx, ZMQ_PAIR);
    R (zmq_bind (s, "inproc://before"));
    R (zmq_ctx_shutdown (ctx));
    /* options fail only once the socket has seen the stop: a call that
     * processes its commands comes first */
    int before = 2;
    R (zmq_setsockopt (s, ZMQ_LINGER, &before, sizeof before));
    R (zmq_recv (s, buf, sizeof buf, 0));
    R (zmq_recv (s, buf, sizeof buf, ZMQ_DONTWAIT));
    R (zmq_send (s, "x", 1, 0));
    R (zmq_connect (s, "inproc://after"));
    R (zmq_bind (s, "inproc://after"));
    R (zmq_unbind (s, "inproc://before"));
    int value = 1;
    R (zmq_setsockopt (s, ZMQ_LINGER, &value, sizeof value));
    size_t size = sizeof value;
    R (zmq_getsockopt (s, ZMQ_LINGER, &value, &size));
    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    R (zmq_poll (&item, 1, 100));
    R (zmq_close (s));
    R (zmq_close (t));
    R (zmq_ctx_term (ctx));
    say ("done");
    return 0;
}
