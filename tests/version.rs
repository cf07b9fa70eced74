//! The same incident, seed and version print the same bytes: `grade` relies on it to tell a
//! transcript whose stored outputs were edited (same version, different bytes) from one recorded
//! by a version whose model printed other numbers (graded on what it stored). So a change to any
//! tool output must come with a new crate version, and this test holds the two together: it
//! fingerprints what every shipped incident prints for two seeds and compares the fingerprint
//! with the one recorded for the current version.

use super::common::sysdrill;

/// The version whose outputs `FINGERPRINT` records, and the fingerprint.
const RECORDED_VERSION: &str = "0.8.0";
const FINGERPRINT: u64 = 0xe7fd_97ee_dbb6_497d;

/// Seeds fingerprinted per incident: two, so a seed-dependent change shows too.
const SEEDS: [u64; 2] = [1, 2];

/// One command per renderer family a candidate reaches for.
const COMMANDS: &[&str] = &[
    "uptime",
    "vmstat 1 3",
    "mpstat -P ALL 1 1",
    "top -b -n 1",
    "top -b -n 1 -w 200",
    "free -m",
    "iostat -x 1 2",
    "pidstat -w 1 1",
    "pidstat -t 1 1",
    "perf top",
    "perf lock contention -a -b",
    "cat /proc/lock_stat",
    "dmesg",
    "ps -eLo pid,tid,stat,wchan,comm",
    "cat /proc/softirqs",
    "cat /proc/interrupts",
    "cat /proc/meminfo",
    "cat /proc/vmstat",
    "cat /proc/pressure/cpu",
    "sar -q 1 1",
    "perf stat -a sleep 1",
    "perf trace -s -a -- sleep 1",
    // The one shipped cgroup with a quota; elsewhere a missing file.
    "cat /sys/fs/cgroup/system.slice/ledger.service/cpu.stat",
];

/// FNV-1a, 64 bits: stable across Rust releases, unlike `DefaultHasher`.
fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[test]
fn a_change_in_any_output_comes_with_a_new_version() {
    let catalog = sysdrill::content::load_catalog(&[]).expect("shipped content loads");
    let mut hash = 0xcbf2_9ce4_8422_2325;
    // BTreeMap keys: a fixed order of incidents.
    for id in catalog.incidents.keys() {
        for seed in SEEDS {
            let out = sysdrill()
                .arg("show")
                .arg(id.to_string())
                .args(["--seed", &seed.to_string()])
                .args(COMMANDS)
                .output()
                .expect("sysdrill runs");
            assert!(out.status.success(), "show {id} --seed {seed} failed");
            hash = fnv1a(hash, id.to_string().as_bytes());
            hash = fnv1a(hash, &out.stdout);
        }
    }
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        version == RECORDED_VERSION && hash == FINGERPRINT,
        "the outputs of sysdrill {version} fingerprint as {hash:#018x}; the recorded fingerprint \
         is {FINGERPRINT:#018x} for {RECORDED_VERSION}. If the outputs changed on purpose and \
         {RECORDED_VERSION} has landed, raise the version in Cargo.toml; then record \
         RECORDED_VERSION = {version:?} and FINGERPRINT = {hash:#018x} in tests/version.rs"
    );
}
