/* Z85, CURVE keys, atomic counters, timers, stopwatch, sleep, threads,
 * zmq_has/version. Prints what it observes (timings only as
 * properties). */
#define ZMQ_BUILD_DRAFT_API
#include "testutil.h"
#include <stdint.h>

static int fired = 0;
static int fired_id = 0;

static void on_timer (int timer_id, void *arg)
{
    fired += *(int *) arg;
    fired_id = timer_id;
}

static int thread_ran = 0;
static void thread_body (void *arg)
{
    thread_ran = *(int *) arg;
}

int main (void)
{
    SECTION ("Z85");
    uint8_t data[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
    char text[41];
    memset (text, '#', sizeof text);
    CHECK (zmq_z85_encode (text, data, 8) == text);
    VS (text);
    uint8_t decoded[32];
    CHECK (zmq_z85_decode (decoded, "HelloWorld") == decoded);
    say ("decoded: %s", printable (decoded, 8));
    P (zmq_z85_encode (text, data, 7));
    P (zmq_z85_encode (text, data, 0));
    VS (text);
    P (zmq_z85_decode (decoded, "Hello~orld"));
    P (zmq_z85_decode (decoded, "Hell"));
    P (zmq_z85_decode (decoded, ""));
    P (zmq_z85_decode (decoded, "HelloWorl"));
    P (zmq_z85_decode (decoded, "#####"));
    say ("after \"#####\": %s", printable (decoded, 4));
    P (zmq_z85_decode (decoded, "%%%%%"));
    /* every byte value round trips */
    uint8_t all[256], back[256];
    char all_text[321];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t) i;
    P (zmq_z85_encode (all_text, all, 256));
    say ("encoded 256 bytes: %s", all_text);
    P (zmq_z85_decode (back, all_text));
    CHECK (memcmp (all, back, 256) == 0);

    SECTION ("CURVE keys");
    char public_key[41], secret_key[41], derived[41];
    R (zmq_curve_keypair (public_key, secret_key));
    VU (strlen (public_key));
    VU (strlen (secret_key));
    R (zmq_curve_public (derived, secret_key));
    CHECK (strcmp (derived, public_key) == 0);
    R (zmq_curve_public (derived, "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"));
    VS (derived);
    R (zmq_curve_public (derived, "too short"));
    R (zmq_curve_public (derived, "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6-extra"));

    SECTION ("bad handles");
    R (zmq_proxy (NULL, NULL, NULL));
    R (zmq_socket_monitor (NULL, "inproc://monitor", ZMQ_EVENT_ALL));

    SECTION ("atomic counters");
    void *counter = P (zmq_atomic_counter_new ());
    R (zmq_atomic_counter_value (counter));
    R (zmq_atomic_counter_inc (counter));
    R (zmq_atomic_counter_inc (counter));
    R (zmq_atomic_counter_value (counter));
    R (zmq_atomic_counter_dec (counter));
    R (zmq_atomic_counter_dec (counter));
    R (zmq_atomic_counter_dec (counter));
    R (zmq_atomic_counter_value (counter));
    zmq_atomic_counter_set (counter, 5);
    R (zmq_atomic_counter_value (counter));
    zmq_atomic_counter_set (counter, -7);
    R (zmq_atomic_counter_value (counter));
    R (zmq_atomic_counter_inc (counter));
    zmq_atomic_counter_destroy (&counter);
    CHECK (counter == NULL);
    zmq_atomic_counter_destroy (&counter);
    CHECK (counter == NULL);

    SECTION ("timers");
    void *timers = P (zmq_timers_new ());
    R (zmq_timers_timeout (timers));
    R (zmq_timers_execute (timers));
    int step = 1;
    int id = zmq_timers_add (timers, 10, on_timer, &step);
    say ("id > 0: %s", id > 0 ? "yes" : "no");
    int second = zmq_timers_add (timers, 100000, on_timer, &step);
    say ("second id differs: %s", second != id && second > 0 ? "yes" : "no");
    long first_wait = zmq_timers_timeout (timers);
    say ("timeout in [0, 10]: %s", first_wait >= 0 && first_wait <= 10 ? "yes" : "no");
    void *watch = zmq_stopwatch_start ();
    int rounds = 0;
    while (fired == 0 && rounds++ < 1000) {
        long wait = zmq_timers_timeout (timers);
        if (wait < 0 || wait > 10)
            break;
        zmq_poll (NULL, 0, wait);
        zmq_timers_execute (timers);
    }
    unsigned long elapsed = zmq_stopwatch_stop (watch);
    VI (fired);
    CHECK (fired_id == id);
    say ("elapsed >= 9 ms: %s", elapsed >= 9000 ? "yes" : "no");
    R (zmq_timers_reset (timers, id));
    R (zmq_timers_set_interval (timers, id, 20));
    R (zmq_timers_cancel (timers, id));
    R (zmq_timers_cancel (timers, id));
    R (zmq_timers_reset (timers, id));
    R (zmq_timers_set_interval (timers, id, 20));
    R (zmq_timers_cancel (timers, second));
    R (zmq_timers_timeout (timers));
    R (zmq_timers_add (timers, 10, NULL, NULL));
    R (zmq_timers_cancel (timers, 12345));
    R (zmq_timers_cancel (NULL, id));
    R (zmq_timers_timeout (NULL));
    R (zmq_timers_execute (NULL));
    R (zmq_timers_destroy (&timers));
    CHECK (timers == NULL);
    R (zmq_timers_destroy (&timers));
    /* a pointer that is no timers (libzmq's tag check: EFAULT) */
    void *not_timers = &timers;
    R (zmq_timers_add (not_timers, 100, on_timer, &step));
    R (zmq_timers_add (NULL, 100, on_timer, &step));
    R (zmq_timers_cancel (not_timers, 1));
    R (zmq_timers_set_interval (not_timers, 1, 100));
    R (zmq_timers_set_interval (NULL, 1, 100));
    R (zmq_timers_reset (not_timers, 1));
    R (zmq_timers_reset (NULL, 1));
    R (zmq_timers_timeout (not_timers));
    R (zmq_timers_execute (not_timers));

    SECTION ("stopwatch, sleep, threads");
    watch = zmq_stopwatch_start ();
    zmq_sleep (0);
    unsigned long intermediate = zmq_stopwatch_intermediate (watch);
    zmq_sleep (1);
    unsigned long total = zmq_stopwatch_stop (watch);
    say ("intermediate <= total: %s; slept >= 0.9 s: %s",
         intermediate <= total ? "yes" : "no", total >= 900000 ? "yes" : "no");
    int value = 7;
    void *thread = P (zmq_threadstart (thread_body, &value));
    zmq_threadclose (thread);
    VI (thread_ran);

    SECTION ("version");
    int major, minor, patch;
    zmq_version (&major, &minor, &patch);
    say ("%d.%d.%d", major, minor, patch);
    say ("done");
    return 0;
}
