//! `specs/waivers/diff.yaml`: findings of `cargo xtask diff` a maintainer has accepted on
//! purpose, each with a reason and an expiry date.
//!
//! A waiver matches findings by provider, rule and JSON pointer, exactly. A matched finding stays
//! in the report, marked waived with the reason, and still counts toward the release the report
//! asks for (accepting a breaking change does not make it compatible); only `--fail-on` ignores
//! it. A waiver past its expiry date waives nothing and is reported as expired, so an accepted
//! finding is looked at again; one that matches no finding is reported as unused. The file sits
//! beside the specs but not as `specs/*.yaml`, which codegen and CI read as providers.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::RULES;
use crate::spec::SpecError;
use crate::spec::locate::Locations;

/// Where the waivers live, relative to the project root.
pub const PATH: &str = "specs/waivers/diff.yaml";

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// The provider (spec file stem).
    pub provider: String,
    /// The rule of the finding (xtask/RULES.md).
    pub rule: String,
    /// The finding's JSON pointer, as the report prints it (`""` for a whole provider).
    pub pointer: String,
    /// Why the finding is accepted.
    pub reason: String,
    /// The last day the waiver holds, `YYYY-MM-DD`.
    pub expires: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiverFile {
    waivers: Vec<Waiver>,
}

/// What became of a waiver when the report was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WaiverStatus {
    /// It waived at least one finding.
    Applied,
    /// Its expiry date has passed: it waives nothing.
    Expired,
    /// It matches no finding.
    Unused,
}

/// A waiver as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverReport {
    /// The waiver.
    #[serde(flatten)]
    pub waiver: Waiver,
    /// What became of it.
    pub status: WaiverStatus,
}

/// The waivers of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Waivers {
    /// In file order.
    pub list: Vec<Waiver>,
}

impl Waivers {
    /// Reads `text`, the content of `file`; every problem is one line naming the file and where.
    pub fn parse(file: &str, text: &str) -> Result<Self, SpecError> {
        let parsed: WaiverFile = serde_yaml::from_str(text).map_err(|error| {
            let message = error.to_string();
            // serde_yaml appends " at line L column C"; the location leads the line instead.
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_owned();
            match error.location() {
                Some(at) => SpecError {
                    file: file.to_owned(),
                    location: Some(format!("{}:{}", at.line(), at.column())),
                    message: crate::spec::one_line(&message),
                },
                None => SpecError::whole(file, message),
            }
        })?;
        let locations = Locations::of(text);
        let at = |pointer: String, message: String| match locations.get(&pointer) {
            Some((line, column)) => SpecError {
                file: file.to_owned(),
                location: Some(format!("{line}:{column}")),
                message: crate::spec::one_line(&message),
            },
            None => SpecError::at(file, &pointer, message),
        };
        for (i, waiver) in parsed.waivers.iter().enumerate() {
            if !RULES.iter().any(|(rule, _, _)| *rule == waiver.rule) {
                return Err(at(
                    format!("/waivers/{i}/rule"),
                    format!("unknown rule `{}` (xtask/RULES.md lists them)", waiver.rule),
                ));
            }
            if !is_date(&waiver.expires) {
                return Err(at(
                    format!("/waivers/{i}/expires"),
                    format!("`{}` is not a date `YYYY-MM-DD`", waiver.expires),
                ));
            }
            if waiver.reason.trim().is_empty() {
                return Err(at(
                    format!("/waivers/{i}/reason"),
                    "a waiver needs a reason".to_owned(),
                ));
            }
        }
        Ok(Self {
            list: parsed.waivers,
        })
    }

    /// Reads [`PATH`] under `root`; no file means no waivers.
    pub fn load(root: &Path) -> anyhow::Result<Self> {
        let path = root.join(PATH);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Self::parse(PATH, &text)?),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(error) => Err(anyhow::anyhow!("{PATH}: {error}")),
        }
    }
}

/// Whether `text` is a calendar date `YYYY-MM-DD`.
fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// Today's date in UTC, `YYYY-MM-DD` (a waiver holds through its expiry day).
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil(i64::try_from(secs / 86_400).unwrap_or(0))
}

/// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil(0), "1970-01-01");
        assert_eq!(civil(20_424), "2025-12-02");
        assert_eq!(civil(11_016), "2000-02-29");
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2024-13-01"));
        assert!(!is_date("24-01-01"));
        assert!(!is_date("tomorrow"));
    }
}
