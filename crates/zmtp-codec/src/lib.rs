//! zmtp-codec (under construction)
