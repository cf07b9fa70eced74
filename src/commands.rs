//! The command registry: every word a candidate can type that is not an answer, in one place.
//!
//! The argv parser dispatches tool command lines through [`TOOLS`]; the REPL builds its
//! completions, hints and `help` from [`TOOLS`], [`SESSION`] and [`HOME`]; the interviewer's
//! input classifier ([`classify`]) decides here whether a line is a session command, a tool
//! command (a pipe of one included), or an answer. Adding a tool means adding one [`Tool`]
//! entry here and its parser and renderer under `render`.
//!
//! The classification rule: a line that looks like a command line is never an answer. It looks
//! like one when its first word (after `sudo`) names a program (one of the box's tools, a
//! filter such as `grep`, or a common program the box lacks, such as `strace`) and the rest
//! reads as arguments rather than prose; when it starts with a path; when an unknown lowercase
//! word is followed by a flag; or when it pipes into a program. Such lines go to the box, which
//! answers as a shell would (`bash: strace: command not found`), and they are never scored.
//!
//! Must stay cheap: it runs on every line the candidate types, before anything else.

use crate::render::argv::{self, ToolCommand, ToolError};

/// A tool the simulated box runs.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    /// The program name, as typed.
    pub name: &'static str,
    /// One line for `help`.
    pub summary: &'static str,
    /// Whole command lines offered by completion and listed by `help`, most useful first.
    pub examples: &'static [&'static str],
    /// Parses the arguments after the name.
    pub(crate) parse: fn(&[&str]) -> Result<ToolCommand, ToolError>,
}

