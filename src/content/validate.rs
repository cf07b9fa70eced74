//! Raw -> domain: ids unique, references resolve, regexes compile within size limits, values sane.
