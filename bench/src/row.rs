//! Rows of the benchmark table, as xtask reads them: one JSON object per line.

use serde::Serialize;

/// One row; every cell is already formatted so that xtask only lays out the table.
#[derive(Serialize)]
pub struct Row {
    pub section: &'static str,
    pub case: String,
    pub ours: String,
    pub baseline: String,
    pub ratio: String,
    pub note: String,
}

impl Row {
    pub fn print(&self) {
        println!("{}", serde_json::to_string(self).expect("rows serialize"));
    }
}

/// Median, min and max of a non-empty sample.
pub fn stats(samples: &[f64]) -> (f64, f64, f64) {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    (median, sorted[0], sorted[n - 1])
}

/// `median (min–max) unit`, with `digits` decimals.
pub fn cell(samples: &[f64], digits: usize, unit: &str) -> String {
    let (median, min, max) = stats(samples);
    format!("{median:.digits$} ({min:.digits$}–{max:.digits$}) {unit}")
}

pub fn median(samples: &[f64]) -> f64 {
    stats(samples).0
}
