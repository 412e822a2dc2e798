//! Fuzz target: the source manifest parser on any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    jinsong::fuzzing::manifest(data);
});
