//! The allocator's options, in a test binary of its own: mimalloc's
//! options are set before other threads run, and this binary runs no other
//! test beside it.

use jinsong::MI_OPTION_PURGE_DELAY;

#[test]
fn freed_memory_goes_back_to_the_system_after_ten_milliseconds() {
    // SAFETY: reads one of mimalloc's options.
    let delay = || unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        // The user's choice stands.
        let before = delay();
        jinsong::return_freed_memory_promptly();
        assert_eq!(delay(), before);
        return;
    }
    // mimalloc 3's default, which no other option has: the option's number
    // is the right one.
    assert_eq!(delay(), 1000);
    jinsong::return_freed_memory_promptly();
    assert_eq!(delay(), 10);
}
