//! The documents in the repository stay true: nothing cites a Markdown document the repository
//! does not hold, and the authoring walk-through runs as written.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every tracked file, as `git ls-files` lists it.
fn tracked_files() -> Vec<String> {
    let output = Command::new("git")
        .arg("ls-files")
        .current_dir(root())
        .output()
        .expect("git runs (the citation test reads the tracked files)");
    assert!(output.status.success(), "git ls-files failed");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Citations of Markdown documents in `text`: a file name ending in the Markdown extension,
/// with any path before it, not part of a web address.
fn citations(text: &str) -> Vec<String> {
    let pattern = regex::Regex::new(r"[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b").unwrap();
    pattern
        .find_iter(text)
        .filter(|found| !text[..found.start()].ends_with("://") && !found.as_str().contains("//"))
        .filter(|found| {
            // A web address: the token runs back to a scheme.
            let line_start = text[..found.start()].rfind('\n').map_or(0, |at| at + 1);
            let before = &text[line_start..found.start()];
            let token = before
                .rsplit([' ', '(', '<', '"', '\'', '`', '['])
                .next()
                .unwrap_or("");
            !token.contains("://")
        })
        .map(|found| found.as_str().trim_start_matches("./").to_owned())
        .collect()
}

#[test]
fn citations_are_found_and_web_addresses_are_not() {
    // The web address's document is spliced in so that this file cites no missing document.
    let text = format!(
        "see docs/MODEL.md, (ARCHITECTURE.md) and https://example.org/x/{}.md or README.md.",
        "NOTES"
    );
    assert_eq!(
        citations(&text),
        ["docs/MODEL.md", "ARCHITECTURE.md", "README.md"]
    );
}

/// A citation with a folder must name a tracked file, from the repository root or from the
/// citing file's folder; a bare name must be the name of some tracked document.
#[test]
fn no_tracked_file_cites_a_document_the_repository_lacks() {
    let files = tracked_files();
    let documents: Vec<&str> = files.iter().map(String::as_str).collect();
    let names: Vec<&str> = documents
        .iter()
        .filter_map(|path| Path::new(path).file_name()?.to_str())
        .collect();
    let mut missing = Vec::new();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(root().join(file)) else {
            continue; // binary files cite nothing
        };
        let folder = Path::new(file).parent().unwrap_or(Path::new(""));
        for cited in citations(&text) {
            let found = if cited.contains('/') {
                let from_folder = folder.join(&cited);
                documents.contains(&cited.as_str())
                    || from_folder
                        .to_str()
                        .is_some_and(|path| documents.contains(&path))
            } else {
                names.contains(&cited.as_str())
            };
            if !found {
                missing.push(format!("{file}: {cited}"));
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "documents cited but not in the repository:\n{}",
        missing.join("\n")
    );
}

/// The YAML blocks of docs/AUTHORING.md in order: the incident, the drill, the example added
/// in step 5 and its fix.
fn walk_through_blocks() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("docs/AUTHORING.md")).unwrap();
    let mut blocks = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line == "```yaml" {
            let block: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            blocks.push(block.join("\n") + "\n");
        }
    }
    blocks
}

#[test]
fn the_authoring_walk_through_runs_as_written() {
    let blocks = walk_through_blocks();
    assert_eq!(blocks.len(), 4, "the walk-through's YAML blocks changed");
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("my-content");
    std::fs::create_dir_all(content.join("incidents")).unwrap();
    std::fs::create_dir_all(content.join("drills")).unwrap();
    let drill = content.join("drills/checkout-stall.yaml");
    std::fs::write(content.join("incidents/checkout-stall.yaml"), &blocks[0]).unwrap();
    std::fs::write(&drill, &blocks[1]).unwrap();
    let run = |args: &[&str]| {
        let output = crate::common::sysdrill()
            .current_dir(dir.path())
            .args(["--content", "my-content"])
            .args(args)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.code(), text)
    };

    let (code, out) = run(&["show", "checkout-stall", "vmstat 1 5"]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(&["lint"]);
    assert_eq!((code, out.as_str()), (Some(0), "no problems found\n"));
    let (code, out) = run(&["check", "checkout-stall"]);
    assert_eq!(
        (code, out.as_str()),
        (Some(0), "✓ checkout-stall (2 examples)\n")
    );

    let mut text = std::fs::read_to_string(&drill).unwrap();
    text.push_str(&blocks[2]);
    std::fs::write(&drill, &text).unwrap();
    let (code, out) = run(&["check", "checkout-stall"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("concept one-hot-lock: should hit but did not"),
        "{out}"
    );

    let text = text.replace("    must_hit: [idle-but-slow, one-hot-lock]\n", &blocks[3]);
    std::fs::write(&drill, &text).unwrap();
    let (code, out) = run(&["check", "checkout-stall"]);
    assert_eq!(
        (code, out.as_str()),
        (Some(0), "✓ checkout-stall (3 examples)\n")
    );

    std::fs::write(
        dir.path().join("answer.txt"),
        "perf lock shows lock contention on one mutex, so I would shard the cart table.\n",
    )
    .unwrap();
    let (code, out) = run(&["score", "checkout-stall", "answer.txt"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("checkout-stall "), "{out}");
}
