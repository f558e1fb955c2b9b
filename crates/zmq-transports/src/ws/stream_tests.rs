//! [`WsStream`] end to end over in-memory pipes that take only a few
//! bytes at a time: the upgrade, then ZMTP bytes across with every write
//! cut short, and nothing lost or doubled.

use std::collections::VecDeque;
use std::io::{self, ErrorKind, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::{Arc, Mutex};

use super::*;
use crate::ws::upgrade::WsMechanism;

type Queue = Arc<Mutex<VecDeque<u8>>>;

/// One end of a pair of bounded byte queues.
#[derive(Debug)]
struct MemEnd {
    rx: Queue,
    tx: Queue,
    room: usize,
    fd: OwnedFd,
}

fn pair(room: usize) -> (MemEnd, MemEnd) {
    let (a, b) = (Queue::default(), Queue::default());
    let fd = || OwnedFd::from(std::fs::File::open("/dev/null").unwrap());
    (
        MemEnd {
            rx: Arc::clone(&a),
            tx: Arc::clone(&b),
            room,
            fd: fd(),
        },
        MemEnd {
            rx: b,
            tx: a,
            room,
            fd: fd(),
        },
    )
}

impl Read for MemEnd {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut rx = self.rx.lock().unwrap();
        if rx.is_empty() {
            return Err(ErrorKind::WouldBlock.into());
        }
        let n = buf.len().min(rx.len());
        for (slot, byte) in buf.iter_mut().zip(rx.drain(..n)) {
            *slot = byte;
        }
        Ok(n)
    }
}

impl Write for MemEnd {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut tx = self.tx.lock().unwrap();
        let n = buf.len().min(self.room.saturating_sub(tx.len()));
        if n == 0 {
            return Err(ErrorKind::WouldBlock.into());
        }
        tx.extend(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AsFd for MemEnd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl Stream for MemEnd {
    fn peer_address(&self) -> &str {
        "mem"
    }

    fn local_endpoint(&self) -> &str {
        "tcp://mem:1"
    }
}

fn zmtp_frame(flags: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![flags];
    match u8::try_from(body.len()) {
        Ok(short) => out.push(short),
        Err(_) => {
            out[0] |= 0x02;
            out.extend_from_slice(&(body.len() as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(body);
    out
}

/// Reads everything `stream` has now.
fn drain(stream: &mut WsStream, into: &mut Vec<u8>) -> bool {
    let mut buf = [0u8; 1000];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return false,
            Ok(n) => into.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
            Err(e) => panic!("read: {e}"),
        }
    }
}

#[test]
fn bytes_cross_whole_through_short_writes() {
    let (a, b) = pair(700);
    let options = WsOptions {
        mechanism: WsMechanism::Null,
        socket_type: "DEALER".into(),
        ..WsOptions::default()
    };
    let mut client = WsStream::client(Box::new(a), None, &options, "h", "/p");
    let mut server = WsStream::server(Box::new(b), None, &options);
    // What a client engine writes: its greeting, then frames.
    let mut sent = vec![0u8; 64];
    let mut frames = zmtp_frame(0x04, b"\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER");
    frames.extend(zmtp_frame(0x01, b"first"));
    frames.extend(zmtp_frame(
        0x00,
        &(0..100_000u32).map(|i| i as u8).collect::<Vec<_>>(),
    ));
    frames.extend(zmtp_frame(0x00, b""));
    sent.extend_from_slice(&frames);
    let (mut at, mut got, mut client_got) = (0, Vec::new(), Vec::new());
    for _ in 0..100_000 {
        if at < sent.len() {
            match client.write(&sent[at..]) {
                Ok(n) => at += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => panic!("write: {e}"),
            }
        }
        assert!(drain(&mut server, &mut got));
        assert!(drain(&mut client, &mut client_got));
        if at == sent.len() && got.len() >= 64 + frames.len() {
            break;
        }
    }
    assert_eq!(at, sent.len(), "the client wrote everything");
    // The server's engine sees the implied greeting, then our frames.
    assert_eq!(&got[..11], b"\xff\0\0\0\0\0\0\0\0\x7f\x03");
    assert_eq!(&got[12..16], b"NULL");
    assert_eq!(got[64..], frames[..]);
    // The client saw the upgrade answered: the server's greeting.
    assert_eq!(client_got.len(), 64);
}

#[test]
fn a_close_frame_is_echoed_then_the_stream_ends() {
    let (a, mut peer) = pair(10_000);
    let options = WsOptions::default();
    let mut server = WsStream::server(Box::new(a), None, &options);
    peer.write_all(
        b"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Key: x\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n",
    )
    .unwrap();
    peer.write_all(&[0x88, 0x82, 0, 0, 0, 0, 0x03, 0xE8])
        .unwrap();
    let mut got = Vec::new();
    assert!(!drain(&mut server, &mut got), "the stream ends");
    assert_eq!(got.len(), 64, "the greeting, then the end");
    let mut answer = Vec::new();
    let mut buf = [0u8; 1000];
    while let Ok(n) = peer.read(&mut buf) {
        answer.extend_from_slice(&buf[..n]);
    }
    assert!(answer.starts_with(b"HTTP/1.1 101 "));
    assert!(
        answer.ends_with(&[0x88, 0x02, 0x03, 0xE8]),
        "close echoed unmasked"
    );
}
