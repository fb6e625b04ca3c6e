//! The engine's hooks onto the management host: how deploy and destroy unjoin members and take the final
//! backup, and how every host command reaches the host, through SSM Run Command.

use std::sync::Arc;

use crate::deploy::client::Aws;
use crate::deploy::destroy::FinalBackup;
use crate::deploy::host::backup::HostBackup;
use crate::deploy::host::reconcile::HostUnjoin;
use crate::deploy::host::run_command::{Host, HostTimeouts};
use crate::deploy::interrupt::Interrupt;
use crate::deploy::progress::Reporter;
use crate::deploy::tuning::Tuning;
use crate::deploy::unjoin::MemberUnjoin;

/// Makes the [`Host`] of an instance for the hooks below: default timeouts, stopped by `interrupt`, progress to
/// `reporter`.
pub fn connector(
    tuning: Tuning,
    interrupt: &Interrupt,
    reporter: &Arc<dyn Reporter>,
) -> impl Fn(aws_sdk_ssm::Client, &str) -> Host + Send + Sync + 'static {
    let (interrupt, reporter) = (interrupt.clone(), reporter.clone());
    move |ssm: aws_sdk_ssm::Client, instance: &str| {
        Host::new(ssm, instance, tuning, HostTimeouts::default(), interrupt.clone(), reporter.clone())
    }
}

/// The hook deploy and destroy unjoin members with: `karmada-eks-reconcile unjoin` on the app's management host
/// (found in `home`, the app's region, when called), through SSM Run Command, stopped by `interrupt`.
pub fn host_unjoin(
    aws: &Aws,
    home: &str,
    app: &str,
    tuning: Tuning,
    interrupt: &Interrupt,
    reporter: &Arc<dyn Reporter>,
) -> Arc<dyn MemberUnjoin> {
    let connect = connector(tuning, interrupt, reporter);
    Arc::new(HostUnjoin { cfn: aws.cloudformation(home), ssm: aws.ssm(home), app: app.to_string(), connect })
}

/// The final-backup hook of destroy: `karmada-eks-reconcile backup final` on the app's host, found when called.
pub fn host_final_backup(
    aws: &Aws,
    home: &str,
    app: &str,
    tuning: Tuning,
    interrupt: &Interrupt,
    reporter: &Arc<dyn Reporter>,
) -> Arc<dyn FinalBackup> {
    let connect = connector(tuning, interrupt, reporter);
    Arc::new(HostBackup { cfn: aws.cloudformation(home), ssm: aws.ssm(home), app: app.to_string(), connect })
}
