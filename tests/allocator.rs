//! The allocator's options, in a test binary of their own: no other test
//! of this binary allocates while the option is set (mimalloc's options
//! are not synchronized).

use jinsong::MI_OPTION_PURGE_DELAY;

#[test]
fn the_allocator_purge_delay_is_set_to_ten_milliseconds() {
    // SAFETY: reads one of mimalloc's options.
    let delay = || unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
    let set_by_user = jinsong::purge_delay_set_by_user();
    let before = delay();
    // SAFETY: this binary's only test; libtest's other thread only waits.
    unsafe { jinsong::return_freed_memory_promptly() };
    if set_by_user {
        // The user's choice stands.
        assert_eq!(delay(), before);
        return;
    }
    // mimalloc 3's default, which no other option has: the option's number
    // is the right one.
    assert_eq!(before, 1000);
    assert_eq!(delay(), 10);
}
