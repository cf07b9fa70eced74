//! pending
use crate::model::Trace;
pub(crate) fn render(_t: &Trace, _s: usize) -> String {
    String::new()
}
