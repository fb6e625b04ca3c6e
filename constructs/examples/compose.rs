//! Composing the constructs in code: a VPC stack and a cluster stack whose references are resolved by synth.
//!
//! `cargo run -p karmada-eks-constructs --example compose -- /tmp/out` writes the assembly to /tmp/out.

use constructs::core::{App, Environment};
use constructs::ec2::{Vpc, VpcProps};
use constructs::eks::{Cluster, ClusterProps, Nodegroup, NodegroupProps};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = Environment::new(None, "eu-west-1");
    let mut app = App::new();

    let network = app.add_stack("demo-network", env.clone());
    let vpc = Vpc::new(&mut network.scope(), "Vpc", VpcProps { nat_gateways: 2, ..Default::default() });

    let stack = app.add_stack("demo-cluster", env);
    let mut scope = stack.scope();
    let cluster = Cluster::new(
        &mut scope,
        "Cluster",
        ClusterProps { name: "demo".into(), subnet_ids: vpc.private_subnet_ids(), ..Default::default() },
    );
    Nodegroup::new(
        &mut scope,
        "Nodes",
        NodegroupProps {
            cluster_name: cluster.name(),
            version: Some(constructs::eks::cluster::DEFAULT_KUBERNETES_VERSION.into()),
            cluster_security_group_id: cluster.cluster_security_group_id(),
            vpc_id: vpc.vpc_id(),
            subnet_ids: vpc.private_subnet_ids(),
            instance_types: vec!["m6i.large".into()],
            desired: 2,
            min: 2,
            max: 4,
            disk_size_gib: 50,
        },
    );

    let assembly = app.synth()?;
    let dir = std::env::args().nth(1).unwrap_or_else(|| "cdk.out".into());
    assembly.write(std::path::Path::new(&dir))?;
    for stack in &assembly.stacks {
        println!("{} ({} resources) depends on {:?}", stack.name, stack.resource_count, stack.dependencies);
    }
    Ok(())
}
