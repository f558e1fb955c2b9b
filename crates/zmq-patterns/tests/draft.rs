//! The draft socket types over in-memory pipes: SERVER/CLIENT, RADIO/DISH,
//! SCATTER/GATHER, PEER, CHANNEL.

use zmq_patterns::mem::MemHub;
use zmq_patterns::{
    Channel, Client, Dish, Gather, GroupCommand, Msg, MsgFlags, Pattern, PatternError,
    PatternOption, PatternOptionName, Peer, Radio, Scatter, Server,
};

fn more(data: &[u8]) -> Msg {
    let mut msg = Msg::from_slice(data);
    msg.set_more(true);
    msg
}

fn group_msg(group: &[u8], body: &[u8]) -> Msg {
    let mut msg = Msg::from_slice(body);
    msg.set_group(group).unwrap();
    msg
}

#[test]
fn server_stamps_routing_ids_and_routes_replies() {
    let mut hub = MemHub::new();
    let mut server = Server::with_first_routing_id(u32::MAX);
    let (pipe_a, a) = hub.pipe(0);
    let (pipe_b, b) = hub.pipe(0);
    server.attach(pipe_a, false);
    server.attach(pipe_b, false);
    a.send(&[b"from a"]);
    b.send(&[b"from b"]);
    let first = server.recv().unwrap();
    let second = server.recv().unwrap();
    // Generated ids skip 0: u32::MAX, then 1.
    let mut ids = [first.routing_id(), second.routing_id()];
    ids.sort();
    assert_eq!(ids, [1, u32::MAX]);
    let mut reply = Msg::from_slice(b"to a");
    let a_id = if first.data() == b"from a" {
        first.routing_id()
    } else {
        second.routing_id()
    };
    reply.set_routing_id(a_id);
    server.send(reply).unwrap();
    let got = a.recv_msg().unwrap();
    assert_eq!(got.data(), b"to a");
    assert_eq!(got.routing_id(), 0, "our routing id stays with us");
    assert_eq!(b.recv(), None);
}

#[test]
fn server_refuses_unknown_ids_multipart_and_blocks_when_full() {
    let mut hub = MemHub::new();
    let mut server = Server::with_first_routing_id(7);
    let (pipe, peer) = hub.pipe(1);
    server.attach(pipe, false);
    let mut msg = Msg::from_slice(b"x");
    msg.set_routing_id(8);
    assert_eq!(
        server.send(msg).unwrap_err().kind,
        PatternError::HostUnreachable
    );
    let mut msg = more(b"x");
    msg.set_routing_id(7);
    assert_eq!(server.send(msg).unwrap_err().kind, PatternError::Invalid);
    let mut msg = Msg::from_slice(b"1");
    msg.set_routing_id(7);
    server.send(msg.clone()).unwrap();
    let back = server.send(msg).unwrap_err();
    assert_eq!(back.kind, PatternError::Again);
    assert_eq!(back.msg.routing_id(), 7);
    assert!(peer.recv().is_some());
    hub.deliver(&mut server);
    // Detached peers become unreachable.
    server.detach(peer.id());
    let mut msg = Msg::from_slice(b"2");
    msg.set_routing_id(7);
    assert_eq!(
        server.send(msg).unwrap_err().kind,
        PatternError::HostUnreachable
    );
}

#[test]
fn server_drops_multipart_messages() {
    let mut hub = MemHub::new();
    let mut server = Server::with_first_routing_id(1);
    let (pipe, peer) = hub.pipe(0);
    server.attach(pipe, false);
    peer.send(&[b"a", b"b"]);
    peer.send(&[b"single"]);
    assert!(server.has_in());
    assert_eq!(server.recv().unwrap().data(), b"single");
    assert_eq!(server.recv().unwrap_err(), PatternError::Again);
}

#[test]
fn client_load_balances_and_fair_queues() {
    let mut hub = MemHub::new();
    let mut client = Client::new();
    let (pipe_a, a) = hub.pipe(0);
    let (pipe_b, b) = hub.pipe(0);
    client.attach(pipe_a, true);
    client.attach(pipe_b, true);
    for _ in 0..4 {
        client.send(Msg::from_slice(b"req")).unwrap();
    }
    assert_eq!(a.recv_all().len(), 2);
    assert_eq!(b.recv_all().len(), 2);
    assert_eq!(
        client.send(more(b"x")).unwrap_err().kind,
        PatternError::Invalid
    );
    a.send(&[b"ra"]);
    b.send(&[b"rb"]);
    let mut got = vec![
        client.recv().unwrap().data().to_vec(),
        client.recv().unwrap().data().to_vec(),
    ];
    got.sort();
    assert_eq!(got, vec![b"ra".to_vec(), b"rb".to_vec()]);
    assert_eq!(client.recv().unwrap_err(), PatternError::Again);
}

#[test]
fn client_without_peer_would_block() {
    let mut client: Client<zmq_patterns::mem::MemPipe> = Client::new();
    assert_eq!(
        client.send(Msg::from_slice(b"x")).unwrap_err().kind,
        PatternError::Again
    );
    assert!(!client.has_out());
}

