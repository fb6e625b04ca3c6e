//! Command-line interface: arguments only; each command's work lives in `commands/`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Synthesize and deploy Karmada on Amazon EKS as CloudFormation stacks.
///
/// Reads karmada-eks.toml from the working directory (or --config); every field has a built-in default, so all
/// commands work without a config file. AWS credentials and endpoints come from the standard SDK chain
/// (environment, profiles, SSO, instance roles, AWS_ENDPOINT_URL).
#[derive(Debug, Parser)]
#[command(name = "karmada-eks", version = VERSION, propagate_version = true, max_term_width = 110)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// `0.2.0 (<commit> <date>)`: the package version and the commit it was built from (build.rs; `unknown` outside a
/// git checkout), as `cargo --version` prints.
pub const VERSION: &str =
    concat!(env!("CARGO_PKG_VERSION"), " (", env!("KARMADA_EKS_COMMIT"), " ", env!("KARMADA_EKS_COMMIT_DATE"), ")");

/// `help --help` (and `help -h`) as `--help`: clap's `help` subcommand takes only command names, and "help on
/// help" is what a user who types it wants, as `git help --help` answers.
pub fn help_help(args: impl IntoIterator<Item = std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let args: Vec<std::ffi::OsString> = args.into_iter().collect();
    match args.get(1..) {
        Some([help, flag]) if help == "help" && (flag == "--help" || flag == "-h") => {
            vec![args[0].clone(), flag.clone()]
        }
        _ => args,
    }
}

