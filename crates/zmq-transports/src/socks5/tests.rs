use std::io::{Read, Write};
use std::net::{TcpListener as StdListener, TcpStream as StdStream};
use std::thread;

use super::*;
use crate::options::TransportOptions;
use crate::tcp::TcpTransport;
use crate::test_support::{finish_connect, read_exact, write_all};
use crate::transport::Transport;

/// What the test proxy saw: the CONNECT target as (atyp, address, port)
/// and the credentials, if any.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    atyp: u8,
    address: Vec<u8>,
    port: u16,
    credentials: Option<(Vec<u8>, Vec<u8>)>,
}

fn read_n(stream: &mut StdStream, n: usize) -> Vec<u8> {
    let mut buffer = vec![0; n];
    stream.read_exact(&mut buffer).unwrap();
    buffer
}

/// A one-connection SOCKS5 proxy that, after a successful CONNECT, echoes
/// bytes itself instead of reaching the target. `password` set: demands
/// user name / password authentication and accepts only that password.
fn spawn_proxy(password: Option<&'static [u8]>) -> (String, thread::JoinHandle<Seen>) {
    let listener = StdListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let handle = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let head = read_n(&mut stream, 2);
        assert_eq!(head[0], 5);
        let methods = read_n(&mut stream, usize::from(head[1]));
        let mut credentials = None;
        if let Some(expected) = password {
            assert!(methods.contains(&2));
            stream.write_all(&[5, 2]).unwrap();
            let version = read_n(&mut stream, 2);
            assert_eq!(version[0], 1);
            let user = read_n(&mut stream, usize::from(version[1]));
            let len = read_n(&mut stream, 1)[0];
            let pass = read_n(&mut stream, usize::from(len));
            let ok = pass == expected;
            stream.write_all(&[1, if ok { 0 } else { 1 }]).unwrap();
            credentials = Some((user, pass));
            if !ok {
                return Seen {
                    atyp: 0,
                    address: Vec::new(),
                    port: 0,
                    credentials,
                };
            }
        } else {
            assert!(methods.contains(&0));
            stream.write_all(&[5, 0]).unwrap();
        }
        let request = read_n(&mut stream, 4);
        assert_eq!(&request[..3], &[5, 1, 0]);
        let atyp = request[3];
        let address = match atyp {
            1 => read_n(&mut stream, 4),
            4 => read_n(&mut stream, 16),
            _ => {
                let len = read_n(&mut stream, 1)[0];
                read_n(&mut stream, usize::from(len))
            }
        };
        let port = u16::from_be_bytes(read_n(&mut stream, 2).try_into().unwrap());
        // Reply with a domain-name bound address to exercise that path,
        // and send the first echo bytes in the same write.
        stream
            .write_all(&[5, 0, 0, 3, 2, b'h', b'i', 0, 80])
            .unwrap();
        let mut echo = [0u8; 5];
        stream.read_exact(&mut echo).unwrap();
        stream.write_all(&echo).unwrap();
        Seen {
            atyp,
            address,
            port,
            credentials,
        }
    });
    (address, handle)
}

fn options_with(proxy: &str, username: &str, password: &str) -> TransportOptions {
    TransportOptions {
        socks_proxy: Some(SocksProxy {
            address: proxy.to_owned(),
            username: username.to_owned(),
            password: password.to_owned(),
        }),
        ..TransportOptions::default()
    }
}

#[test]
fn connects_to_a_domain_name_without_authentication() {
    let (proxy, server) = spawn_proxy(None);
    let options = options_with(&proxy, "", "");
    let connecting = TcpTransport
        .connect("example.invalid:5555", &options)
        .unwrap();
    let mut stream = finish_connect(connecting).unwrap();
    write_all(stream.as_mut(), b"hello").unwrap();
    assert_eq!(read_exact(stream.as_mut(), 5).unwrap(), b"hello");
    let seen = server.join().unwrap();
    assert_eq!(
        seen,
        Seen {
            atyp: 3,
            address: b"example.invalid".to_vec(),
            port: 5555,
            credentials: None
        }
    );
}

#[test]
fn a_proxy_address_with_a_source_binds_it_first() {
    let (proxy, server) = spawn_proxy(None);
    // libzmq's test_socks_bind_before_connect: `source;proxy`.
    let options = options_with(&format!("127.0.0.1:0;{proxy}"), "", "");
    let connecting = TcpTransport.connect("10.1.2.3:7", &options).unwrap();
    let mut stream = finish_connect(connecting).unwrap();
    assert!(stream.local_endpoint().starts_with("tcp://127.0.0.1:"));
    write_all(stream.as_mut(), b"hello").unwrap();
    assert_eq!(read_exact(stream.as_mut(), 5).unwrap(), b"hello");
    let seen = server.join().unwrap();
    assert_eq!(
        (seen.atyp, seen.address, seen.port),
        (1, vec![10, 1, 2, 3], 7)
    );
}

#[test]
fn authenticates_and_connects_to_an_ip() {
    let (proxy, server) = spawn_proxy(Some(b"secret"));
    let options = options_with(&proxy, "alice", "secret");
    let connecting = TcpTransport.connect("10.1.2.3:7", &options).unwrap();
    let mut stream = finish_connect(connecting).unwrap();
    write_all(stream.as_mut(), b"12345").unwrap();
    assert_eq!(read_exact(stream.as_mut(), 5).unwrap(), b"12345");
    let seen = server.join().unwrap();
    assert_eq!(
        (seen.atyp, seen.address, seen.port),
        (1, vec![10, 1, 2, 3], 7)
    );
    assert_eq!(
        seen.credentials,
        Some((b"alice".to_vec(), b"secret".to_vec()))
    );
}

#[test]
fn wrong_password_fails_the_connect() {
    let (proxy, server) = spawn_proxy(Some(b"secret"));
    let options = options_with(&proxy, "alice", "wrong");
    let connecting = TcpTransport.connect("[::1]:7", &options).unwrap();
    let error = finish_connect(connecting).err().map(|e| e.errno());
    assert_eq!(error, Some(libc::ECONNREFUSED));
    server.join().unwrap();
}

#[test]
fn requests_encode_every_address_type() {
    let socket = Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    let target = TcpHostPort::parse("[::1]:258").unwrap();
    let connect = SocksConnect::new(socket, SocksProxy::default(), target).unwrap();
    let request = connect.connect_request();
    assert_eq!(&request[..4], &[5, 1, 0, 4]);
    assert_eq!(request.len(), 4 + 16 + 2);
    assert_eq!(&request[20..], &[1, 2]);
    assert_eq!(connect.greeting(), vec![5, 1, 0]);
}

#[test]
fn overlong_fields_are_refused() {
    let socket = Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    let proxy = SocksProxy {
        address: "127.0.0.1:1".into(),
        username: "u".repeat(256),
        password: String::new(),
    };
    let target = TcpHostPort::parse("127.0.0.1:1").unwrap();
    assert!(SocksConnect::new(socket, proxy, target).is_err());
}