#[test]
fn radio_sends_only_to_joined_dishes() {
    let mut hub = MemHub::new();
    let mut radio = Radio::new();
    let (pipe_a, a) = hub.pipe(0);
    let (pipe_b, b) = hub.pipe(0);
    radio.attach(pipe_a, false);
    radio.attach(pipe_b, false);
    a.send_msg(GroupCommand::Join(b"tv").to_msg());
    b.send_msg(GroupCommand::Join(b"radio").to_msg());
    hub.deliver(&mut radio);
    radio.send(group_msg(b"tv", b"news")).unwrap();
    radio.send(group_msg(b"radio", b"music")).unwrap();
    radio.send(group_msg(b"none", b"lost")).unwrap();
    let got = a.recv_msg().unwrap();
    assert_eq!((got.group(), got.data()), (Some(&b"tv"[..]), &b"news"[..]));
    assert!(a.recv_msg().is_none());
    assert_eq!(b.recv_all(), vec![vec![b"music".to_vec()]]);
    assert_eq!(radio.groups_count(), 2);
    a.send_msg(GroupCommand::Leave(b"tv").to_msg());
    hub.deliver(&mut radio);
    radio.send(group_msg(b"tv", b"news")).unwrap();
    assert!(a.recv_msg().is_none());
    assert_eq!(
        radio.send(more(b"x")).unwrap_err().kind,
        PatternError::Invalid
    );
    radio.detach(b.id());
    assert_eq!(radio.groups_count(), 0);
}

#[test]
fn radio_udp_pipes_take_every_group() {
    // A udp engine's pipe (libzmq's subscribe_to_all) joins nothing and
    // gets every message; a joined DISH pipe only its group.
    let mut hub = MemHub::new();
    let mut radio = Radio::new();
    let (udp_pipe, udp) = hub.pipe(0);
    let (dish_pipe, dish) = hub.pipe(0);
    radio.attach_subscribe_all(udp_pipe);
    dish.send_msg(GroupCommand::Join(b"tv").to_msg());
    radio.attach(dish_pipe, false);
    radio.send(group_msg(b"tv", b"news")).unwrap();
    radio.send(group_msg(b"radio", b"music")).unwrap();
    radio.send(Msg::from_slice(b"no group")).unwrap();
    let got: Vec<(Option<Vec<u8>>, Vec<u8>)> = std::iter::from_fn(|| udp.recv_msg())
        .map(|m| (m.group().map(<[u8]>::to_vec), m.data().to_vec()))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some(b"tv".to_vec()), b"news".to_vec()),
            (Some(b"radio".to_vec()), b"music".to_vec()),
            (None, b"no group".to_vec()),
        ]
    );
    assert_eq!(dish.recv_all(), vec![vec![b"news".to_vec()]]);
    assert_eq!(radio.groups_count(), 1);
    radio.detach(udp.id());
    radio.send(group_msg(b"radio", b"after")).unwrap();
    assert!(udp.recv_msg().is_none());
}

#[test]
fn radio_no_drop_blocks_on_a_full_member() {
    let mut hub = MemHub::new();
    let mut radio = Radio::new();
    radio.set_option(PatternOption::XPubNoDrop(true)).unwrap();
    let (pipe, peer) = hub.pipe(1);
    peer.send_msg(GroupCommand::Join(b"g").to_msg());
    radio.attach(pipe, false);
    radio.send(group_msg(b"g", b"1")).unwrap();
    assert_eq!(
        radio.send(group_msg(b"g", b"2")).unwrap_err().kind,
        PatternError::Again
    );
    // Other groups are not held up.
    radio.send(group_msg(b"h", b"3")).unwrap();
}

#[test]
fn dish_joins_leaves_and_filters() {
    let mut hub = MemHub::new();
    let mut dish = Dish::new();
    dish.set_option(PatternOption::Join(b"early".as_slice().into()))
        .unwrap();
    let (pipe, radio) = hub.pipe(0);
    dish.attach(pipe, true);
    let join = radio.recv_msg().unwrap();
    assert!(join.flags().contains(MsgFlags::COMMAND));
    assert_eq!(
        GroupCommand::parse(&join),
        Some(GroupCommand::Join(b"early"))
    );
    dish.set_option(PatternOption::Join(b"late".as_slice().into()))
        .unwrap();
    assert_eq!(
        GroupCommand::parse(&radio.recv_msg().unwrap()),
        Some(GroupCommand::Join(b"late"))
    );
    // Errors: joined twice, too long, leaving a group not joined.
    assert_eq!(dish.join(b"late"), Err(PatternError::Invalid));
    assert_eq!(dish.join(&[b'g'; 256]), Err(PatternError::Invalid));
    assert_eq!(dish.leave(b"never"), Err(PatternError::Invalid));
    assert!(dish.join(&[b'g'; 255]).is_ok());
    radio.send_msg(group_msg(b"other", b"dropped"));
    radio.send_msg(group_msg(b"late", b"kept"));
    assert!(dish.has_in());
    let got = dish.recv().unwrap();
    assert_eq!(got.data(), b"kept");
    assert_eq!(got.group(), Some(&b"late"[..]));
    dish.leave(b"late").unwrap();
    radio.recv_all();
    radio.send_msg(group_msg(b"late", b"after leave"));
    hub.deliver(&mut dish);
    assert_eq!(dish.recv().unwrap_err(), PatternError::Again);
    assert_eq!(
        dish.send(Msg::new()).unwrap_err().kind,
        PatternError::NotSupported
    );
}

