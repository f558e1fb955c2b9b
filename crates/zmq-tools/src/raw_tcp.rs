//! The baseline of the `sizes` cell: plain TCP sockets over loopback, no
//! ZeroMQ. One thread writes `count` buffers of `size` bytes (one
//! `write_all` per message, as an application without batching would),
//! the other reads into a 256 KiB buffer until it has them all.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Instant;

use crate::cpu::CpuClock;
use crate::error::ToolError;

/// The figures of one run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RawTcp {
    /// Messages (writes) per second.
    pub msgs_per_sec: f64,
    /// Megabits per second.
    pub megabits: f64,
    /// CPU seconds of the process.
    pub cpu_s: f64,
}

fn io(what: &'static str) -> impl FnOnce(std::io::Error) -> ToolError {
    move |e| ToolError::Other(format!("{what}: {e}"))
}

/// Streams `count` messages of `size` bytes through one loopback
/// connection.
pub fn raw_tcp_stream(size: usize, count: usize) -> Result<RawTcp, ToolError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(io("bind"))?;
    let address = listener.local_addr().map_err(io("local_addr"))?;
    let writer = std::thread::spawn(move || -> Result<(), ToolError> {
        let mut stream = TcpStream::connect(address).map_err(io("connect"))?;
        stream.set_nodelay(true).map_err(io("nodelay"))?;
        let body = vec![0u8; size];
        for _ in 0..count {
            stream.write_all(&body).map_err(io("write"))?;
        }
        Ok(())
    });
    let (mut stream, _) = listener.accept().map_err(io("accept"))?;
    let total = size as u64 * count as u64;
    let mut buffer = vec![0u8; 256 * 1024];
    let mut got = 0u64;
    let cpu = CpuClock::start();
    let start = Instant::now();
    while got < total {
        match stream.read(&mut buffer).map_err(io("read"))? {
            0 => return Err(ToolError::Other("connection closed early".into())),
            n => got += n as u64,
        }
    }
    let seconds = start.elapsed().as_secs_f64().max(1e-9);
    let cpu_s = cpu.elapsed();
    crate::error::join(writer)?;
    let msgs_per_sec = count as f64 / seconds;
    Ok(RawTcp {
        msgs_per_sec,
        megabits: msgs_per_sec * size as f64 * 8.0 / 1e6,
        cpu_s,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_byte_arrives() {
        let report = super::raw_tcp_stream(1000, 100).unwrap();
        assert!(report.msgs_per_sec > 0.0);
    }
}
