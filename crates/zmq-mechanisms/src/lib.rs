//! zmq-mechanisms (under construction)
