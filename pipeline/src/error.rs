//! Errors carry their exit code: the scheduler reads it to decide whether to retry.

/// A run's failure, classified by what the operator should do about it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad command line, config, SQL or missing source: fix the invocation (exit 2).
    #[error("{0}")]
    Config(String),
    /// A quality gate refused to publish (exit 3).
    #[error("{0}")]
    Gate(String),
    /// Another run holds the sink's lock (exit 4).
    #[error("{0}")]
    Locked(String),
    /// Anything else: I/O, object store, engine (exit 1; retrying may help).
    #[error(transparent)]
    Runtime(#[from] anyhow::Error),
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Exit code per the CLI contract.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Runtime(_) => 1,
            Error::Config(_) => 2,
            Error::Gate(_) => 3,
            Error::Locked(_) => 4,
        }
    }

    /// The whole cause chain on one line.
    pub fn one_line(&self) -> String {
        let text = match self {
            // Causes often repeat the message they wrap; keep each text once.
            Error::Runtime(e) => e
                .chain()
                .map(|c| c.to_string())
                .fold(String::new(), |acc, c| {
                    if acc.contains(c.trim()) {
                        acc
                    } else if acc.is_empty() {
                        c
                    } else {
                        format!("{acc}: {c}")
                    }
                }),
            other => other.to_string(),
        };
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Shorthand for a config error.
    pub fn config(msg: impl Into<String>) -> Error {
        Error::Config(msg.into())
    }
}

impl From<datafusion::error::DataFusionError> for Error {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        Error::Runtime(anyhow::Error::new(e))
    }
}

impl From<object_store::Error> for Error {
    fn from(e: object_store::Error) -> Self {
        Error::Runtime(anyhow::Error::new(e))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Runtime(anyhow::Error::new(e))
    }
}
