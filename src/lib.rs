#![doc = include_str!("../README.md")]

pub mod build;
pub mod cli;
pub mod describe;
pub mod eval;
pub mod export;
pub mod extract;
pub mod link;
pub mod query;
pub mod rdf;
pub mod resolve;
pub mod serve;
pub mod sources;
pub mod stats;
pub mod store;