/// Every tool on the box, in the order `help` lists them.
pub const TOOLS: &[Tool] = &[
    Tool {
        name: "vmstat",
        summary: "run queue, memory, swap, context switches, CPU split",
        examples: &["vmstat 1 5", "vmstat -w 1 5"],
        parse: argv::parse_vmstat,
    },
    Tool {
        name: "mpstat",
        summary: "per-CPU utilisation",
        examples: &["mpstat -P ALL 1 1"],
        parse: argv::parse_mpstat,
    },
    Tool {
        name: "pidstat",
        summary: "per-task CPU (-u), context switches (-w), threads (-t), memory (-r), disk (-d)",
        examples: &[
            "pidstat -u 1 1",
            "pidstat -w 1 1",
            "pidstat -t 1 1",
            "pidstat -r 1 1",
            "pidstat -d 1 1",
        ],
        parse: argv::parse_pidstat,
    },
    Tool {
        name: "iostat",
        summary: "disk utilisation and latency",
        examples: &["iostat -x 1 2"],
        parse: argv::parse_iostat,
    },
    Tool {
        name: "top",
        summary: "tasks and load, batch mode (-H: threads, -w N: lines N columns wide)",
        examples: &["top -b -n 1", "top -H -b -n 1", "top -b -n 1 -w 200"],
        parse: argv::parse_top,
    },
    Tool {
        name: "free",
        summary: "memory",
        examples: &["free -m"],
        parse: argv::parse_free,
    },
    Tool {
        name: "uptime",
        summary: "load averages",
        examples: &["uptime"],
        parse: argv::parse_uptime,
    },
    Tool {
        name: "perf",
        summary: "CPU profile (top), lock contention (lock record, then lock report), syscalls \
                  (trace -s), scheduler latency (sched record, then sched latency), counters (stat)",
        examples: &[
            "perf top",
            "perf lock record -a -- sleep 5",
            "perf lock report",
            "perf lock contention -a -b",
            "perf trace -s -p PID -- sleep 5",
            "perf sched record -- sleep 5",
            "perf sched latency",
            "perf stat -a -- sleep 5",
        ],
        parse: argv::parse_perf,
    },
    Tool {
        name: "cat",
        summary: "kernel files: lock statistics, task stacks, memory, interrupts, pressure, cgroups",
        examples: &[
            "cat /proc/lock_stat",
            "cat /proc/PID/task/*/stack",
            "cat /proc/meminfo",
            "cat /proc/vmstat",
            "cat /proc/interrupts",
            "cat /proc/softirqs",
            "cat /proc/pressure/cpu",
            "cat /proc/PID/cgroup",
            "cat /sys/fs/cgroup/SLICE/UNIT/cpu.stat",
            "cat /sys/fs/cgroup/SLICE/UNIT/cpu.max",
            "cat /sys/fs/cgroup/SLICE/UNIT/cpu.pressure",
            "cat /proc/PID/numa_maps",
        ],
        parse: argv::parse_cat,
    },
    Tool {
        name: "grep",
        summary: "search the lock statistics, or filter a tool's output",
        examples: &["grep : /proc/lock_stat"],
        parse: argv::parse_grep,
    },
    Tool {
        name: "egrep",
        summary: "grep -E",
        examples: &[],
        parse: argv::parse_egrep,
    },
    Tool {
        name: "dmesg",
        summary: "kernel messages (lockups, hung tasks, OOM)",
        examples: &["dmesg", "dmesg -T | tail -20"],
        parse: argv::parse_dmesg,
    },
    Tool {
        name: "ps",
        summary: "processes and threads with their state and wait channel",
        examples: &["ps -eLo pid,tid,stat,wchan,comm", "ps aux", "ps -eLf"],
        parse: argv::parse_ps,
    },
    Tool {
        name: "sar",
        summary: "run queue and load (-q), task creation and switches (-w)",
        examples: &["sar -q 1 5", "sar -w 1 5"],
        parse: argv::parse_sar,
    },
    Tool {
        name: "strace",
        summary: "system call counts and times of a process (-c -f -p PID)",
        examples: &["strace -c -f -p PID"],
        parse: argv::parse_strace,
    },
    Tool {
        name: "numactl",
        summary: "NUMA nodes: their CPUs, memory and distances (-H)",
        examples: &["numactl -H", "numactl -s"],
        parse: argv::parse_numactl,
    },
    Tool {
        name: "numastat",
        summary: "NUMA allocation counters per node, or a process's memory per node (-p)",
        examples: &["numastat", "numastat -p PID"],
        parse: argv::parse_numastat,
    },
    Tool {
        name: "systemctl",
        summary: "a service's properties: its main pid, cgroup, tasks and CPU quota",
        examples: &[
            "systemctl show UNIT -p CPUQuotaPerSecUSec",
            "systemctl show UNIT -p MainPID,ControlGroup,TasksCurrent,ActiveState",
        ],
        parse: argv::parse_systemctl,
    },
    Tool {
        name: "timeout",
        summary: "run strace for a while: timeout SECONDS strace …",
        examples: &["timeout 5 strace -c -f -p PID"],
        parse: argv::parse_timeout,
    },
];

/// Programs that only make sense after a pipe on this box (`dmesg | tail -20`).
pub const FILTERS: &[&str] = &["head", "tail", "wc"];

/// Common programs a candidate may reach for that this box does not have: typed, they get
/// `command not found` and the list of what is there, never a score.
pub const ABSENT: &[&str] = &[
    "atop",
    "awk",
    "bpftrace",
    "cd",
    "df",
    "dstat",
    "du",
    "echo",
    "ethtool",
    "gdb",
    "htop",
    "iotop",
    "ip",
    "journalctl",
    "kill",
    "less",
    "ls",
    "lscpu",
    "lsof",
    "ltrace",
    "more",
    "netstat",
    "nproc",
    "pgrep",
    "pidof",
    "pkill",
    "pstack",
    "pwd",
    "sed",
    "slabtop",
    "sort",
    "ss",
    "sysctl",
    "taskset",
    "tcpdump",
    "trace-cmd",
    "turbostat",
    "uniq",
    "vim",
    "watch",
];

/// The interviewer's own commands inside a drill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Help,
    Hint,
    Score,
    Time,
    Try,
    Quit,
}

/// A command of the drill session or of the home screen.
#[derive(Debug, Clone, Copy)]
pub struct Command {
    /// Names, the first one canonical (`quit`, `exit`).
    pub names: &'static [&'static str],
    /// How it is typed, for `help`.
    pub usage: &'static str,
    pub summary: &'static str,
}

