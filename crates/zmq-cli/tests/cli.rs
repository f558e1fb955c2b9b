//! The `zmq` binary end to end: processes talking to each other over tcp
//! and ipc. Every wait is bounded: a process that does not finish in time
//! is killed and the test fails.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(20);

fn zmq() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zmq"))
}

/// A fresh scratch directory for ipc paths and certificates, removed
/// when dropped.
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch() -> Scratch {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "zmq-cli-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

fn ipc(dir: &std::path::Path, name: &str) -> String {
    format!("ipc://{}", dir.join(name).display())
}

struct Finished {
    success: bool,
    stdout: String,
    stderr: String,
}

/// Writes `input` to the child's stdin, closes it, and waits for the exit
/// (killing the child after `LIMIT`).
fn finish(mut child: Child, input: &str) -> Finished {
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).unwrap();
    }
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stdout.read_to_string(&mut out);
        let _ = tx.send(out);
    });
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("the zmq process did not finish in {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = rx.recv_timeout(LIMIT).unwrap();
    let mut err = String::new();
    if let Some(stderr) = stderr.as_mut() {
        let _ = stderr.read_to_string(&mut err);
    }
    Finished {
        success: status.success(),
        stdout,
        stderr: err,
    }
}

fn start(args: &[&str]) -> Child {
    zmq()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Starts a binding command and waits for the endpoint it reports bound.
fn start_bound(args: &[&str]) -> (Child, String) {
    let mut child = start(args);
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stderr).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(LIMIT).expect("no bound line in time");
    let endpoint = line
        .trim_end()
        .strip_prefix("zmq: bound ")
        .unwrap_or_else(|| panic!("unexpected stderr: {line:?}"))
        .to_owned();
    (child, endpoint)
}

fn run(args: &[&str], input: &str) -> Finished {
    finish(start(args), input)
}

