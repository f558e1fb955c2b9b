//! `zmq monitor`: a socket of a chosen type binds or connects, and its
//! monitor events (`zmq_socket_monitor`, version 1) are printed, one a
//! line: `EVENT value endpoint`, or a JSON object with `--json`.

use clap::Args;
use zmq::{Context, SocketEvent};

use crate::{CliResult, Kind};

#[derive(Args, Clone, Debug)]
pub struct MonitorArgs {
    /// The endpoint to connect (or bind) the monitored socket to.
    pub endpoint: String,
    /// The monitored socket's type.
    #[arg(long = "type", value_enum, default_value = "dealer")]
    pub kind: Kind,
    /// Binds instead of connecting.
    #[arg(long)]
    pub bind: bool,
    /// Prints each event as a JSON object.
    #[arg(long)]
    pub json: bool,
    /// Stops after N events.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Fails when no event comes for MS milliseconds.
    #[arg(long, value_name = "MS")]
    pub timeout: Option<i32>,
}

pub fn run(args: &MonitorArgs) -> CliResult {
    let ctx = Context::new();
    let socket = ctx
        .socket(args.kind.socket_type())
        .map_err(|e| format!("socket: {e}"))?;
    let name = format!("inproc://zmq-cli.monitor.{}", std::process::id());
    socket
        .monitor(&name, zmq::monitor::EVENT_ALL as i32)
        .map_err(|e| format!("monitor: {e}"))?;
    let events = ctx
        .socket(zmq::SocketType::Pair)
        .map_err(|e| format!("socket: {e}"))?;
    events.connect(&name).map_err(|e| format!("monitor: {e}"))?;
    if let Some(ms) = args.timeout {
        events
            .set_rcvtimeo(ms)
            .map_err(|e| format!("--timeout: {e}"))?;
    }
    crate::sockets::attach(&socket, &args.endpoint, args.bind)?;
    let mut printed = 0;
    while args.count.is_none_or(|n| printed < n) {
        let parts = events
            .recv_multipart(0)
            .map_err(|e| match (e, args.timeout) {
                (zmq::Error::Again, Some(ms)) => format!("no event in {ms} ms"),
                (e, _) => format!("monitor: {e}"),
            })?;
        let Some((event, value, endpoint)) = zmq::monitor::parse_event_v1(&parts) else {
            continue;
        };
        println!("{}", line(event, value, &endpoint, args.json));
        printed += 1;
    }
    Ok(())
}

/// An event's name: libzmq's without `ZMQ_EVENT_`, or its number.
fn name(event: u16) -> String {
    SocketEvent::try_from_raw(event).map_or_else(|| format!("{event:#x}"), |e| format!("{e:?}"))
}

fn line(event: u16, value: u32, endpoint: &str, json: bool) -> String {
    if json {
        format!(
            "{{\"event\":\"{}\",\"value\":{value},\"endpoint\":\"{}\"}}",
            name(event),
            escape(endpoint)
        )
    } else {
        format!("{} {value} {endpoint}", name(event))
    }
}

/// JSON string escaping of the characters that need it.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_print_as_text_or_json() {
        let connected = SocketEvent::CONNECTED.to_raw();
        assert_eq!(
            line(connected, 9, "tcp://1.2.3.4:5", false),
            "CONNECTED 9 tcp://1.2.3.4:5"
        );
        assert_eq!(
            line(connected, 9, "ipc://a\"b", true),
            r#"{"event":"CONNECTED","value":9,"endpoint":"ipc://a\"b"}"#
        );
        assert_eq!(name(0x8000), "0x8000");
    }
}
