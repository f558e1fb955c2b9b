/* zmq_utils.h: kept for programs that still include it; everything it
 * used to declare is in zmq.h. License: MPL-2.0. */
#ifndef ZMQ_UTILS_H_RUST_ZMQ_CAPI
#define ZMQ_UTILS_H_RUST_ZMQ_CAPI
#include "zmq.h"
#endif
