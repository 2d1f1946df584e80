//! Mock server (in progress).
