use zmq::{Context, SocketType};

fn main() -> Result<(), zmq::Error> {
    let ctx = Context::new();
    let server = ctx.socket(SocketType::Rep)?;
    server.bind("tcp://127.0.0.1:*")?; // `*`: any free port
    let client = ctx.socket(SocketType::Req)?;
    client.connect(&server.get_last_endpoint()?.unwrap_or_default())?;

    client.send("Hello", 0)?;
    let request = server.recv_string(0)?.unwrap_or_default();
    server.send(format!("{request}, World"), 0)?;
    println!("{}", client.recv_string(0)?.unwrap_or_default());
    Ok(())
}