fn kill(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn keygen_prints_a_z85_pair_as_curve_keygen_does() {
    let out = run(&["keygen"], "");
    assert!(out.success, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let after = |title: &str| {
        let at = lines.iter().position(|l| *l == title).expect(title);
        assert_eq!(lines[at - 1], "", "a blank line before {title}");
        lines[at + 1].to_owned()
    };
    let public = after("== CURVE PUBLIC KEY ==");
    let secret = after("== CURVE SECRET KEY ==");
    assert_eq!((public.len(), secret.len()), (40, 40));
    assert_eq!(zmq::z85_decode(&public).unwrap().len(), 32);
    assert_eq!(zmq::curve_public(secret.as_bytes()).unwrap(), public);
    assert_eq!(lines.last(), Some(&secret.as_str()));
}

#[test]
fn keygen_writes_czmq_certificate_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch();
    let cert = dir.join("server.cert");
    let out = run(&["keygen", "--cert", cert.to_str().unwrap()], "");
    assert!(out.success, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let (public, secret) = (lines[lines.len() - 4], lines[lines.len() - 1]);
    let public_text = std::fs::read_to_string(&cert).unwrap();
    let secret_path = dir.join("server.cert_secret");
    let secret_text = std::fs::read_to_string(&secret_path).unwrap();
    let body = |text: &str| {
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        body(&public_text),
        [
            "metadata",
            "curve",
            &format!("    public-key = \"{public}\"")
        ]
    );
    assert_eq!(
        body(&secret_text),
        [
            "metadata",
            "curve",
            &format!("    public-key = \"{public}\""),
            &format!("    secret-key = \"{secret}\""),
        ]
    );
    let mode = std::fs::metadata(&secret_path)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn req_and_rep_processes_talk_over_tcp() {
    let (rep, endpoint) = start_bound(&[
        "rep",
        "tcp://127.0.0.1:*",
        "--bind",
        "--echo",
        "--count",
        "3",
        "--timeout",
        "10000",
    ]);
    assert!(endpoint.starts_with("tcp://127.0.0.1:"), "{endpoint}");
    let req = run(
        &["req", &endpoint, "--timeout", "10000"],
        "one\ntwo\nthree\n",
    );
    assert!(req.success, "{}", req.stderr);
    assert_eq!(req.stdout, "one\ntwo\nthree\n");
    let rep = finish(rep, "");
    assert!(rep.success, "{}", rep.stderr);
    assert_eq!(rep.stdout, "one\ntwo\nthree\n");
}

#[test]
fn rep_answers_with_stdin_lines() {
    let dir = scratch();
    let (mut rep, endpoint) =
        start_bound(&["rep", &ipc(&dir, "rep"), "--bind", "--timeout", "10000"]);
    // The replies go in first: REP answers one request per stdin line.
    let mut stdin = rep.stdin.take().unwrap();
    stdin.write_all(b"pong\npong again\n").unwrap();
    drop(stdin);
    let req = run(
        &["req", &endpoint, "--timeout", "10000"],
        "ping\nping again\n",
    );
    let rep = finish(rep, "");
    assert!(req.success && rep.success, "{} {}", req.stderr, rep.stderr);
    assert_eq!(req.stdout, "pong\npong again\n");
    assert_eq!(rep.stdout, "ping\nping again\n");
}

#[test]
fn sub_process_gets_what_matches_its_filter() {
    let dir = scratch();
    let (sub, endpoint) = start_bound(&[
        "sub",
        &ipc(&dir, "ps"),
        "--bind",
        "--subscribe",
        "weather.",
        "--count",
        "2",
        "--timeout",
        "10000",
    ]);
    let publisher = run(
        &[
            "pub",
            &endpoint,
            "--wait-subscribers",
            "1",
            "--timeout",
            "10000",
        ],
        "weather.10001 22C\nsports.x 1-0\nweather.10002 18C\n",
    );
    assert!(publisher.success, "{}", publisher.stderr);
    let sub = finish(sub, "");
    assert!(sub.success, "{}", sub.stderr);
    assert_eq!(sub.stdout, "weather.10001 22C\nweather.10002 18C\n");
}

#[test]
fn send_reaches_recv_with_frames_and_hex() {
    let dir = scratch();
    let (recv, endpoint) = start_bound(&[
        "recv",
        &ipc(&dir, "pp"),
        "--bind",
        "--count",
        "2",
        "--separator",
        "|",
        "--timeout",
        "10000",
    ]);
    let send = run(&["send", &endpoint, "--separator", "|"], "a|b|c\nsingle\n");
    assert!(send.success, "{}", send.stderr);
    let recv = finish(recv, "");
    assert!(recv.success, "{}", recv.stderr);
    assert_eq!(recv.stdout, "a|b|c\nsingle\n");

    let (pull, endpoint) = start_bound(&[
        "pull",
        &ipc(&dir, "hex"),
        "--bind",
        "--count",
        "1",
        "--hex",
        "--timeout",
        "10000",
    ]);
    let push = run(&["push", &endpoint, "--separator", " "], "AB z\n");
    assert!(push.success, "{}", push.stderr);
    assert_eq!(finish(pull, "").stdout, "4142\t7a\n");
}

#[test]
fn recv_fails_after_its_timeout() {
    let dir = scratch();
    let out = run(
        &["recv", &ipc(&dir, "quiet"), "--bind", "--timeout", "100"],
        "",
    );
    assert!(!out.success);
    assert!(
        out.stderr.contains("nothing received in 100 ms"),
        "{}",
        out.stderr
    );
    let usage = run(&["rep"], "");
    assert!(
        !usage.success && usage.stderr.contains("ENDPOINT"),
        "{}",
        usage.stderr
    );
}

#[test]
fn curve_server_accepts_the_allowed_client_only() {
    let dir = scratch();
    let server_cert = dir.join("server");
    let client_cert = dir.join("client");
    for cert in [&server_cert, &client_cert] {
        assert!(run(&["keygen", "--cert", cert.to_str().unwrap()], "").success);
    }
    let key = |path: &PathBuf| {
        let text = std::fs::read_to_string(path).unwrap();
        text.lines()
            .find_map(|l| l.trim().strip_prefix("public-key = \""))
            .unwrap()
            .trim_end_matches('"')
            .to_owned()
    };
    let (server_public, client_public) = (key(&server_cert), key(&client_cert));
    let secret = |path: &PathBuf| format!("{}_secret", path.display());
    let (rep, endpoint) = start_bound(&[
        "rep",
        "tcp://127.0.0.1:*",
        "--bind",
        "--echo",
        "--count",
        "1",
        "--timeout",
        "10000",
        "--curve-server",
        "--curve-cert",
        &secret(&server_cert),
        "--curve-allow",
        &client_public,
    ]);
    // A client with another key is refused: its request times out.
    let stranger = run(
        &[
            "req",
            &endpoint,
            "--timeout",
            "300",
            "--curve-server-key",
            &server_public,
        ],
        "let me in\n",
    );
    assert!(!stranger.success, "{}", stranger.stdout);
    let client = run(
        &[
            "req",
            &endpoint,
            "--timeout",
            "10000",
            "--curve-server-key",
            &server_public,
            "--curve-cert",
            &secret(&client_cert),
        ],
        "secret hello\n",
    );
    assert!(client.success, "{}", client.stderr);
    assert_eq!(client.stdout, "secret hello\n");
    assert_eq!(finish(rep, "").stdout, "secret hello\n");
}

#[test]
fn proxy_forwards_requests_and_replies() {
    let dir = scratch();
    let (front, back) = (ipc(&dir, "front"), ipc(&dir, "back"));
    let mut proxy = start(&[
        "proxy",
        &front,
        &back,
        "--frontend-type",
        "router",
        "--backend-type",
        "dealer",
    ]);
    let stderr = BufReader::new(proxy.stderr.take().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    for _ in 0..2 {
        let line = rx.recv_timeout(LIMIT).expect("proxy did not bind");
        assert!(line.starts_with("zmq: bound "), "{line}");
    }
    let worker = start(&["rep", &back, "--echo", "--count", "2", "--timeout", "10000"]);
    let client = run(&["req", &front, "--timeout", "10000"], "via\nproxy\n");
    kill(proxy);
    assert!(client.success, "{}", client.stderr);
    assert_eq!(client.stdout, "via\nproxy\n");
    assert_eq!(finish(worker, "").stdout, "via\nproxy\n");
}

#[test]
fn monitor_shows_accepted_and_connected() {
    let dir = scratch();
    // The monitored socket binds: a peer connecting is ACCEPTED.
    let (monitor, endpoint) = start_bound(&[
        "monitor",
        &ipc(&dir, "mon"),
        "--bind",
        "--type",
        "push",
        "--count",
        "3",
        "--timeout",
        "10000",
    ]);
    // The peer stays connected until the monitor has seen enough.
    let peer = start(&["pull", &endpoint, "--timeout", "10000"]);
    let out = finish(monitor, "");
    kill(peer);
    assert!(out.success, "{}", out.stderr);
    let names: Vec<&str> = out
        .stdout
        .lines()
        .filter_map(|l| l.split(' ').next())
        .collect();
    assert_eq!(
        names,
        ["LISTENING", "ACCEPTED", "HANDSHAKE_SUCCEEDED"],
        "{}",
        out.stdout
    );

    // The monitored socket connects: CONNECTED, in JSON.
    let (server, endpoint) = start_bound(&[
        "recv",
        &ipc(&dir, "srv"),
        "--bind",
        "--type",
        "router",
        "--timeout",
        "10000",
    ]);
    let out = run(
        &[
            "monitor",
            &endpoint,
            "--type",
            "dealer",
            "--json",
            "--count",
            "2",
            "--timeout",
            "10000",
        ],
        "",
    );
    kill(server);
    assert!(out.success, "{}", out.stderr);
    let first = out.stdout.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("{\"event\":\"CONNECTED\",\"value\":")
            && first.ends_with(&format!("\"endpoint\":\"{endpoint}\"}}")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("\"event\":\"HANDSHAKE_SUCCEEDED\""),
        "{}",
        out.stdout
    );
}
