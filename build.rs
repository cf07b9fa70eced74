//! Build script: only makes cargo rebuild when a file is added to or removed from `drills/` or
//! `incidents/`. `include_dir!` embeds those folders but, on stable Rust, tracks only the files
//! that existed at the last build, so a new drill would otherwise stay invisible.

fn main() {
    println!("cargo:rerun-if-changed=drills");
    println!("cargo:rerun-if-changed=incidents");
}
