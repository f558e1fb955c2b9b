//! Greeting exchange fed arbitrary bytes in arbitrary chunks: never panics,
//! never consumes more than 64 bytes, and gives the same outcome and the
//! same bytes to send as feeding the input in one piece.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zmtp_codec::{GreetingConfig, GreetingExchange, Mechanism, SocketType};

fuzz_target!(|data: &[u8]| {
    let Some((&chunk_seed, input)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(chunk_seed % 16) + 1;
    let config = || {
        let mut c = GreetingConfig::new(SocketType::Dealer);
        c.allow_downgrade = chunk_seed & 0x80 == 0;
        if chunk_seed & 0x40 != 0 {
            c.mechanism = Mechanism::PLAIN;
        }
        c
    };

    let mut whole = GreetingExchange::new(config());
    let whole_result = whole.receive(input);
    let whole_sent = whole.poll_transmit();

    let mut chunked = GreetingExchange::new(config());
    let mut sent = chunked.poll_transmit().to_vec();
    let mut consumed = 0;
    let mut result = Ok(0);
    for piece in input.chunks(chunk) {
        match chunked.receive(piece) {
            Ok(n) => {
                consumed += n;
                sent.extend_from_slice(&chunked.poll_transmit());
                if chunked.is_done() {
                    break;
                }
            }
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    match whole_result {
        Ok(n) => {
            assert!(n <= 64);
            assert_eq!(result.map(|_| consumed), Ok(n));
            assert_eq!(whole.peer(), chunked.peer());
            assert_eq!(&whole_sent[..], &sent[..]);
        }
        Err(e) => assert_eq!(result, Err(e)),
    }
});
