//! zmq-patterns (under construction)
