#![doc = include_str!("../README.md")]

pub mod allocator;
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
static ALLOCATOR: allocator::Mimalloc = allocator::Mimalloc;

/// mimalloc's `purge_delay` option (`mi_option_purge_delay` in its
/// `mimalloc.h`, which `libmimalloc-sys` leaves unnamed).
pub const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Has mimalloc give freed memory back to the system after 10 ms rather
/// than after version 3's default of one second, unless the user set the
/// delay (`MIMALLOC_PURGE_DELAY`, or its old name `MIMALLOC_RESET_DELAY`;
/// mimalloc reads either in any case). A build frees and allocates in
/// bursts: with the one-second delay its peak RSS was a quarter higher
/// (10 MB corpus: 822–844 against 653–655 MB), its wall time the same
/// within the machine's noise.
///
/// # Safety
///
/// mimalloc's options are not synchronized: call it before any other
/// thread of the process starts.
pub unsafe fn return_freed_memory_promptly() {
    if !purge_delay_set_by_user() {
        // SAFETY: the caller runs it before any other thread starts.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 10) };
    }
}

/// Whether the environment sets mimalloc's purge delay: under its name or
/// its old one (`MIMALLOC_RESET_DELAY`), in any case, as mimalloc reads it.
pub fn purge_delay_set_by_user() -> bool {
    std::env::vars_os().any(|(k, _)| {
        k.to_str().is_some_and(|k| {
            k.eq_ignore_ascii_case("MIMALLOC_PURGE_DELAY")
                || k.eq_ignore_ascii_case("MIMALLOC_RESET_DELAY")
        })
    })
}
