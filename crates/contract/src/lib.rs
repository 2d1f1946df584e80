//! Contract validation (in progress).
