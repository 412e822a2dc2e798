//! The process's allocator: mimalloc, asked for a plain block wherever the
//! alignment Rust needs is one every mimalloc block has.
//!
//! The `mimalloc` crate's allocator asks for every block by
//! `mi_malloc_aligned`, whose check of the alignment costs more than the
//! allocation itself (about 37 instructions a block against 20, in the
//! extractor's profile). Most of Rust's allocations need an alignment of a
//! machine word or less, and every mimalloc block is aligned to a word: its
//! block sizes are multiples of a word, and a page's first block is
//! aligned to 16 bytes (`MI_PAGE_MIN_START_BLOCK_ALIGN` in its `types.h`).

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// The alignment every block `mi_malloc` returns has.
const WORD: usize = std::mem::size_of::<usize>();

/// mimalloc, with plain allocations where the alignment allows them.
pub struct Mimalloc;

// SAFETY: each method hands the layout's size (and its alignment, where
// mimalloc is asked for it) to the mimalloc function of the same contract;
// a block of alignment up to a word comes from `mi_malloc`, whose blocks
// are all word-aligned, and mimalloc frees and reallocates any of its
// blocks whichever function made it.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe { by_alignment(layout, mi::mi_malloc, mi::mi_malloc_aligned) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe { by_alignment(layout, mi::mi_zalloc, mi::mi_zalloc_aligned) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` is a block this allocator made.
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` is a block this allocator made with `layout`.
        unsafe {
            if layout.align() <= WORD {
                mi::mi_realloc(ptr.cast::<c_void>(), new_size)
            } else {
                mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align())
            }
        }
        .cast()
    }
}

/// A block of `layout` from `plain` where a word's alignment is enough,
/// else from `aligned`.
///
/// # Safety
///
/// `layout` has a non-zero size (as [`GlobalAlloc::alloc`] asks).
#[inline]
unsafe fn by_alignment(
    layout: Layout,
    plain: unsafe extern "C" fn(usize) -> *mut c_void,
    aligned: unsafe extern "C" fn(usize, usize) -> *mut c_void,
) -> *mut u8 {
    // SAFETY: both are mimalloc's allocation functions, given the layout's
    // size (and alignment).
    unsafe {
        if layout.align() <= WORD {
            plain(layout.size())
        } else {
            aligned(layout.size(), layout.align())
        }
    }
    .cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_block_has_its_alignment_and_keeps_its_bytes_when_it_grows() {
        let a = Mimalloc;
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in (1..=80).chain([100, 1000, 5000, 70_000]) {
                let layout = Layout::from_size_align(size, align).expect("a valid layout");
                // SAFETY: the layout has a non-zero size; each block is
                // written within its size and freed once, with its layout.
                unsafe {
                    let p = a.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size}, align {align}");
                    for i in 0..size {
                        p.add(i).write(i as u8);
                    }
                    let q = a.realloc(p, layout, size * 3);
                    assert_eq!(q as usize % align, 0, "grown: size {size}, align {align}");
                    for i in 0..size {
                        assert_eq!(q.add(i).read(), i as u8);
                    }
                    a.dealloc(q, Layout::from_size_align(size * 3, align).expect("valid"));
                    let z = a.alloc_zeroed(layout);
                    assert_eq!(z as usize % align, 0, "zeroed: size {size}, align {align}");
                    assert!((0..size).all(|i| z.add(i).read() == 0));
                    a.dealloc(z, layout);
                }
            }
        }
    }
}
