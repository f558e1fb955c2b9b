//! zmq (under construction)
