//! arcplan: arc routing for street sweepers, sprinkler trucks and salt trucks.
//!
//! The data flows one way:
//! `osm (+ terrain) -> network -> city (scenario + network) -> instance ->
//! solver -> plan -> export`.
//! The solver sees only an [`instance::Instance`]; benchmark files and real
//! cities go through the same code.

pub mod batch;
pub mod city;
pub mod cli;
pub mod error;
pub mod export;
pub mod fixtures;
pub mod geodesy;
pub mod instance;
pub mod network;
pub mod osm;
pub mod plan;
pub mod replan;
pub mod scenario;
pub mod serve;
pub mod solver;
pub mod terrain;
pub mod util;

pub use error::{Error, Result};
