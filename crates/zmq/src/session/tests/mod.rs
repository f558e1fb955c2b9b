//! Sessions, listeners and connecters over real tcp and ipc streams, with
//! the reactor driven on the test thread and a raw ZMTP peer.

mod accepted;
mod closing;
mod connecter;
mod panics;
mod support;

#[test]
fn transport_options_follow_the_socket_options() {
    let options = crate::options::SocketOptions {
        ipv6: true,
        backlog: 7,
        sndbuf: 1000,
        tcp_keepalive: 1,
        ..Default::default()
    };
    let t = super::transport_options(&options);
    assert!(t.ipv6);
    assert_eq!(
        (t.backlog, t.sndbuf, t.rcvbuf, t.tcp_keepalive),
        (7, 1000, -1, 1)
    );
}
