//! `pgf-fixture --port PORT`: serve the fixture on 127.0.0.1:PORT (0 = any free port).
//! Prints one line `pgf-fixture listening on http://127.0.0.1:PORT` once it accepts.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

const USAGE: &str =
    "usage: pgf-fixture --port PORT   (listens on 127.0.0.1 only; PORT 0 picks a free one)
       pgf-fixture --sdl         (print the GraphQL schema and exit)";

fn parse_port() -> Result<u16, String> {
    let mut args = std::env::args().skip(1);
    let mut port = None;
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            "--sdl" => {
                print!("{}", pgf_fixture::build_schema().sdl());
                std::process::exit(0);
            }
            "--port" | "-p" => args.next().ok_or("--port needs a value")?,
            other => match other.strip_prefix("--port=") {
                Some(v) => v.to_string(),
                None => return Err(format!("unexpected argument {other:?}")),
            },
        };
        port = Some(
            value
                .parse::<u16>()
                .map_err(|_| format!("bad port {value:?}"))?,
        );
    }
    port.ok_or_else(|| "--port is required".to_string())
}

#[tokio::main]
async fn main() -> ExitCode {
    let port = match parse_port() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("pgf-fixture: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("pgf-fixture: cannot listen on {addr}: {e}");
            return ExitCode::from(1);
        }
    };
    let local = listener.local_addr().unwrap_or(addr);
    println!("pgf-fixture listening on http://{local}");
    let _ = std::io::stdout().flush();
    // No graceful shutdown: a `hang` fault would hold it for minutes. SIGTERM ends the process.
    if let Err(e) = axum::serve(listener, pgf_fixture::app()).await {
        eprintln!("pgf-fixture: server error: {e}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
