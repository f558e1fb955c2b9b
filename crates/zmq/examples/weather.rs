//! Weather updates (zguide `wuserver`/`wuclient`): a PUB server publishes
//! "zipcode temperature humidity" for random zip codes; a SUB client
//! subscribes to one zip code's prefix and averages its temperature.
//!
//! `cargo run --example weather -p zmq [ZIPCODE]` (10000 to 10009)

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use zmq::{Context, SocketType};

const UPDATES: usize = 20;

/// A small xorshift generator: the example needs no `rand`.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

pub fn main() -> Result<(), zmq::Error> {
    // A zip code argument (anything else, e.g. a test harness's flag, is
    // ignored).
    let zipcode = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse::<u32>().ok())
        .filter(|zip| (10_000..10_010).contains(zip))
        .unwrap_or(10_001);
    let ctx = Context::new();

    let publisher = ctx.socket(SocketType::Pub)?;
    publisher.bind("tcp://127.0.0.1:*")?;
    let endpoint = publisher.get_last_endpoint()?.unwrap_or_default();
    let done = Arc::new(AtomicBool::new(false));
    let stop = Arc::clone(&done);
    // PUB never blocks: updates nobody subscribed to are dropped, so the
    // server just publishes until told to stop.
    let server = thread::spawn(move || -> Result<(), zmq::Error> {
        let mut random = Random(0x2545_f491_4f6c_dd1d);
        while !stop.load(Ordering::Relaxed) {
            let zip = 10_000 + random.below(10);
            let temperature = random.below(215) as i64 - 80;
            let humidity = random.below(50) + 10;
            publisher.send(format!("{zip} {temperature} {humidity}").as_str(), 0)?;
        }
        Ok(())
    });

    let subscriber = ctx.socket(SocketType::Sub)?;
    subscriber.connect(&endpoint)?;
    // The filter: only messages starting with the zip code and a space.
    subscriber.set_subscribe(format!("{zipcode} ").as_bytes())?;
    let zipcode = zipcode.to_string();
    let mut total = 0i64;
    for _ in 0..UPDATES {
        let update = subscriber.recv_string(0)?.unwrap_or_default();
        let mut fields = update.split(' ');
        assert_eq!(
            fields.next(),
            Some(zipcode.as_str()),
            "the filter let {update:?} through"
        );
        total += fields
            .next()
            .and_then(|t| t.parse::<i64>().ok())
            .unwrap_or(0);
    }
    println!(
        "average temperature for zipcode {zipcode} was {}F",
        total / UPDATES as i64
    );
    done.store(true, Ordering::Relaxed);
    server.join().expect("server thread")
}
