//! The request mix for `try`: `slow_path.NAME=F` sets the share of requests that take path
//! NAME (0 turns it off), `slow_path_us.NAME=US` its compute. NAME may be left out when the
//! incident has one path.

use super::{WhatIfError, bad, suggest};
use crate::domain::Incident;

/// The request-mix parameters, as `help` lists them.
pub(super) const PARAMETERS: &[&str] = &["slow_path[.NAME]=F", "slow_path_us[.NAME]=US"];

/// Most compute a path may be given, microseconds (the incident format's bound on a time).
const MAX_COMPUTE_US: f64 = 1e9;

/// `help` lines for the request-mix parameters.
pub(super) fn help() -> Vec<(&'static str, String)> {
    vec![
        (
            PARAMETERS[0],
            "share of requests that take the request path NAME, 0 (never) to 1".to_owned(),
        ),
        (
            PARAMETERS[1],
            format!("user CPU of one request on path NAME, 0 to {MAX_COMPUTE_US} us"),
        ),
    ]
}

#[derive(Debug, Clone, PartialEq)]
pub enum PathChange {
    Fraction(f64),
    ComputeUs(f64),
}

/// A change to one request path (`None`: the incident's only path).
#[derive(Debug, Clone, PartialEq)]
pub struct PathOverride {
    pub path: Option<String>,
    pub change: PathChange,
}

impl PathOverride {
    fn parameter(&self) -> &'static str {
        match self.change {
            PathChange::Fraction(_) => "slow_path",
            PathChange::ComputeUs(_) => "slow_path_us",
        }
    }
}

fn number(name: &str, value: &str, high: f64, what: &str) -> Result<f64, WhatIfError> {
    let n: f64 = value
        .replace('_', "")
        .parse()
        .map_err(|_| bad(name, value, &format!("expected {what}")))?;
    if !n.is_finite() || !(0.0..=high).contains(&n) {
        return Err(bad(name, value, &format!("must be between 0 and {high}")));
    }
    Ok(n)
}

/// Parses one request-mix parameter; `None` when `base` is not one.
pub(super) fn parse(
    base: &str,
    name: &str,
    value: &str,
    path: Option<String>,
) -> Option<Result<PathOverride, WhatIfError>> {
    let change = match base {
        "slow_path" => {
            number(name, value, 1.0, "a share of requests such as 0.01").map(PathChange::Fraction)
        }
        "slow_path_us" => number(
            name,
            value.trim_end_matches("us"),
            MAX_COMPUTE_US,
            "microseconds such as 800",
        )
        .map(PathChange::ComputeUs),
        _ => return None,
    };
    Some(change.map(|change| PathOverride { path, change }))
}

/// Applies one request-mix override to `incident`.
pub(super) fn apply(incident: &mut Incident, o: &PathOverride) -> Result<(), WhatIfError> {
    let param = o.parameter();
    let names: Vec<String> = incident
        .workloads
        .iter()
        .flat_map(|w| w.paths.iter().map(|p| p.name.clone()))
        .collect();
    let wanted = match (&o.path, names.as_slice()) {
        (Some(name), _) => name.clone(),
        (None, [only]) => only.clone(),
        (None, []) => {
            return Err(bad(
                param,
                &value_text(&o.change),
                "every request here takes the same path",
            ));
        }
        (None, _) => {
            return Err(bad(
                param,
                &value_text(&o.change),
                &format!(
                    "name the path: {param}.NAME with NAME one of {}",
                    names.join(", ")
                ),
            ));
        }
    };
    let found = incident.workloads.iter_mut().find_map(|w| {
        let i = w.paths.iter().position(|p| p.name == wanted)?;
        Some((&mut w.paths, i))
    });
    let Some((paths, i)) = found else {
        return Err(WhatIfError::UnknownParameter {
            name: format!("{param}.{wanted}"),
            suggestion: suggest(&wanted, names.iter().map(String::as_str))
                .map(|s| format!("{param}.{s}")),
        });
    };
    match o.change {
        PathChange::Fraction(f) => {
            let others: f64 = paths
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, p)| p.fraction)
                .sum();
            if others + f > 1.0 + 1e-9 {
                return Err(bad(
                    param,
                    &value_text(&o.change),
                    &format!(
                        "the other paths already take {others} of the requests; at most {} is left",
                        (1.0 - others).max(0.0)
                    ),
                ));
            }
            paths[i].fraction = f;
        }
        PathChange::ComputeUs(us) => paths[i].request.compute_us = us,
    }
    Ok(())
}

fn value_text(change: &PathChange) -> String {
    match change {
        PathChange::Fraction(f) => f.to_string(),
        PathChange::ComputeUs(us) => us.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Override;
    use super::*;

    #[test]
    fn parses_a_paths_share_and_cost() {
        assert_eq!(
            Override::parse("slow_path.cache_miss=0.02"),
            Ok(Override::Path(PathOverride {
                path: Some("cache_miss".into()),
                change: PathChange::Fraction(0.02),
            }))
        );
        assert_eq!(
            Override::parse("slow_path_us=800us"),
            Ok(Override::Path(PathOverride {
                path: None,
                change: PathChange::ComputeUs(800.0),
            }))
        );
        for bad in [
            "slow_path=2",
            "slow_path=-0.1",
            "slow_path=often",
            "slow_path_us=-5",
        ] {
            let e = Override::parse(bad).unwrap_err().to_string();
            assert!(e.starts_with("bad value"), "{bad}: {e}");
        }
    }
}