#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Configuration file [default: ./karmada-eks.toml if present, else built-in defaults]
    #[arg(long, global = true, value_name = "PATH", env = "KARMADA_EKS_CONFIG")]
    pub config: Option<PathBuf>,
    /// No colour in the output, as NO_COLOR=1 does (https://no-color.org); colour is only ever on a terminal
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Log what the AWS SDK does on stderr: -v the requests' outcomes, -vv each request and response with its
    /// request ID (as the AWS CLI's --debug)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// The same as -vv
    #[arg(long, global = true)]
    pub debug: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct AwsArgs {
    /// AWS shared-config profile to use; wins over credentials in the environment, as in the AWS CLI
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Region for API calls that are not tied to a stack's own region [default: from the SDK chain]
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct AssemblyArgs {
    /// Instead of synthesizing from the config: a directory holding a cloud assembly (written earlier by `synth`),
    /// or a command (run by `sh -c`, as the AWS CDK CLI's --app) that writes one into the directory $CDK_OUTDIR
    /// names, e.g. 'cargo run -q -p karmada-eks-constructs --example extend'
    #[arg(short, long, value_name = "DIR|COMMAND")]
    pub app: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the CloudFormation templates and manifest (no AWS access needed)
    Synth(SynthArgs),
    /// List the stacks in deploy order with their dependencies
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Show what deploying would change, against the deployed templates
    Diff(DiffArgs),
    /// Create or update the stacks in dependency order and wait for Karmada to come up
    ///
    /// Holds the app's deploy lock (SSM parameter /<app>/karmada-eks/lock) from before it writes anything to its
    /// end, so two deploys, or a deploy and a destroy, never interleave. A whole-app deploy first deletes the
    /// stacks karmada-eks made that left the app (a dropped member region, a shrunk split stack), each asked
    /// whatever --require-approval says; stacks tagged with the app that karmada-eks did not make are listed as
    /// kept, and deleted only with --prune. The app's record of its last deploy (/<app>/karmada-eks/last-deploy)
    /// is read first, with a warning naming who deployed them when this assembly would remove members or regions
    /// it records, and written after a successful deploy of the whole app.
    Deploy(DeployArgs),
    /// Delete the stacks in reverse dependency order, and the EBS volumes Kubernetes left behind
    ///
    /// Holds the app's deploy lock like deploy. Deletes the stacks of the assembly and those karmada-eks made that
    /// left it; stacks tagged with the app that it did not make are listed as kept unless named as STACK. A
    /// whole-app destroy ends by deleting the app's SSM records (regions, last deploy, the lock).
    Destroy(DestroyArgs),
    /// Preview how Karmada splits a workload's replicas over member clusters by static weight
    Plan(PlanArgs),
    /// Write a commented starter karmada-eks.toml
    Init(InitArgs),
    /// Save the Karmada API kubeconfig the management host stored in the Secrets Manager secret <app>/karmada/kubeconfig
    Kubeconfig(KubeconfigArgs),
    /// Check the account before deploying: credentials, quotas, zones, member clusters, stack states and names
    ///
    /// Read-only. Runs in parallel across the regions of the selected stacks and prints one row per check:
    /// check, region, result (ok / warn / fail), what was found and the fix. Exit status: 0 when nothing fails
    /// (warnings allowed), 1 when a check fails, 2 on bad input. `deploy` runs the same checks first.
    Doctor(DoctorArgs),
    /// Estimate the app's monthly AWS cost from the synthesized templates (no AWS access needed)
    Cost(CostArgs),
    /// Draw the app's architecture from the synthesized templates as SVG, DOT or Mermaid
    Diagram(DiagramArgs),
    /// Run the day-2 reconcile on the management host now (join, unjoin, re-weight), through SSM Run Command
    Reconcile(ReconcileArgs),
    /// Show the stacks' status and Karmada's health as the management host sees it; exit 1 when unhealthy
    Status(StatusArgs),
    /// Back up Karmada now: an etcd snapshot and the certificates, into the app's S3 bucket
    ///
    /// Runs `karmada-eks-reconcile backup manual` on the management host through SSM Run Command. The host takes
    /// an etcd snapshot through a Ready etcd pod, adds the Secrets of karmada-system (the Karmada CA and every
    /// certificate) and its own /etc/karmada (kubeconfig and PKI), and writes one archive to
    /// s3://<bucket of stack <app>-backup>/backups/<UTC time>-manual.tgz, encrypted with the bucket's KMS key.
    /// The host also backs up on the `[backup] schedule` (a systemd timer), before it unjoins a member, before
    /// it removes a half-finished install, and `destroy` takes a final one. S3 expires backups after
    /// `backup.retain_days`. Exit 0 when the backup is stored, 1 otherwise.
    Backup(BackupArgs),
    /// Bring a backup back into the parent cluster: etcd's data, the certificates, the host's kubeconfig
    ///
    /// Runs `karmada-eks-reconcile restore KEY|latest` on the management host. It backs up what runs now (when
    /// etcd answers), stops Karmada's components and etcd, restores the snapshot onto every etcd volume, puts back
    /// the certificate Secrets and the host's PKI and kubeconfig (stored again in the secret
    /// <app>/karmada/kubeconfig), starts etcd and the components with their replica counts, and reports how many
    /// members are Ready. A restore that stopped half-way finishes when run again. Works in a parent created anew
    /// after the old one was lost (the backup stack outlives destroy). Asks first (--yes without a terminal).
    Restore(RestoreArgs),
    /// Renew Karmada's certificates from its CAs: those due, or all with --force; keys, subjects and CAs kept
    ///
    /// Runs `karmada-eks-reconcile certs renew` on the management host through SSM Run Command. The host reads the
    /// certificates of Secret karmada-system/karmada-cert (the API server's, the admin's `karmada`, the front
    /// proxy client, etcd's server and client) and renews each one with fewer than `karmada.renew_before_days`
    /// left, or whose names no longer include today's Network Load Balancer (its DNS name and addresses), after a
    /// backup of Karmada. Each is issued again from its CA with the same key, subject and usages, for
    /// `karmada.cert_validity_days`; the copies in etcd-cert, karmada-webhook-cert, the components' kubeconfig
    /// Secrets, the host's kubeconfig and the secret <app>/karmada/kubeconfig are updated; etcd (one member at a
    /// time, keeping quorum), the API server (rolling, all replicas serving) and the other components restart;
    /// the command ends when the API answers. A rotation that stopped half-way finishes when run again. The CAs
    /// (10 years) are not renewed: docs/certificates.md. The host also runs this daily on its own. Exit 0 done (or
    /// nothing due), 1 failed, 130 after Ctrl-C.
    RotateCerts(RotateCertsArgs),
    /// Print a shell completion script for bash, zsh, fish, elvish or powershell
    ///
    /// bash: `karmada-eks completions bash > ~/.local/share/bash-completion/completions/karmada-eks`;
    /// zsh: into a directory on $fpath as `_karmada-eks`; fish: `~/.config/fish/completions/karmada-eks.fish`.
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one page per command into a directory
    ///
    /// `karmada-eks man | man -l -` reads it; `karmada-eks man --dir DIR` writes karmada-eks.1 and
    /// karmada-eks-<command>.1 for `man -M` or a system's man1 directory.
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write the pages into this directory (created if missing; files karmada-eks did not write are kept)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Directory to write the cloud assembly to: a new or empty one, or one an earlier synth wrote (files
    /// karmada-eks did not write there are kept; anything else is refused)
    #[arg(short, long, value_name = "DIR", default_value = "cdk.out")]
    pub output: PathBuf,
    /// Stacks whose templates are also printed to stdout
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,
    /// Print the summary as JSON instead of text
    #[arg(long)]
    pub json: bool,
    /// Print nothing but errors (and the templates of named stacks)
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub assembly: AssemblyArgs,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON: [{"name", "environment", "dependencies"}] in deploy order
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub assembly: AssemblyArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Stacks to compare [default: all]
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,
    #[command(flatten)]
    pub assembly: AssemblyArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Exit with status 1 when any stack differs
    #[arg(long)]
    pub fail: bool,
}

/// When `deploy` asks before executing a change set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum RequireApproval {
    /// Never ask
    Never,
    /// Ask when IAM or security-group changes broaden access
    #[default]
    Broadening,
    /// Ask before every change
    AnyChange,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// Stacks to deploy, with the stacks they depend on unless --exclusively [default: all]
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,
    #[command(flatten)]
    pub assembly: AssemblyArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Deploy only the named stacks, not their dependencies
    #[arg(short = 'e', long)]
    pub exclusively: bool,
    /// How many independent stacks deploy at once
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: u16,
    /// When to ask before executing a change set (deleting a stack, and replacing the management host, are asked
    /// whatever this says; only --yes answers them without a question)
    #[arg(long, value_enum, default_value_t = RequireApproval::Broadening)]
    pub require_approval: RequireApproval,
    /// Answer yes to every question (needed without a terminal when approval is required)
    #[arg(short, long)]
    pub yes: bool,
    /// Enable termination protection on the deployed stacks
    #[arg(long)]
    pub termination_protection: bool,
    /// Resolve the management host's image (HostImageId) from its public SSM parameter again instead of keeping
    /// the deployed one; a new image replaces the host, which is asked before it happens
    #[arg(long)]
    pub refresh_host_image: bool,
    /// Print progress as JSON lines instead of progress bars
    #[arg(long)]
    pub json: bool,
    /// Deploy even when a preflight check (`karmada-eks doctor`) fails; the summary says it was skipped
    #[arg(long)]
    pub skip_preflight: bool,
    /// Do not run the reconcile on the management host after the stacks (`karmada-eks reconcile` runs it later)
    #[arg(long)]
    pub no_reconcile: bool,
    /// Write the deployed stacks' outputs to FILE as JSON ({"<stack>": {"<key>": "<value>"}}, as the AWS CDK CLI's
    /// --outputs-file); a file is replaced only if it holds this app's outputs
    #[arg(short = 'O', long, value_name = "FILE")]
    pub outputs_file: Option<PathBuf>,
    /// Also delete STACK, a deployed stack tagged with the app that karmada-eks did not make (deploy lists those
    /// as kept and never deletes them otherwise); asked like any removal. Repeat for more stacks
    #[arg(long, value_name = "STACK", conflicts_with = "stacks")]
    pub prune: Vec<String>,
    /// Delete the app's deploy lock (SSM parameter /<app>/karmada-eks/lock) that another run holds, naming its
    /// owner, and take it: only when that run is gone (killed, or its machine lost)
    #[arg(long)]
    pub force_unlock: bool,
}

#[derive(Debug, Args)]
pub struct DestroyArgs {
    /// Stacks to delete, with the stacks that depend on them unless --exclusively [default: all the app's stacks
    /// karmada-eks made; stacks tagged with the app that it did not make are kept unless named here]
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,
    #[command(flatten)]
    pub assembly: AssemblyArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Delete only the named stacks
    #[arg(short = 'e', long)]
    pub exclusively: bool,
    /// Delete the app's deploy lock (SSM parameter /<app>/karmada-eks/lock) that another run holds, naming its
    /// owner, and take it: only when that run is gone (killed, or its machine lost)
    #[arg(long)]
    pub force_unlock: bool,
    /// Do not ask for confirmation
    #[arg(short, long)]
    pub force: bool,
    /// For a stack in DELETE_FAILED: delete it but keep the resources that failed to delete (CloudFormation's
    /// RetainResources), and list them for removal by hand
    #[arg(long)]
    pub retain_failed: bool,
    /// Cancel a stack update that is running (it rolls back) instead of waiting for it to finish before deleting
    #[arg(long)]
    pub cancel_update: bool,
    /// Delete the member-access stacks without first unjoining their members from Karmada on the management host
    /// (for a host that cannot run commands); the members keep what Karmada created in them, workloads included
    #[arg(long)]
    pub skip_unjoin: bool,
    /// Delete without the final backup of Karmada that destroy takes first (on the management host, into the
    /// backup bucket, which destroy keeps): what changed since the last backup is lost
    #[arg(long)]
    pub no_final_backup: bool,
    /// How many independent stacks are deleted at once
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: u16,
    /// Print progress and the result as JSON lines (the last one {"event": "summary", ...})
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Stacks to check, with the stacks they depend on [default: all]
    #[arg(value_name = "STACK")]
    pub stacks: Vec<String>,
    #[command(flatten)]
    pub assembly: AssemblyArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Print one JSON document: {"checks": [{"check", "subject", "region", "result", "found", "fix"}], "summary",
    /// "regions"}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Replicas to divide [default: the config's workload replicas]
    #[arg(long, value_name = "N")]
    pub replicas: Option<u32>,
    /// Static weight of a member cluster, NAME=W; repeat per cluster [default: the config's member weights]
    #[arg(long = "weight", value_name = "NAME=W")]
    pub weights: Vec<String>,
    /// Print exactly {"<cluster>": <replicas>, ...}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the starter configuration
    #[arg(value_name = "PATH", default_value = "karmada-eks.toml")]
    pub path: PathBuf,
    /// Overwrite an existing regular file (a symlink, directory or device is never overwritten)
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct KubeconfigArgs {
    /// File to write (mode 0600); an existing one only when this command saved it [default:
    /// ./<app>-karmada.kubeconfig]
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite an existing regular file that is not a kubeconfig this command saved (a symlink, directory or
    /// device is never overwritten)
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub assembly: AssemblyArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Args)]
pub struct CostArgs {
    #[command(flatten)]
    pub assembly: AssemblyArgs,
    /// Hours in the month the fixed items run
    #[arg(long, value_name = "N", default_value_t = 730, value_parser = clap::value_parser!(u32).range(1..=744))]
    pub hours: u32,
    /// Print the estimate as JSON (lines, usage-based rates, total, price table date and sources)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub assembly: AssemblyArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Print the outcome as one JSON document {"event": "backup", "ok", "report": {"location", "output"} | "error",
    /// "hints"}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RotateCertsArgs {
    /// Renew every leaf certificate now, not only those due
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub assembly: AssemblyArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Print the outcome as one JSON document {"event": "rotate-certs", "ok", "report": {"output"} | "error", "hints"}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup to restore: its key in the bucket, backups/<UTC time>-<reason>.tgz [default: the newest]
    #[arg(long, value_name = "KEY")]
    pub from: Option<String>,
    /// Restore without asking (needed without a terminal)
    #[arg(short, long)]
    pub yes: bool,
    #[command(flatten)]
    pub assembly: AssemblyArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Print the outcome as one JSON document {"event": "restore", "ok", "report" | "error", "hints"}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    #[command(flatten)]
    pub assembly: AssemblyArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Print the outcome as one JSON document {"event": "reconcile", "ok", "report" | "error", "hints"}
    #[arg(long)]
    pub json: bool,
}

/// Output formats of `diagram`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DiagramFormat {
    /// Standalone SVG, laid out and written in-process
    #[default]
    Svg,
    /// Graphviz DOT (render with `dot -Tpng`)
    Dot,
    /// Mermaid flowchart (Markdown renderers)
    Mermaid,
}

#[derive(Debug, Args)]
pub struct DiagramArgs {
    /// File to write [default: stdout]; an existing file is replaced only if `diagram` wrote it (or --force)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = DiagramFormat::Svg)]
    pub format: DiagramFormat,
    #[command(flatten)]
    pub assembly: AssemblyArgs,
    /// Replace FILE even if karmada-eks did not write it
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub assembly: AssemblyArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Print the whole report as JSON (every stack and member)
    #[arg(long)]
    pub json: bool,
    /// List every stack and member, not only the unhealthy ones
    #[arg(long)]
    pub all: bool,
    /// Also run CloudFormation drift detection on each deployed stack and list drifted resources
    #[arg(long)]
    pub drift: bool,
}
