//! Integration tests: the real binary on real files.

mod bad_inputs;
mod browser;
mod canonical;
mod cli;
mod crash;
mod errors;
mod fuzz;
mod harness;
mod interop;
mod link;
mod mapreduce;
mod ontology;
mod push;
mod quality;
mod queries;
mod robust;
mod serve;
mod validate;
