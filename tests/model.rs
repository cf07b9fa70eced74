//! Integration tests: the model, driven through its public API (`Simulation`, `simulate`,
//! `variant`, `whatif`) and the analytic helpers in `model::queueing`.

#[path = "model/behaviour.rs"]
mod behaviour;
#[path = "model/blocking.rs"]
mod blocking;
#[path = "model/build.rs"]
mod build;
#[path = "model/cgroup.rs"]
mod cgroup;
#[path = "model/deploy.rs"]
mod deploy;
#[path = "model/incidents.rs"]
mod incidents;
#[path = "model/load.rs"]
mod load;
#[path = "model/mix.rs"]
mod mix;
#[path = "model/nesting.rs"]
mod nesting;
#[path = "model/oracles.rs"]
mod oracles;
#[path = "model/signatures.rs"]
mod signatures;
