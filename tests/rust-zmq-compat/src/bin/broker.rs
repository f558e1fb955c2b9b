//! A request-reply broker over `zmq::proxy` (the zguide's msgqueue),
//! ended by terminating the context, written for the `zmq` crate 0.10.

use std::thread;

fn worker(context: zmq::Context, endpoint: String) {
    let responder = context.socket(zmq::REP).unwrap();
    responder.connect(&endpoint).unwrap();
    loop {
        let request = match responder.recv_string(0) {
            Ok(Ok(request)) => request,
            Ok(Err(bytes)) => panic!("not UTF-8: {:?}", bytes),
            Err(zmq::Error::ETERM) => break,
            Err(e) => panic!("worker recv: {}", e),
        };
        match responder.send(&format!("{} done", request), 0) {
            Ok(()) => {}
            Err(zmq::Error::ETERM) => break,
            Err(e) => panic!("worker send: {}", e),
        }
    }
}

fn main() {
    let mut context = zmq::Context::new();

    let frontend = context.socket(zmq::ROUTER).unwrap();
    frontend.bind("tcp://127.0.0.1:*").unwrap();
    let front_endpoint = frontend.get_last_endpoint().unwrap().unwrap();
    let backend = context.socket(zmq::DEALER).unwrap();
    backend.bind("inproc://workers").unwrap();
    assert!(!frontend.is_ipv6().unwrap());
    frontend.set_zap_domain("global").unwrap();

    let broker = thread::spawn(move || {
        let result = zmq::proxy(&frontend, &backend);
        assert_eq!(result, Err(zmq::Error::ETERM));
    });
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let context = context.clone();
            thread::spawn(move || worker(context, "inproc://workers".to_string()))
        })
        .collect();

    let client = context.socket(zmq::REQ).unwrap();
    client.set_linger(0).unwrap();
    client.connect(&front_endpoint).unwrap();
    let mut buffer = [0u8; 64];
    for n in 0..5 {
        client.send(&format!("job {}", n), 0).unwrap();
        assert_eq!(
            client.poll(zmq::POLLIN, 5000).unwrap(),
            1,
            "no reply in 5 s"
        );
        let size = client.recv_into(&mut buffer, 0).unwrap();
        let reply = std::str::from_utf8(&buffer[..size]).unwrap();
        println!("{}", reply);
        assert_eq!(reply, format!("job {} done", n));
    }

    drop(client);
    context.destroy().unwrap();
    broker.join().unwrap();
    for worker in workers {
        worker.join().unwrap();
    }
    println!("broker: ok");
}