#[test]
fn radio_and_dish_over_a_pipe_pair() {
    // A DISH's pipe output fed to a RADIO's pipe, as inproc would do.
    let mut hub = MemHub::new();
    let mut dish = Dish::new();
    let mut radio = Radio::new();
    let (dish_pipe, dish_peer) = hub.pipe(0);
    let (radio_pipe, radio_peer) = hub.pipe(0);
    dish.attach(dish_pipe, true);
    radio.attach(radio_pipe, false);
    dish.join(b"g").unwrap();
    while let Some(msg) = dish_peer.recv_msg() {
        radio_peer.send_msg(msg);
    }
    hub.deliver(&mut radio);
    radio.send(group_msg(b"g", b"hello")).unwrap();
    while let Some(msg) = radio_peer.recv_msg() {
        dish_peer.send_msg(msg);
    }
    hub.deliver(&mut dish);
    assert_eq!(dish.recv().unwrap().data(), b"hello");
}

#[test]
fn scatter_and_gather_are_single_part_push_pull() {
    let mut hub = MemHub::new();
    let mut scatter = Scatter::new();
    let (pipe_a, a) = hub.pipe(0);
    let (pipe_b, b) = hub.pipe(0);
    scatter.attach(pipe_a, true);
    scatter.attach(pipe_b, true);
    scatter.send(Msg::from_slice(b"1")).unwrap();
    scatter.send(Msg::from_slice(b"2")).unwrap();
    assert_eq!(a.recv_all().len() + b.recv_all().len(), 2);
    assert_eq!(
        scatter.send(more(b"x")).unwrap_err().kind,
        PatternError::Invalid
    );
    assert_eq!(scatter.recv().unwrap_err(), PatternError::NotSupported);

    let mut gather = Gather::new();
    let (pipe, peer) = hub.pipe(0);
    gather.attach(pipe, false);
    peer.send(&[b"multi", b"part"]);
    peer.send(&[b"one"]);
    assert_eq!(gather.recv().unwrap().data(), b"one");
    assert_eq!(gather.recv().unwrap_err(), PatternError::Again);
    assert_eq!(
        gather.send(Msg::new()).unwrap_err().kind,
        PatternError::NotSupported
    );
}

#[test]
fn channel_is_single_part_pair() {
    let mut hub = MemHub::new();
    let mut channel = Channel::new();
    let (pipe, peer) = hub.pipe(0);
    let (second, refused) = hub.pipe(0);
    channel.attach(pipe, true);
    channel.attach(second, true);
    assert!(refused.is_terminated());
    channel.send(Msg::from_slice(b"hi")).unwrap();
    assert_eq!(peer.recv_all(), vec![vec![b"hi".to_vec()]]);
    assert_eq!(
        channel.send(more(b"x")).unwrap_err().kind,
        PatternError::Invalid
    );
    peer.send(&[b"a", b"b"]);
    peer.send(&[b"c"]);
    assert!(channel.has_in());
    assert_eq!(channel.recv().unwrap().data(), b"c");
    assert!(!channel.has_in());
}

#[test]
fn peer_reports_the_routing_id_of_its_last_connect() {
    let mut hub = MemHub::new();
    let mut peer = Peer::with_first_routing_id(10);
    assert_eq!(
        peer.option(PatternOptionName::PeerLastRoutingId),
        Ok(PatternOption::PeerLastRoutingId(0))
    );
    let (accepted, _a) = hub.pipe(0);
    let (connected, c) = hub.pipe(0);
    peer.attach(accepted, false);
    peer.attach(connected, true);
    assert_eq!(peer.last_connected_routing_id(), 11);
    let mut msg = Msg::from_slice(b"to c");
    msg.set_routing_id(11);
    peer.send(msg).unwrap();
    assert_eq!(c.recv_all(), vec![vec![b"to c".to_vec()]]);
    c.send(&[b"back"]);
    assert_eq!(peer.recv().unwrap().routing_id(), 11);
    peer.set_option(PatternOption::DisconnectPeer(11)).unwrap();
    assert!(c.is_terminated());
    assert_eq!(
        peer.set_option(PatternOption::DisconnectPeer(99)),
        Err(PatternError::HostUnreachable)
    );
    hub.deliver(&mut peer);
    let mut msg = Msg::from_slice(b"gone");
    msg.set_routing_id(11);
    assert_eq!(
        peer.send(msg).unwrap_err().kind,
        PatternError::HostUnreachable
    );
}
