//! Watching a socket's connection events through a monitor socket,
//! written for the `zmq` crate 0.10.

/// Reads one two-frame monitor event: (event, value, endpoint).
fn read_event(monitor: &zmq::Socket) -> zmq::Result<(zmq::SocketEvent, u32, String)> {
    let msg = monitor.recv_msg(0)?;
    assert_eq!(msg.len(), 6);
    let event = u16::from_ne_bytes([msg[0], msg[1]]);
    let value = u32::from_ne_bytes([msg[2], msg[3], msg[4], msg[5]]);
    assert!(monitor.get_rcvmore()?);
    let endpoint = monitor.recv_string(0)?.unwrap();
    Ok((zmq::SocketEvent::from_raw(event), value, endpoint))
}

fn main() {
    let context = zmq::Context::new();
    let server = context.socket(zmq::REP).unwrap();
    let client = context.socket(zmq::REQ).unwrap();

    server
        .monitor("inproc://monitor-server", zmq::SocketEvent::ALL as i32)
        .unwrap();
    client
        .monitor(
            "inproc://monitor-client",
            (zmq::SocketEvent::CONNECTED.to_raw()
                | zmq::SocketEvent::HANDSHAKE_SUCCEEDED.to_raw()
                | zmq::SocketEvent::DISCONNECTED.to_raw()
                | zmq::SocketEvent::MONITOR_STOPPED.to_raw()) as i32,
        )
        .unwrap();
    let server_mon = context.socket(zmq::PAIR).unwrap();
    server_mon.connect("inproc://monitor-server").unwrap();
    let client_mon = context.socket(zmq::PAIR).unwrap();
    client_mon.connect("inproc://monitor-client").unwrap();
    server_mon.set_rcvtimeo(5000).unwrap();
    client_mon.set_rcvtimeo(5000).unwrap();

    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.get_last_endpoint().unwrap().unwrap();
    client.connect(&endpoint).unwrap();
    client.send("hello", 0).unwrap();
    assert_eq!(server.recv_bytes(0).unwrap(), b"hello");
    server.send("world", 0).unwrap();
    assert_eq!(client.recv_bytes(0).unwrap(), b"world");

    // The server: listening, accepted, handshake succeeded.
    let mut seen = Vec::new();
    while !(seen.contains(&zmq::SocketEvent::ACCEPTED)
        && seen.contains(&zmq::SocketEvent::HANDSHAKE_SUCCEEDED))
    {
        let (event, value, addr) = read_event(&server_mon).expect("server event");
        println!("server: {:?} ({}) {}", event, value, addr);
        seen.push(event);
    }
    assert!(seen.contains(&zmq::SocketEvent::LISTENING));

    // The client: connected, handshake succeeded.
    let mut seen = Vec::new();
    while !seen.contains(&zmq::SocketEvent::HANDSHAKE_SUCCEEDED) {
        let (event, value, addr) = read_event(&client_mon).expect("client event");
        println!("client: {:?} ({}) {}", event, value, addr);
        assert_eq!(addr, endpoint);
        seen.push(event);
    }
    assert!(seen.contains(&zmq::SocketEvent::CONNECTED));

    // Closing the server: the client sees the peer go.
    drop(server);
    loop {
        let (event, _, _) = read_event(&client_mon).expect("client event");
        if event == zmq::SocketEvent::DISCONNECTED {
            break;
        }
    }
    // Stopping the monitor ends its stream with MONITOR_STOPPED.
    client.disconnect(&endpoint).unwrap();
    drop(client);
    loop {
        match read_event(&client_mon) {
            Ok((zmq::SocketEvent::MONITOR_STOPPED, _, _)) => break,
            Ok(_) => continue,
            Err(e) => panic!("no MONITOR_STOPPED: {}", e),
        }
    }
    assert_eq!(
        zmq::SocketEvent::from_raw(zmq::SocketEvent::CLOSED.to_raw()),
        zmq::SocketEvent::CLOSED
    );
    println!("monitor_loop: ok");
}
