//! Roles that name a lexicon entry (`@system-call` in an idea's role): in a drill, every name
//! must be an entry of the lexicon (reported where it is written, with the closest id); in a
//! lexicon file, an entry's own ideas may not name another entry, so an entry's forms never
//! depend on the order entries are read in.

use super::Checker;
use crate::domain::{Drill, Form, Lexicon, role_reference};
use crate::suggest::closest;

/// The lexicon entries the roles of `drill`'s concept ideas and claims name, in the order
/// written; an unknown or empty name is reported at its alternative.
pub(crate) fn drill_roles<'d>(
    c: &mut Checker<'_>,
    drill: &'d Drill,
    lexicon: &Lexicon,
) -> Vec<&'d str> {
    let rubric = &drill.rubric;
    let sections = rubric
        .concepts
        .iter()
        .enumerate()
        .map(|(i, k)| (format!("rubric.concepts[{i}].ideas"), &k.ideas))
        .chain(
            rubric
                .red_flags
                .iter()
                .enumerate()
                .map(|(i, f)| (format!("rubric.red_flags[{i}].claims"), &f.claims)),
        )
        .chain(
            rubric
                .misconceptions
                .iter()
                .enumerate()
                .map(|(i, m)| (format!("rubric.misconceptions[{i}].claims"), &m.claims)),
        );
    let mut named = Vec::new();
    for (at, forms) in sections {
        for (at, id) in references(&at, forms) {
            if lexicon.entries.contains_key(id) {
                named.push(id);
                continue;
            }
            let help = match closest(id, lexicon.entries.keys().map(String::as_str)) {
                Some(best) => format!("did you mean `@{best}`?"),
                None => "`@ID` names an entry of drills/lexicon.yaml or of a lexicon file under \
                         --content"
                    .to_owned(),
            };
            c.report(
                &at,
                format!("unknown lexicon entry `@{id}` in a role"),
                Some(help),
            );
        }
    }
    named
}

/// Reports every role of an entry's plain ideas (`{key_path}[i]`) that names an entry.
pub(crate) fn entry_roles(c: &mut Checker<'_>, key_path: &str, forms: &[Form]) {
    for (at, id) in references(key_path, forms) {
        c.report(
            &at,
            format!("a lexicon entry's role cannot name another entry (`@{id}`)"),
            Some("list the words of the role here, or name the entry from a drill".to_owned()),
        );
    }
}

/// Each role alternative of `forms` that names an entry, with its key path.
fn references<'f>(key_path: &str, forms: &'f [Form]) -> Vec<(String, &'f str)> {
    let mut found = Vec::new();
    for (i, form) in forms.iter().enumerate() {
        let Form::Idea(idea) = form else { continue };
        for (r, role) in idea.roles.iter().enumerate() {
            for (k, alternative) in role.iter().enumerate() {
                if let Some(id) = role_reference(alternative) {
                    found.push((format!("{key_path}[{i}].all[{r}][{k}]"), id.trim()));
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Idea, Within};

    fn idea(roles: &[&[&str]]) -> Form {
        Form::Idea(Idea {
            roles: roles
                .iter()
                .map(|role| role.iter().map(|w| (*w).to_owned()).collect())
                .collect(),
            within: Within::Clause,
        })
    }

    #[test]
    fn finds_each_named_entry_with_its_path() {
        let forms = [
            Form::Phrase("@not-a-role".to_owned()),
            idea(&[&["every", "each"], &["lock", "@system-call"]]),
        ];
        assert_eq!(
            references("rubric.red_flags[0].claims", &forms),
            vec![(
                "rubric.red_flags[0].claims[1].all[1][1]".to_owned(),
                "system-call"
            )]
        );
    }

    #[test]
    fn plain_words_name_nothing() {
        assert!(references("x", &[idea(&[&["lock", "e-mail"], &["held"]])]).is_empty());
    }
}
