//! Ctrl-C as a value the waiting loops can select on.

use tokio::sync::watch;

/// Becomes set once, when the user presses Ctrl-C (or a test sets it).
#[derive(Clone, Debug)]
pub struct Interrupt {
    rx: watch::Receiver<bool>,
}

/// Sets an [`Interrupt`].
#[derive(Debug)]
pub struct InterruptHandle {
    tx: watch::Sender<bool>,
}

impl InterruptHandle {
    pub fn interrupt(&self) {
        let _ = self.tx.send(true);
    }
}

impl Interrupt {
    /// An interrupt and the handle that sets it.
    pub fn new() -> (Interrupt, InterruptHandle) {
        let (tx, rx) = watch::channel(false);
        (Interrupt { rx }, InterruptHandle { tx })
    }

    /// An interrupt set by Ctrl-C; must be called inside a Tokio runtime.
    pub fn on_ctrl_c() -> Interrupt {
        let (interrupt, handle) = Interrupt::new();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\ninterrupted: stopping the waits (CloudFormation operations already started go on)");
                handle.interrupt();
            }
            std::future::pending::<()>().await;
        });
        interrupt
    }

    /// Whether the interrupt is set.
    pub fn is_set(&self) -> bool {
        *self.rx.borrow()
    }

    /// Resolves once the interrupt is set (never, if the handle is dropped unset).
    pub async fn wait(&mut self) {
        if self.rx.wait_for(|set| *set).await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// Sleeps for `duration`; `false` when interrupted first.
    pub async fn sleep(&mut self, duration: std::time::Duration) -> bool {
        tokio::select! {
            _ = tokio::time::sleep(duration) => true,
            _ = self.wait() => false,
        }
    }
}
