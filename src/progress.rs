//! The candidate's progress across practice runs (`sysdrill stats`), read from saved transcripts.

use std::io::{self, Write};
use std::path::Path;

use crate::content::Catalog;

pub fn print_stats(catalog: &Catalog, dir: &Path, out: &mut impl Write) -> io::Result<()> {
    let _ = (catalog, dir, out);
    unimplemented!("progress: print_stats")
}
