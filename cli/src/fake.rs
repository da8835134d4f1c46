//! `rollcall fake`: serves a fake provider (`rollcall::testing`) on loopback until interrupted,
//! for trying the CLI or another tool by hand.

use std::io::Write as _;

use rollcall::testing::{FakeProvider, Fault};

use crate::{Failure, FakeArgs};

pub(crate) fn run(args: FakeArgs) -> Result<(), Failure> {
    let provider: rollcall::Provider = args.provider.parse().map_err(Failure::Usage)?;
    let mut faults = Vec::new();
    for name in &args.fault {
        let fault: Fault = name.parse().map_err(Failure::Usage)?;
        if !fault.applies_to(provider.fake()) {
            return Err(Failure::Usage(format!(
                "the fault `{fault}` does not apply to {provider}"
            )));
        }
        faults.push(fault);
    }
    let exchanges_tokens = provider.info().schemes.iter().any(|scheme| {
        matches!(
            scheme.sends,
            rollcall::testing::FakeAuth::ClientCredentials { .. }
        )
    });
    if args.token_lifetime.is_some() && !exchanges_tokens {
        return Err(Failure::Usage(format!(
            "{provider} hands out no tokens (no token URL): --token-lifetime does not apply"
        )));
    }
    let listener =
        std::net::TcpListener::bind(("127.0.0.1", args.port.unwrap_or(0))).map_err(|e| {
            Failure::Usage(format!(
                "cannot listen on 127.0.0.1:{}: {e}",
                args.port.unwrap_or(0)
            ))
        })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| Failure::Provider(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let mut fake = FakeProvider::start(provider)
            .users(args.users)
            .listener(listener);
        for fault in faults {
            fake = fake.fault(fault);
        }
        if let Some(seconds) = args.token_lifetime {
            fake = fake.token_lifetime(std::time::Duration::from_secs(seconds));
        }
        let fake = fake.await;
        let mut out = std::io::stdout().lock();
        let faults: Vec<String> = fake.faults().iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "# a fake {provider} with {} users{} at {}",
            args.users,
            if faults.is_empty() {
                String::new()
            } else {
                format!(" and the fault(s) {}", faults.join(", "))
            },
            fake.uri()
        );
        if let Some(seconds) = args.token_lifetime {
            let _ = writeln!(out, "# each access token it hands out lives {seconds} s");
        }
        let _ = writeln!(
            out,
            "# export these, then: rollcall users {provider} --base-url {}",
            fake.uri()
        );
        for (name, value) in fake.env() {
            let _ = writeln!(out, "export {name}={value}");
        }
        let _ = writeln!(out, "# Ctrl-C stops it");
        let _ = out.flush();
        drop(out);
        tokio::signal::ctrl_c()
            .await
            .map_err(|e| Failure::Provider(format!("cannot wait for Ctrl-C: {e}")))
    })
}
