/* The tipc, vmci and vsock transports through the C API: address syntax
 * and the errors of a kernel without TIPC, of a library without VMCI (the
 * default build, as the control libzmq), and vsock (a libzmq master
 * transport: libzmq 4.3.5 has none). Prints what it observes. */
#include "testutil.h"

int main (void)
{
    void *ctx = zmq_ctx_new ();
    SETUP (ctx != NULL);
    void *rep = zmq_socket (ctx, ZMQ_REP);
    void *req = zmq_socket (ctx, ZMQ_REQ);
    SETUP (rep != NULL && req != NULL);
    int zero = 0;
    R (zmq_setsockopt (rep, ZMQ_LINGER, &zero, sizeof zero));
    R (zmq_setsockopt (req, ZMQ_LINGER, &zero, sizeof zero));

    SECTION ("tipc");
    R (zmq_has ("tipc"));
    /* As libzmq's test_address_tipc. */
    R (zmq_bind (rep, "tipc://<1.2.3:123123>"));
    R (zmq_connect (req, "tipc://<*>"));
    /* Malformed: libzmq's resolve returns EINVAL without setting errno
     * (docs/conformance-differences.md). */
    R (zmq_bind (rep, "tipc://x"));
    R (zmq_connect (req, "tipc://{63,0,0}"));
    /* A kernel without TIPC refuses socket (AF_TIPC, ..); with TIPC these
     * bind (the CI kernel has none). */
    int tipc = zmq_bind (rep, "tipc://{5560,0,0}");
    say ("bind {5560,0,0}: %s", tipc == 0 ? "0" : errno == EAFNOSUPPORT ? "EAFNOSUPPORT" : "other");
    if (tipc == 0)
        zmq_unbind (rep, "tipc://{5560,0,0}");
    /* Connects resolve, then retry in the background. */
    R (zmq_connect (req, "tipc://{5560,0}@0.0.0"));
    R (zmq_connect (req, "tipc://<1.2.3:4>"));
    R (zmq_connect (req, "tipc://{5561,1,2}"));

    SECTION ("vmci");
    R (zmq_has ("vmci"));
    R (zmq_bind (rep, "vmci://*:*"));
    R (zmq_connect (req, "vmci://1:5555"));
    uint64_t size = 1 << 20;
    R (zmq_setsockopt (req, ZMQ_VMCI_BUFFER_SIZE, &size, sizeof size));
    R (zmq_setsockopt (req, ZMQ_VMCI_BUFFER_MIN_SIZE, &size, sizeof size));
    R (zmq_setsockopt (req, ZMQ_VMCI_BUFFER_MAX_SIZE, &size, sizeof size));
    int timeout = 100;
    R (zmq_setsockopt (req, ZMQ_VMCI_CONNECT_TIMEOUT, &timeout, sizeof timeout));
    size_t len = sizeof size;
    R (zmq_getsockopt (req, ZMQ_VMCI_BUFFER_SIZE, &size, &len));

    SECTION ("vsock");
    R (zmq_has ("vsock"));
    R (zmq_bind (rep, "vsock://x:1"));
    R (zmq_connect (req, "vsock://1:"));
    R (zmq_connect (req, "vsock://1:5555"));

    zmq_close (req);
    zmq_close (rep);
    R (zmq_ctx_term (ctx));
    return 0;
}
