//! `-v`, `-vv` and `--debug`: the AWS SDK's own logs on stderr (its `tracing` events: the orchestrator's request
//! attempts, retries, responses and request IDs; the EC2 client logs the same for its calls), as the AWS CLI's
//! `--debug` shows them. Nothing is logged without the flags, and nothing ever goes to stdout, which stays the
//! command's output.

use tracing::Level;

/// Starts logging at `verbosity`: 0 nothing, 1 info, 2 or more debug.
pub fn start(verbosity: u8) {
    let level = match verbosity {
        0 => return,
        1 => Level::INFO,
        _ => Level::DEBUG,
    };
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(true)
        .finish();
    // A second call (tests start the CLI more than once in one process) keeps the first subscriber.
    let _ = tracing::subscriber::set_global_default(subscriber);
}
