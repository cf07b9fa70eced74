//! The interviewer: a state machine over a drill's phases that reads each input and answers with
//! one move, in PRODUCT.md's priority order. Free of terminal IO and of the clock.

pub mod pushback;
