//! The pieces together: an echo handler on an I/O thread owns one end of a
//! pipe pair, its notifications travel as reactor commands, the test thread
//! owns the other end with a mailbox, as a socket will.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use zmq::io_thread::IoThread;
use zmq::mailbox::Mailbox;
use zmq::pipe::{PipeEnd, PipeEndConfig, PipeEvent, PipeEvents, PipeSignal, pipe_pair};
use zmq::reactor::{EventHandler, HandlerId, Reactor, ReactorHandle};
use zmq_patterns::{Msg, Pipe, PipeId};

const WAIT: Duration = Duration::from_secs(30);

enum Command {
    Attach(PipeEnd),
    Pipe(PipeEvent),
}

/// Routes pipe notifications to one handler of a reactor.
struct HandlerSink {
    reactor: ReactorHandle<Command>,
    handler: HandlerId,
}

impl PipeEvents for HandlerSink {
    fn notify(&self, _pipe: PipeId, event: PipeEvent) {
        self.reactor.deliver(self.handler, Command::Pipe(event));
    }
}

/// Sends every message back where it came from.
#[derive(Default)]
struct Echo {
    end: Option<PipeEnd>,
    stalled: Option<Msg>,
}

impl Echo {
    fn pump(&mut self) {
        let Some(end) = &mut self.end else { return };
        loop {
            let msg = match self.stalled.take() {
                Some(msg) => msg,
                None => match end.read() {
                    Some(msg) => msg,
                    None => break,
                },
            };
            if let Err(msg) = end.write(msg) {
                self.stalled = Some(msg);
                break;
            }
        }
        end.flush();
    }
}

impl EventHandler<Command> for Echo {
    fn on_command(&mut self, reactor: &mut Reactor<Command>, id: HandlerId, command: Command) {
        match command {
            Command::Attach(end) => self.end = Some(end),
            Command::Pipe(event) => {
                let Some(end) = &mut self.end else { return };
                if end.process(event) == PipeSignal::Terminated {
                    reactor.remove_handler(id);
                    return;
                }
            }
        }
        self.pump();
    }
}

type AppEvents = Mailbox<(PipeId, PipeEvent)>;

fn next_signal(end: &mut PipeEnd, events: &AppEvents) -> PipeSignal {
    let (_, event) = events
        .recv_timeout(Some(WAIT))
        .expect("poll")
        .expect("notification within the timeout");
    end.process(event)
}

#[test]
fn echo_through_an_io_thread() {
    let io = IoThread::<Command>::spawn(0).expect("spawn");
    let app_events = Arc::new(AppEvents::new().expect("mailbox"));
    let (tx, rx) = mpsc::channel();
    let events_for_app = Arc::clone(&app_events);
    io.run(move |reactor| {
        let id = reactor.add_handler(Box::new(Echo::default()));
        let sink = Arc::new(HandlerSink {
            reactor: reactor.handle(),
            handler: id,
        });
        let (app_end, io_end) = pipe_pair(
            PipeEndConfig {
                id: PipeId(1),
                events: events_for_app,
                in_hwm: 8,
                delay: true,
            },
            PipeEndConfig {
                id: PipeId(2),
                events: sink,
                in_hwm: 8,
                delay: true,
            },
        );
        reactor.handle().deliver(id, Command::Attach(io_end));
        tx.send(app_end).expect("test alive");
    });
    let mut end = rx.recv_timeout(WAIT).expect("pipe made on the I/O thread");
    assert_eq!(io.load(), 1);

    let count = 2_000u32;
    let (mut sent, mut received) = (0u32, 0u32);
    while received < count {
        while sent < count {
            let mut msg = Msg::from_slice(&sent.to_le_bytes());
            msg.set_routing_id(sent);
            match end.write(msg) {
                Ok(()) => sent += 1,
                Err(_) => break,
            }
        }
        end.flush();
        while let Some(msg) = end.read() {
            assert_eq!(msg.routing_id(), received, "echoed in order");
            received += 1;
        }
        if received < count {
            next_signal(&mut end, &app_events);
        }
    }

    end.terminate();
    while next_signal(&mut end, &app_events) != PipeSignal::Terminated {}
    // The final ack to the echo end was queued before this task.
    let (tx, rx) = mpsc::channel();
    io.run(move |reactor| tx.send(reactor.handle().load()).expect("test alive"));
    assert_eq!(
        rx.recv_timeout(WAIT).expect("load"),
        0,
        "echo removed itself"
    );
    io.stop().expect("clean stop");
}
