//! `hints:` each with text and a cost in points.

use super::*;

pub(super) fn hints(c: &mut Checker<'_>, raw: &RawDrill) -> Vec<Hint> {
    let mut hints = Vec::new();
    for (i, h) in raw.hints.iter().enumerate() {
        c.non_empty(&format!("hints[{i}].text"), "hint", &h.text);
        c.number(&format!("hints[{i}].cost"), h.cost, 0.0, 100.0, " points");
        hints.push(Hint {
            text: h.text.clone(),
            cost: h.cost,
        });
    }
    hints
}
