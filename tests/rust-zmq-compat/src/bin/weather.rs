//! Weather update server and client (the zguide's wuserver and wuclient):
//! PUB/SUB with a topic prefix, written for the `zmq` crate 0.10.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

/// A small deterministic generator (no `rand` dependency).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u32) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % u64::from(below)) as u32
    }
}

fn main() {
    let context = zmq::Context::new();
    let publisher = context.socket(zmq::PUB).unwrap();
    publisher.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = publisher.get_last_endpoint().unwrap().unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let publishing = {
        let stop = Arc::clone(&stop);
        thread::spawn(move || {
            let mut rng = Lcg(42);
            let mut sent = 0u64;
            while !stop.load(Ordering::Relaxed) {
                // Every fourth update is for the zip code the client wants.
                let zipcode = if sent % 4 == 0 {
                    10001
                } else {
                    rng.next(100_000)
                };
                let temperature = rng.next(215) as i32 - 80;
                let relhumidity = rng.next(50) + 10;
                let update = format!("{:05} {} {}", zipcode, temperature, relhumidity);
                publisher.send(&update, 0).unwrap();
                sent += 1;
                if sent % 1000 == 0 {
                    thread::sleep(std::time::Duration::from_millis(1));
                }
            }
            sent
        })
    };

    println!("Collecting updates from weather server...");
    let subscriber = context.socket(zmq::SUB).unwrap();
    subscriber.connect(&endpoint).unwrap();
    let filter = "10001 ";
    assert!(subscriber.set_subscribe(filter.as_bytes()).is_ok());
    subscriber.set_rcvtimeo(10_000).unwrap();

    let mut total_temp = 0;
    let updates = 100;
    for _ in 0..updates {
        let string = subscriber.recv_string(0).unwrap().unwrap();
        let chks: Vec<i64> = string.split(' ').map(|s| s.parse().unwrap()).collect();
        let (zipcode, temperature, _relhumidity) = (chks[0], chks[1], chks[2]);
        assert_eq!(zipcode, 10001);
        total_temp += temperature;
    }
    println!(
        "Average temperature for zipcode '{}' was {}F",
        filter,
        (total_temp / updates)
    );
    stop.store(true, Ordering::Relaxed);
    let sent = publishing.join().unwrap();
    println!("weather: ok ({} updates published)", sent);
}
