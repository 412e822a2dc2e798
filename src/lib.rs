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

/// mimalloc's `purge_delay` option (`mi_option_purge_delay` in its
/// `mimalloc.h`, which `libmimalloc-sys` leaves unnamed).
pub const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Has mimalloc give freed memory back to the system after 10 ms (the delay
/// of its version 2) rather than its version 3's second, unless
/// `MIMALLOC_PURGE_DELAY` says otherwise. A build frees and allocates in
/// bursts: with the longer delay its peak RSS was a third higher (10 MB
/// corpus: 850–870 against 630–640 MB) for the same time. Call it first,
/// before any thread starts.
pub fn return_freed_memory_promptly() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one number in mimalloc's options; not thread safe,
        // so called before any other thread runs.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 10) };
    }
}
