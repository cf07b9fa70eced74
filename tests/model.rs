//! Integration tests: the model, driven through its public API (`Simulation`, `simulate`,
//! `variant`, `whatif`) and the analytic helpers in `model::queueing`.

#[path = "model/build.rs"]
mod build;
#[path = "model/oracles.rs"]
mod oracles;
