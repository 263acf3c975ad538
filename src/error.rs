//! Typed errors of the library. The binary wraps them with `anyhow`.

use std::io;

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),

    /// The input looks like binary data (NUL bytes, control characters).
    #[error("input looks binary ({reason}); use --force to clean it anyway")]
    Binary { reason: String },

    /// No encoding decodes the input well enough.
    #[error("input cannot be decoded: {reason}")]
    Undecodable { reason: String },

    /// An encoding label that encoding_rs does not know.
    #[error("unknown encoding `{0}`")]
    UnknownEncoding(String),

    /// A character that the chosen output encoding cannot represent.
    #[error("character U+{codepoint:04X} at char offset {char_offset} cannot be encoded in {encoding}; use --to-fallback entity")]
    Unencodable {
        codepoint: u32,
        char_offset: usize,
        encoding: &'static str,
    },

    /// A configuration value that makes no sense (unknown OpenCC config, bad dictionary line ...).
    #[error("invalid configuration: {0}")]
    Config(String),

    /// A JSON Lines record that is malformed (with `--on-error fail`).
    #[error("line {line}: {message}")]
    Record { line: u64, message: String },

    /// A user-supplied data file (dictionary, names list) is malformed.
    #[error("{path}:{line}: {message}")]
    DataFile {
        path: String,
        line: usize,
        message: String,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