/// Commands inside a drill, in the order `help` lists them.
pub const SESSION: &[(Verb, Command)] = &[
    (
        Verb::Help,
        Command {
            names: &["help", "?"],
            usage: "help",
            summary: "this list",
        },
    ),
    (
        Verb::Hint,
        Command {
            names: &["hint"],
            usage: "hint",
            summary: "a hint (costs points)",
        },
    ),
    (
        Verb::Score,
        Command {
            names: &["score"],
            usage: "score",
            summary: "the score so far",
        },
    ),
    (
        Verb::Time,
        Command {
            names: &["time"],
            usage: "time",
            summary: "simulated and wall time",
        },
    ),
    (
        Verb::Try,
        Command {
            names: &["try"],
            usage: "try P=V ... [TOOL]",
            summary: "re-run the box with a change, e.g. `try threads=16 vmstat 1 3`",
        },
    ),
    (
        Verb::Quit,
        Command {
            names: &["quit", "exit"],
            usage: "quit",
            summary: "finish with the scorecard (Ctrl-D too)",
        },
    ),
];

/// What the home screen understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HomeVerb {
    List,
    Start,
    Stats,
    Help,
    Quit,
}

/// Commands on the home screen, in the order `help` lists them.
pub const HOME: &[(HomeVerb, Command)] = &[
    (
        HomeVerb::List,
        Command {
            names: &["list", "ls"],
            usage: "list",
            summary: "the drills",
        },
    ),
    (
        HomeVerb::Start,
        Command {
            names: &["start"],
            usage: "start ID",
            summary: "practise a drill (a prefix is enough; Tab completes)",
        },
    ),
    (
        HomeVerb::Stats,
        Command {
            names: &["stats"],
            usage: "stats",
            summary: "how to see your progress",
        },
    ),
    (
        HomeVerb::Help,
        Command {
            names: &["help", "?"],
            usage: "help",
            summary: "this list",
        },
    ),
    (
        HomeVerb::Quit,
        Command {
            names: &["quit", "exit"],
            usage: "quit",
            summary: "leave (Ctrl-D too)",
        },
    ),
];

/// The tool named `name`.
pub fn tool(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().find(|tool| tool.name == name)
}

/// The names of the box's tools, for messages ("try: vmstat, mpstat, …").
pub fn tool_names() -> impl Iterator<Item = &'static str> {
    TOOLS.iter().map(|tool| tool.name)
}

/// Every example command line, in `help` order.
pub fn tool_examples() -> impl Iterator<Item = &'static str> {
    TOOLS.iter().flat_map(|tool| tool.examples.iter().copied())
}

/// What a shell prints for a program it does not have.
pub fn not_found(program: &str) -> String {
    format!("bash: {program}: command not found")
}

/// The line the interviewer's box adds under `command not found`: what it has instead.
pub fn available() -> String {
    let names: Vec<&str> = TOOLS
        .iter()
        .filter(|tool| !tool.examples.is_empty())
        .map(|tool| tool.name)
        .collect();
    format!(
        "(not available on this box; try: {}; `help` lists them)",
        names.join(", ")
    )
}

/// The program a command line runs (after `sudo`), if the box does not have it.
pub fn missing_program(line: &str) -> Option<&str> {
    let first = line.split_whitespace().find(|word| *word != "sudo")?;
    (tool(first).is_none() && !FILTERS.contains(&first)).then_some(first)
}

