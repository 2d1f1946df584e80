//! libFuzzer target: any bytes given to the contract validator give a report or a typed error,
//! never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    thoughtindustries_fuzz::validate_response(data);
});
