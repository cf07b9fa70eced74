//! Calendar formatting of wall-clock instants for transcripts: RFC 3339 and a compact stamp for
//! file names, in UTC. Pure: the caller reads the clock (only `repl.rs` may) and passes seconds
//! since the Unix epoch here.

/// `(year, month, day)` of a day count since 1970-01-01, proleptic Gregorian (the "days from
/// civil" inverse described by Howard Hinnant, `chrono`-compatible date algorithms).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March-based
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn parts(epoch_s: u64) -> (i64, u32, u32, u64, u64, u64) {
    let days = (epoch_s / 86_400) as i64;
    let rem = epoch_s % 86_400;
    let (year, month, day) = civil_from_days(days);
    (year, month, day, rem / 3600, rem / 60 % 60, rem % 60)
}

/// `2026-11-27T19:04:35Z`.
pub fn rfc3339(epoch_s: u64) -> String {
    let (y, mo, d, h, mi, s) = parts(epoch_s);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `20261127T190435Z`: sorts chronologically and is safe in file names everywhere.
pub fn file_stamp(epoch_s: u64) -> String {
    let (y, mo, d, h, mi, s) = parts(epoch_s);
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        // 2000-02-29 (a leap day in a century leap year) 12:34:56.
        assert_eq!(rfc3339(951_827_696), "2000-02-29T12:34:56Z");
        // `date -u -d @1764270275` → Thu Nov 27 19:04:35 UTC 2025.
        assert_eq!(rfc3339(1_764_270_275), "2025-11-27T19:04:35Z");
        assert_eq!(file_stamp(1_764_270_275), "20251127T190435Z");
        // 2100 is not a leap year: Feb 28 is followed by Mar 1.
        assert_eq!(rfc3339(4_107_456_000), "2100-02-28T00:00:00Z");
        assert_eq!(rfc3339(4_107_542_400), "2100-03-01T00:00:00Z");
    }
}
