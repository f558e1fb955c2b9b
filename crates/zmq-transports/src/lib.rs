//! zmq-transports (under construction)
