//! Constructs that synthesize Karmada-on-EKS CloudFormation templates, after the AWS CDK's layers:
//! [`core`] (app, stacks, references), [`cfn`] (L1 resource properties), service modules with L2 constructs
//! ([`ec2`], [`iam`], [`eks`], [`elbv2`], [`kms`], [`logs`], [`s3`], [`secretsmanager`]) and [`karmada`] (the L3 app that composes them).

pub mod cfn;
pub mod checks;
pub mod core;
pub mod ec2;
pub mod eks;
pub mod elbv2;
pub mod iam;
pub mod inspect;
pub mod karmada;
pub mod kms;
pub mod logs;
pub mod s3;
pub mod secretsmanager;
