//! Reading from two sockets with `zmq::poll` (the zguide's mspoller),
//! written for the `zmq` crate 0.10.

use std::thread;

fn main() {
    let context = zmq::Context::new();

    // The task ventilator's side: a PUSH bound, our PULL connected.
    let ventilator = context.socket(zmq::PUSH).unwrap();
    ventilator.bind("inproc://tasks").unwrap();
    let receiver = context.socket(zmq::PULL).unwrap();
    receiver.connect("inproc://tasks").unwrap();

    // The weather server's side: a PUB bound, our SUB connected.
    let publisher = context.socket(zmq::PUB).unwrap();
    publisher.bind("inproc://weather").unwrap();
    let subscriber = context.socket(zmq::SUB).unwrap();
    subscriber.connect("inproc://weather").unwrap();
    subscriber.set_subscribe(b"10001").unwrap();

    // Both senders run on threads of their own.
    let tasks = thread::spawn(move || {
        for n in 0..20 {
            ventilator.send(&format!("task {}", n), 0).unwrap();
        }
    });
    let updates = thread::spawn(move || {
        // A slow joiner loses the first updates: publish until told.
        let control = publisher;
        for n in 0..2000 {
            control.send(&format!("10001 update {}", n), 0).unwrap();
            thread::sleep(std::time::Duration::from_millis(1));
        }
    });

    let mut tasks_seen = 0;
    let mut updates_seen = 0;
    let mut idle_polls = 0;
    let mut msg = zmq::Message::new();
    while tasks_seen < 20 || updates_seen < 20 {
        let mut items = [
            receiver.as_poll_item(zmq::POLLIN),
            subscriber.as_poll_item(zmq::POLLIN),
        ];
        let ready = zmq::poll(&mut items, 1000).unwrap();
        if ready == 0 {
            idle_polls += 1;
            assert!(idle_polls < 10, "nothing for 10 s");
            continue;
        }
        if items[0].is_readable() {
            receiver.recv(&mut msg, 0).unwrap();
            assert!(msg.as_str().unwrap().starts_with("task "));
            tasks_seen += 1;
        }
        if items[1].is_readable() {
            subscriber.recv(&mut msg, 0).unwrap();
            assert!(msg.starts_with(b"10001"));
            updates_seen += 1;
        }
        assert!(!items[0].get_revents().contains(zmq::POLLOUT));
    }
    println!("{} tasks, {} updates", tasks_seen, updates_seen);

    // Events as a set: POLLIN | POLLOUT, and ZMQ_EVENTS.
    let (a, b) = (
        context.socket(zmq::PAIR).unwrap(),
        context.socket(zmq::PAIR).unwrap(),
    );
    a.bind("inproc://pair").unwrap();
    b.connect("inproc://pair").unwrap();
    b.send("ping", 0).unwrap();
    let mut items = [a.as_poll_item(zmq::POLLIN | zmq::POLLOUT)];
    assert_eq!(zmq::poll(&mut items, 1000).unwrap(), 1);
    assert!(items[0].is_readable() && items[0].is_writable());
    let events: zmq::PollEvents = a.get_events().unwrap();
    assert!(events.contains(zmq::POLLIN));
    assert!(events.contains(zmq::POLLOUT));
    assert_eq!(a.recv_string(0).unwrap().unwrap(), "ping");
    assert!(!a.get_events().unwrap().contains(zmq::POLLIN));
    assert!(matches!(a.recv_msg(zmq::DONTWAIT), Err(zmq::Error::EAGAIN)));

    tasks.join().unwrap();
    drop(subscriber);
    updates.join().unwrap();
    println!("poll_two_sockets: ok");
}