/// What one line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    Blank,
    /// A session command and what follows its name (`try threads=8` → `Try`, `threads=8`).
    Verb(Verb, &'a str),
    /// A command line for the box: a tool, a pipe, or a program it lacks.
    Command(&'a str),
    /// Reasoning to score.
    Answer(&'a str),
}

/// Classifies one line typed inside a drill (see the module documentation for the rule).
pub fn classify(line: &str) -> Line<'_> {
    let line = line.trim();
    let Some(first) = line.split_whitespace().next() else {
        return Line::Blank;
    };
    let rest = line[first.len()..].trim_start();
    let lower = first.to_ascii_lowercase();
    for (verb, command) in SESSION {
        if !command.names.contains(&lower.as_str()) {
            continue;
        }
        // `try` takes arguments (`try threads=8`); the others stand alone, so "time is spent in
        // the kernel" or "help me understand" stay answers. `try` followed by prose ("try
        // sharding the lock") is an answer too.
        let takes_args = *verb == Verb::Try && (rest.is_empty() || first_word_has('=', rest));
        if rest.is_empty() || takes_args {
            return Line::Verb(*verb, rest);
        }
    }
    if looks_like_command(line) {
        Line::Command(line)
    } else {
        Line::Answer(line)
    }
}

fn first_word_has(c: char, text: &str) -> bool {
    text.split_whitespace()
        .next()
        .is_some_and(|w| w.contains(c))
}

/// Whether `name` is a program a shell on a Linux box would know (the box's tools, filters,
/// or programs it lacks).
pub fn is_program(name: &str) -> bool {
    tool(name).is_some() || FILTERS.contains(&name) || ABSENT.contains(&name)
}

/// The command-line test of [`classify`].
pub fn looks_like_command(line: &str) -> bool {
    let mut words = line.split_whitespace().peekable();
    while words.peek() == Some(&"sudo") {
        words.next();
    }
    let Some(first) = words.next() else {
        // `sudo` alone.
        return !line.trim().is_empty();
    };
    let rest: Vec<&str> = words.collect();
    if first.starts_with('/') || first.starts_with("./") || first.starts_with("~/") {
        return true;
    }
    if is_program(first) {
        // A program's own verb (`systemctl show`) is an argument even when it is an English
        // word; the words after it still tell prose apart.
        let verb = rest
            .first()
            .is_some_and(|word| VERBS.contains(&(first, *word)));
        return !rest
            .iter()
            .skip(usize::from(verb))
            .any(|word| is_prose(word));
    }
    let program_like = first
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-.+".contains(c))
        && first.starts_with(|c: char| c.is_ascii_lowercase());
    if !program_like {
        return false;
    }
    // `bpftrace -e …`: an unknown program with a flag.
    let flagged = rest
        .first()
        .is_some_and(|word| word.len() > 1 && word.starts_with('-'));
    // `foo x | head`: a pipe into a program.
    let piped = rest
        .windows(2)
        .any(|pair| pair[0] == "|" && is_program(pair[1]))
        || rest
            .iter()
            .any(|word| word.len() > 1 && word.starts_with('|') && is_program(&word[1..]));
    (flagged || piped) && !rest.iter().any(|word| is_prose(word))
}

/// Programs whose first argument is a verb that reads as English.
const VERBS: &[(&str, &str)] = &[("systemctl", "show")];

/// Words that mark a sentence about a tool rather than a command line ("top shows the worker
/// at 800%", "free memory is low").
fn is_prose(word: &str) -> bool {
    const PROSE: &[&str] = &[
        "a", "about", "and", "are", "as", "at", "be", "because", "but", "by", "could", "for",
        "from", "has", "have", "high", "i", "i'd", "i'm", "in", "is", "it", "it's", "looks", "low",
        "means", "more", "most", "my", "not", "of", "on", "or", "said", "says", "seems", "should",
        "show", "showed", "shows", "so", "than", "that", "the", "then", "there", "this", "to",
        "very", "was", "we", "were", "which", "while", "with", "would",
    ];
    if word.starts_with('-') {
        return false; // a flag
    }
    let word = word.trim_matches(|c: char| c.is_ascii_punctuation() && c != '\'');
    PROSE.contains(&word.to_ascii_lowercase().as_str())
}

/// Whether an answer is too thin to score: no letters, or a single word ("clear", "ok",
/// "contention"). The interviewer nudges instead of crediting it.
pub fn is_junk(answer: &str) -> bool {
    let words: Vec<&str> = answer.split_whitespace().collect();
    words.len() < 2 || !answer.chars().any(char::is_alphabetic)
}

/// Lines a candidate types to say they have finished ("done", "I'm done", "that's all"). They
/// are not reasoning to score; the interviewer points at `quit` instead.
const SIGN_OFFS: &[&str] = &[
    "done",
    "im done",
    "i am done",
    "all done",
    "finished",
    "im finished",
    "i am finished",
    "finish",
    "end",
    "the end",
    "submit",
    "thats all",
    "thats it",
    "nothing else",
    "no more",
    "stop",
];

/// Whether a whole answer only says the candidate has finished. Case, apostrophes and end
/// punctuation are ignored, so "Done." and "I'm done!" count; a sentence that goes on ("done
/// with the disk, now the lock") does not.
pub fn is_sign_off(answer: &str) -> bool {
    let plain: String = answer
        .chars()
        .filter(|c| !matches!(c, '\'' | '\u{2019}' | '.' | '!' | ','))
        .collect::<String>()
        .to_lowercase();
    let words: Vec<&str> = plain.split_whitespace().collect();
    SIGN_OFFS.contains(&words.join(" ").as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_offs_are_whole_lines_only() {
        for line in [
            "done",
            "Done.",
            "I'm done!",
            "that's all",
            "I am finished",
            "  submit ",
        ] {
            assert!(is_sign_off(line), "{line}");
        }
        for line in [
            "done with the disk, now the lock",
            "the end of the queue grows",
            "stop adding threads",
            "",
            "the lock",
        ] {
            assert!(!is_sign_off(line), "{line}");
        }
    }

    #[test]
    fn command_lines_are_never_answers() {
        for line in [
            "strace -p 1",
            "ls",
            "ps -ef",
            "ps -eLo pid,tid,stat,wchan:32,comm | grep ingest",
            "perf top | head -5",
            "grep x /proc/lock_stat",
            "sar -q 1 3",
            "sudo vmstat 1",
            "/usr/bin/foo",
            "bpftrace -e 'kprobe:do_sys_open { @ = count(); }'",
            "vmstat 1 5 | tail -2",
            "perf lock reprot",
            "top",
        ] {
            assert_eq!(classify(line), Line::Command(line), "{line}");
        }
    }

    #[test]
    fn prose_about_tools_stays_an_answer() {
        for line in [
            "top shows the worker at 800%",
            "free memory is low",
            "perf shows the spinlock slow path",
            "I ran vmstat and cs is high",
            "try sharding the lock",
            "time is spent in the kernel",
            "help me understand the lock",
        ] {
            assert_eq!(classify(line), Line::Answer(line), "{line}");
        }
    }

    #[test]
    fn session_verbs() {
        assert_eq!(
            classify("try threads=8"),
            Line::Verb(Verb::Try, "threads=8")
        );
        assert_eq!(classify("try"), Line::Verb(Verb::Try, ""));
        assert_eq!(classify(" HINT "), Line::Verb(Verb::Hint, ""));
        assert_eq!(classify("?"), Line::Verb(Verb::Help, ""));
        assert_eq!(classify("exit"), Line::Verb(Verb::Quit, ""));
        assert_eq!(classify("   "), Line::Blank);
    }

    #[test]
    fn every_example_parses_and_every_tool_is_dispatched_here() {
        for example in tool_examples() {
            // `PID` in an example stands for a process id the candidate reads off `ps` or `top`,
            // `SLICE/UNIT` for the cgroup path `/proc/PID/cgroup` names.
            let runnable = example.replace("PID", "1");
            assert!(
                crate::render::parse_command(&runnable).is_ok(),
                "{example} does not parse"
            );
            assert_eq!(classify(example), Line::Command(example));
        }
        for program in ABSENT {
            let message = crate::render::parse_command(program).unwrap_err().message;
            assert_eq!(message, format!("bash: {program}: command not found"));
            assert_eq!(missing_program(program), Some(*program));
        }
    }

    #[test]
    fn a_programs_own_verb_is_no_prose() {
        let line = "systemctl show ledger -p CPUQuotaPerSecUSec";
        assert_eq!(classify(line), Line::Command(line));
        let answer = "systemctl show says the quota is 2 CPUs";
        assert_eq!(classify(answer), Line::Answer(answer));
        let answer = "top show the worker busy";
        assert_eq!(classify(answer), Line::Answer(answer));
    }

    #[test]
    fn junk_is_thin() {
        assert!(is_junk("clear"));
        assert!(is_junk("contention"));
        assert!(is_junk("???"));
        assert!(is_junk("1 2 3"));
        assert!(!is_junk("lock contention"));
    }
}
