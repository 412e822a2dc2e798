//! Integration tests: the real binary on real files.

mod browser;
mod cli;
mod errors;
mod harness;
mod interop;
mod link;
mod ontology;
mod quality;
mod queries;
mod robust;
mod serve;
