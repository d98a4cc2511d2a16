//! `graph-double`: run the double by hand.
//!
//! ```text
//! graph-double [--port N] [--accounts N] [--businesses N] [--seed N]
//!              [--latency-ms N] [--ragged] [--sandbox] [--currencies USD,JPY,…]
//! ```
//! Prints the URL and a valid token, then serves until interrupted.

use graph_double::{DoubleConfig, GraphDouble};

fn usage() -> ! {
    eprintln!(
        "usage: graph-double [--port N] [--accounts N] [--businesses N] [--seed N] [--latency-ms N] [--ragged] [--sandbox] [--currencies USD,JPY]"
    );
    std::process::exit(2)
}

fn main() {
    let mut config = DoubleConfig::default();
    let mut args = std::env::args().skip(1);
    let number =
        |v: Option<String>| -> u64 { v.and_then(|s| s.parse().ok()).unwrap_or_else(|| usage()) };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                config.port = u16::try_from(number(args.next())).unwrap_or_else(|_| usage())
            }
            "--accounts" => config.data.accounts = number(args.next()) as usize,
            "--businesses" => config.data.businesses = number(args.next()) as usize,
            "--seed" => config.data.seed = number(args.next()),
            "--latency-ms" => config.knobs.latency_ms = number(args.next()),
            "--ragged" => config.knobs.ragged_pages = true,
            "--sandbox" => config.data.sandbox = true,
            "--currencies" => {
                config.data.currencies = args
                    .next()
                    .unwrap_or_else(|| usage())
                    .split(',')
                    .map(|s| s.trim().to_uppercase())
                    .collect()
            }
            "-h" | "--help" => usage(),
            _ => usage(),
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("graph-double: {e}");
            std::process::exit(1)
        }
    };
    runtime.block_on(async move {
        let double = match GraphDouble::start(config).await {
            Ok(d) => d,
            Err(e) => {
                eprintln!("graph-double: cannot listen: {e}");
                std::process::exit(1)
            }
        };
        println!("url={}", double.url());
        println!("token={}", double.issue_token());
        let _ = tokio::signal::ctrl_c().await;
    });
}
