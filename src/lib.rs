#![doc = include_str!("../README.md")]

pub mod build;
pub mod cli;
pub mod describe;
pub mod eval;
pub mod export;
pub mod extract;
pub mod fuzzing;
pub mod link;
pub mod push;
pub mod query;
pub mod rdf;
pub mod reduce;
pub mod resolve;
pub mod serve;
pub mod shards;
pub mod sources;
pub mod stats;
pub mod store;
pub mod validate;

/// mimalloc for every allocation of the process, C and C++ included (its
/// `override` feature): the extractor allocates many small strings, and
/// one allocator for all keeps a string that RocksDB allocates and Rust
/// frees (Oxigraph's error messages) in the same heap.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
