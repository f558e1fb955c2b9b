//! ZeroMQ socket-type semantics over abstract pipes.
//!
//! No I/O here: each socket type is a value that is handed pipes and
//! messages and decides where messages go, so that every routing rule of
//! RFC 28, 29, 30 and 31 can be tested in memory. The facade owns blocking:
//! a pattern answers [`PatternError::Again`] and the facade waits for a pipe
//! event before retrying.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// Building blocks.
mod active_set; // pipe ids with an active prefix (lb/fq bookkeeping)
pub mod distributor; // fan-out of one message to many pipes
pub mod fair_queue; // round robin over readable pipes
pub mod group_command; // JOIN/LEAVE between DISH and RADIO
pub mod group_frames; // RADIO/DISH group + body frames on a ZMTP connection
pub mod load_balancer; // round robin over writable pipes
pub mod msg; // one message part
pub mod pipe; // the socket's view of one peer connection
pub mod pipe_map; // maps keyed by pipe id, cheap hash
pub mod pipe_trie; // PUB/XPUB subscriptions, a pipe set per prefix
mod prefix_trie; // byte trie with a value per node (core of the two below)
mod random; // random starting points for ids
mod routing_table;
mod single_part; // fair queuing that drops multipart messages (draft types)
pub mod subscription; // the two pipe forms of (un)subscribe messages
pub mod subscription_trie; // SUB/XSUB subscriptions, counted per prefix // ROUTER's routing id <-> pipe map
pub mod wire_form; // per socket type: messages between pipe and connection

// The common interface.
pub mod any_pattern; // one value for any socket type
pub mod error; // PatternError, SendError and their errno
pub mod kind; // socket types with zmq.h numbers
pub mod options; // typed pattern options
pub mod pattern; // the trait every socket type implements

// Socket types.
pub mod dealer; // DEALER
pub mod pair; // PAIR
pub mod pub_; // PUB
pub mod pull; // PULL
pub mod push; // PUSH
pub mod rep; // REP
pub mod req; // REQ
pub mod router; // ROUTER
pub mod stream; // STREAM (raw TCP peers)
pub mod sub; // SUB
pub mod xpub; // XPUB
pub mod xsub; // XSUB

// Draft socket types (thread-safe in libzmq, single-part messages).
pub mod channel; // CHANNEL
pub mod client; // CLIENT
pub mod dgram; // DGRAM (udp)
pub mod dish; // DISH
pub mod gather; // GATHER
pub mod peer; // PEER
pub mod radio; // RADIO
pub mod scatter; // SCATTER
pub mod server; // SERVER

// In-memory pipes for tests (here and in the facade).
pub mod mem; // in-memory pipes and scripted peers

pub use any_pattern::AnyPattern;
pub use channel::Channel;
pub use client::Client;
pub use dealer::Dealer;
pub use dgram::Dgram;
pub use dish::Dish;
pub use distributor::Distributor;
pub use error::{PatternError, SendError};
pub use fair_queue::FairQueue;
pub use gather::Gather;
pub use group_command::GroupCommand;
pub use kind::SocketType;
pub use load_balancer::{LoadBalancer, Sent};
pub use msg::{Metadata, Msg, MsgFlags};
pub use options::{PatternOption, PatternOptionName};
pub use pair::Pair;
pub use pattern::Pattern;
pub use peer::Peer;
pub use pipe::{Pipe, PipeId};
pub use pipe_map::PipeMap;
pub use pipe_trie::PipeTrie;
pub use pub_::Pub;
pub use pull::Pull;
pub use push::Push;
pub use radio::Radio;
pub use rep::Rep;
pub use req::Req;
pub use router::Router;
pub use scatter::Scatter;
pub use server::Server;
pub use stream::Stream;
pub use sub::Sub;
pub use subscription_trie::SubscriptionTrie;
pub use xpub::XPub;
pub use xsub::XSub;
