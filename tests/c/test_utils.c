/* Z85, CURVE keys (not built), atomic counters, timers, stopwatch. */
#include "testutil.h"
#include <stdint.h>

static int fired = 0;

static void on_timer (int timer_id, void *arg)
{
    (void) timer_id;
    fired += *(int *) arg;
}

int main (void)
{
    /* Z85: the RFC 32 example */
    uint8_t data[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
    char text[11];
    CHECK (zmq_z85_encode (text, data, 8) == text);
    CHECK (strcmp (text, "HelloWorld") == 0);
    uint8_t decoded[8];
    CHECK (zmq_z85_decode (decoded, "HelloWorld") == decoded);
    CHECK (memcmp (decoded, data, 8) == 0);
    CHECK (zmq_z85_encode (text, data, 7) == NULL);
    CHECK (zmq_z85_decode (decoded, "Hello~orld") == NULL);
    CHECK (zmq_z85_decode (decoded, "Hell") == NULL);

    /* CURVE keys (more in test_security.c) */
    char public_key[41], secret_key[41], derived[41];
    OK (zmq_curve_keypair (public_key, secret_key));
    OK (zmq_curve_public (derived, secret_key));
    CHECK (strcmp (derived, public_key) == 0);

    /* bad handles (monitors: test_monitor.c, proxies: test_proxy.c) */
    R (zmq_proxy (NULL, NULL, NULL));
    R (zmq_socket_monitor (NULL, "inproc://monitor", ZMQ_EVENT_ALL));

    /* atomic counters */
    void *counter = zmq_atomic_counter_new ();
    NOT_NULL (counter);
    CHECK (zmq_atomic_counter_value (counter) == 0);
    CHECK (zmq_atomic_counter_inc (counter) == 0);
    CHECK (zmq_atomic_counter_inc (counter) == 1);
    CHECK (zmq_atomic_counter_dec (counter) == 1);
    CHECK (zmq_atomic_counter_dec (counter) == 0);
    zmq_atomic_counter_set (counter, 5);
    CHECK (zmq_atomic_counter_value (counter) == 5);
    zmq_atomic_counter_destroy (&counter);
    CHECK (counter == NULL);

    /* timers */
    void *timers = zmq_timers_new ();
    NOT_NULL (timers);
    CHECK (zmq_timers_timeout (timers) == -1);
    int step = 1;
    int id = zmq_timers_add (timers, 10, on_timer, &step);
    CHECK (id > 0);
    CHECK (zmq_timers_timeout (timers) <= 10);
    void *watch = zmq_stopwatch_start ();
    while (fired == 0) {
        long wait = zmq_timers_timeout (timers);
        CHECK (wait >= 0 && wait <= 10);
        CHECK (zmq_poll (NULL, 0, wait) == 0);
        OK (zmq_timers_execute (timers));
    }
    CHECK (zmq_stopwatch_stop (watch) >= 9000);
    OK (zmq_timers_reset (timers, id));
    OK (zmq_timers_set_interval (timers, id, 20));
    OK (zmq_timers_cancel (timers, id));
    R (zmq_timers_cancel (timers, id));
    CHECK (zmq_timers_timeout (timers) == -1);
    OK (zmq_timers_destroy (&timers));
    CHECK (timers == NULL);

    puts ("test_utils: ok");
    return 0;
}
