//! Decode: one full page of each provider's users into the generated list type, into
//! `serde_json::Value`, and into the baseline's minimal struct; ns per user.

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;

use crate::baseline;
use rollcall::Provider;

use crate::fixtures;
use crate::row::{Row, cell, median};

/// Users on the decoded page: the paging providers' full page, and the same count for
/// Worksection, whose single response has no page size of its own.
const PAGE: usize = 100;

pub fn all(quick: bool) -> Result<(), String> {
    let (budget, runs) = if quick {
        (Duration::from_millis(40), 3)
    } else {
        (Duration::from_millis(250), 7)
    };
    for &provider in Provider::ALL {
        // Only providers with a recorded shape have a baseline to compare with.
        let Some(mut pages) = fixtures::pages(provider, PAGE) else {
            continue;
        };
        let body = pages.remove(0);
        let (ours, minimal) = match provider {
            Provider::ZendeskSell => (
                sample::<rollcall::zendesk_sell::types::UserList>(&body, budget, runs)?,
                sample::<baseline::SellList>(&body, budget, runs)?,
            ),
            Provider::ZendeskSupport => (
                sample::<rollcall::zendesk_support::types::UserList>(&body, budget, runs)?,
                sample::<baseline::SupportList>(&body, budget, runs)?,
            ),
            Provider::Sequence => (
                sample::<rollcall::sequence::types::UserList>(&body, budget, runs)?,
                sample::<baseline::SequenceList>(&body, budget, runs)?,
            ),
            Provider::Worksection => (
                sample::<rollcall::worksection::types::Envelope>(&body, budget, runs)?,
                sample::<baseline::WorksectionEnvelope>(&body, budget, runs)?,
            ),
            _ => continue,
        };
        let value = sample::<serde_json::Value>(&body, budget, runs)?;
        Row {
            section: "Decode",
            case: format!(
                "{} page of {PAGE} ({} KiB), ns/user",
                provider.name(),
                body.len() / 1024
            ),
            ours: cell(&ours, 0, "ns"),
            baseline: format!(
                "Value {} · minimal {}",
                cell(&value, 0, "ns"),
                cell(&minimal, 0, "ns")
            ),
            ratio: format!(
                "{:.2}× Value · {:.2}× minimal",
                median(&ours) / median(&value),
                median(&ours) / median(&minimal)
            ),
            note: "time ratio: < 1 is faster than the baseline".to_owned(),
        }
        .print();
    }
    Ok(())
}

/// `decode-repeat PROVIDER ours|value|minimal COUNT`: decodes one page COUNT times and prints
/// nothing, for instruction counts under `valgrind --tool=callgrind`, which stay the same from
/// run to run where wall-clock samples on a shared machine do not.
pub fn repeat(args: &[String]) -> Result<(), String> {
    let [provider, target, count] = args else {
        return Err("usage: rollcall-bench decode-repeat PROVIDER ours|value|minimal COUNT".into());
    };
    let provider = fixtures::parse(provider)?;
    let count: usize = count.parse().map_err(|_| "COUNT must be a number")?;
    let body = fixtures::pages(provider, PAGE)
        .ok_or_else(|| format!("no recorded shape of {provider}"))?
        .remove(0);
    fn times<T: DeserializeOwned>(body: &[u8], count: usize) -> Result<(), String> {
        for _ in 0..count {
            black_box(serde_json::from_slice::<T>(black_box(body)).map_err(|e| e.to_string())?);
        }
        Ok(())
    }
    match (provider, target.as_str()) {
        (_, "value") => times::<serde_json::Value>(&body, count),
        (Provider::ZendeskSell, "ours") => {
            times::<rollcall::zendesk_sell::types::UserList>(&body, count)
        }
        (Provider::ZendeskSell, "minimal") => times::<baseline::SellList>(&body, count),
        (Provider::ZendeskSupport, "ours") => {
            times::<rollcall::zendesk_support::types::UserList>(&body, count)
        }
        (Provider::ZendeskSupport, "minimal") => times::<baseline::SupportList>(&body, count),
        (Provider::Sequence, "ours") => times::<rollcall::sequence::types::UserList>(&body, count),
        (Provider::Sequence, "minimal") => times::<baseline::SequenceList>(&body, count),
        (Provider::Worksection, "ours") => {
            times::<rollcall::worksection::types::Envelope>(&body, count)
        }
        (Provider::Worksection, "minimal") => times::<baseline::WorksectionEnvelope>(&body, count),
        _ => Err(format!("unknown target {target}")),
    }
}

/// `runs` samples of ns per user, each decoding `body` as often as fits in `budget`.
fn sample<T: DeserializeOwned>(
    body: &[u8],
    budget: Duration,
    runs: usize,
) -> Result<Vec<f64>, String> {
    serde_json::from_slice::<T>(body)
        .map_err(|e| format!("{}: {e}", std::any::type_name::<T>()))?;
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let mut iterations = 0u32;
        while start.elapsed() < budget {
            black_box(serde_json::from_slice::<T>(black_box(body)).expect("decoded once already"));
            iterations += 1;
        }
        let nanos = start.elapsed().as_nanos() as f64;
        samples.push(nanos / f64::from(iterations) / PAGE as f64);
    }
    Ok(samples)
}
