//! Geodesy
