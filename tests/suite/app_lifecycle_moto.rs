//! The whole default app over its life, against one moto server (tests/support/moto_server.py, with
//! moto_cfn.py's CloudFormation and EKS additions and moto_host.py's managed host): deploy across its regions,
//! add a member in a new region, re-weight, drop a region, change the node instance types, a partial deploy
//! that leaves the management stack stale, toggle `nlb.internal` both ways, and destroy, checking after each step
//! what changed in the emulator through boto3 (not through the client under test). The member EKS clusters
//! are made first with boto3, as the user has them. The management host cannot run, so every deploy is
//! `--no-reconcile` and destroy `--skip-unjoin --no-final-backup`; the unjoin a dropped region needs is sent
//! to the host through Run Command, and the test checks it was sent, and when. Also: an app deployed by the
//! previous release's own assembly updated by this one in place.
//!
//! `cargo nextest run --test suite app_lifecycle_moto:: --no-capture` shows the transcript.

use crate::support::moto;

use moto::{assert_ok, Moto};
use serde_json::Value;
use std::time::Instant;

const APP_REGION: &str = "us-east-1";
const REGIONS: [&str; 3] = ["us-east-1", "eu-central-1", "ap-southeast-2"];

struct Member {
    name: &'static str,
    region: &'static str,
    weight: u32,
}

/// The config of one step: the starter's members, instance types, NLB scheme and an optional override of the
/// cluster stack's node security group (a replacement: a new group ID, an output the management stack reads).
struct Config {
    members: Vec<Member>,
    instance_types: &'static str,
    internal: bool,
    nodes_sg_description: Option<&'static str>,
    karmada_version: &'static str,
}

impl Config {
    fn toml(&self) -> String {
        let mut text = format!(
            "[parent.nodes]\ninstance_types = [{}]\n\n[nlb]\ninternal = {}\n\n[karmada]\nversion = \"{}\"\n\n",
            self.instance_types, self.internal, self.karmada_version
        );
        for m in &self.members {
            text += &format!(
                "[[members]]\nname = \"{}\"\nregion = \"{}\"\nmode = \"push\"\nweight = {}\n\n",
                m.name, m.region, m.weight
            );
        }
        if let Some(description) = self.nodes_sg_description {
            text += &format!(
                "[[overrides]]\nstack = \"karmada-cluster\"\nresource = \"karmada-cluster/Nodes/SecurityGroup\"\n\
                 path = \"Properties.GroupDescription\"\nvalue = \"{description}\"\n"
            );
        }
        text
    }
}

fn lines(out: &std::process::Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| serde_json::from_str::<Value>(l).ok()).collect()
}

fn summary(out: &std::process::Output) -> Value {
    lines(out).into_iter().rfind(|v| v["event"] == "summary").unwrap_or_else(|| {
        panic!(
            "no summary line in:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Stack name -> outcome of a deploy summary.
fn outcomes(summary: &Value) -> std::collections::BTreeMap<String, String> {
    summary["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["stack"].as_str().unwrap().to_string(), s["outcome"].as_str().unwrap().to_string()))
        .collect()
}

struct Run<'a> {
    moto: &'a Moto,
    step: usize,
    /// The JSON lines of the last command.
    last: Vec<Value>,
}

impl Run<'_> {
    /// Writes the config, runs `karmada-eks ARGS --json`, prints the step's transcript, returns its summary.
    fn deploy(&mut self, title: &str, config: &Config, args: &[&str]) -> Value {
        std::fs::write(self.moto.home.path().join("karmada-eks.toml"), config.toml()).unwrap();
        self.step += 1;
        let t = Instant::now();
        let out = self.moto.karmada_eks(&[args, &["--json"]].concat());
        assert_ok(&out);
        let s = summary(&out);
        self.last = lines(&out);
        eprintln!("\n== step {}: {title}\n$ karmada-eks {} --json   ({:.1?})", self.step, args.join(" "), t.elapsed());
        for (stack, outcome) in outcomes(&s) {
            eprintln!("   {stack:<40} {outcome}");
        }
        for r in s["removed"].as_array().into_iter().flatten() {
            eprintln!("   {:<40} {} (left the app)", r["stack"].as_str().unwrap_or(""), r["outcome"]);
        }
        for st in s["stale"].as_array().into_iter().flatten() {
            eprintln!("   stale: {} reads {}", st["name"], st["reads"]);
        }
        eprintln!("   preflight: {}", s["preflight"].as_str().unwrap_or(""));
        s
    }

    /// The change of `logical_id` in `stack` the last command showed before executing.
    fn change(&self, stack: &str, logical_id: &str) -> Value {
        let changes = self.last.iter().find(|l| l["event"] == "changes" && l["stack"] == stack);
        let changes = changes.unwrap_or_else(|| panic!("no changes of {stack} shown: {:?}", self.last));
        let change = changes["changes"].as_array().unwrap().iter().find(|c| c["logical_id"] == logical_id);
        change.unwrap_or_else(|| panic!("no change of {logical_id}: {changes}")).clone()
    }

    fn note(&self, text: &str) {
        eprintln!("   check: {text}");
    }
}

/// A boto3 script's JSON answer; `eks`, `cfn`, `ec2` (of `region`) and `client(service, region)` are bound.
fn query(moto: &Moto, region: &str, script: &str) -> Value {
    let prelude = format!(
        "def client(service, region='{region}'):\n    return boto3.client(service, region_name=region, \
         endpoint_url=ec2.meta.endpoint_url, aws_access_key_id='testing', aws_secret_access_key='testing')\n\
         eks, cfn = client('eks'), client('cloudformation')\n"
    );
    let out = moto.boto3(region, &(prelude + script));
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn live_stacks(moto: &Moto, region: &str) -> Vec<String> {
    let v = query(
        moto,
        region,
        "print(json.dumps(sorted(s['StackName'] for s in cfn.list_stacks()['StackSummaries'] \
         if s['StackStatus'] != 'DELETE_COMPLETE')))",
    );
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

fn output(moto: &Moto, stack: &str, key: &str) -> Option<String> {
    let v = query(
        moto,
        APP_REGION,
        &format!(
            "o = cfn.describe_stacks(StackName='{stack}')['Stacks'][0].get('Outputs', [])\n\
             print(json.dumps(next((x['OutputValue'] for x in o if x['OutputKey'] == '{key}'), None)))"
        ),
    );
    v.as_str().map(str::to_string)
}

fn tag(moto: &Moto, stack: &str, key: &str) -> String {
    query(
        moto,
        APP_REGION,
        &format!(
            "t = cfn.describe_stacks(StackName='{stack}')['Stacks'][0]['Tags']\n\
             print(json.dumps(next(x['Value'] for x in t if x['Key'] == '{key}')))"
        ),
    )
    .as_str()
    .unwrap()
    .to_string()
}

/// Principals with an access entry on member cluster `name` in `region`.
fn access_entries(moto: &Moto, region: &str, name: &str) -> Vec<String> {
    let v = query(
        moto,
        region,
        &format!("print(json.dumps(eks.list_access_entries(clusterName='{name}')['accessEntries']))"),
    );
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

/// The management host's security group: (egress CIDRs on TCP 32443, group ID).
fn management_egress(moto: &Moto) -> (Vec<String>, String) {
    let v = query(
        moto,
        APP_REGION,
        "r = cfn.describe_stack_resources(StackName='karmada-management')['StackResources']\n\
         sg = next(x['PhysicalResourceId'] for x in r if x['ResourceType'] == 'AWS::EC2::SecurityGroup')\n\
         g = ec2.describe_security_groups(GroupIds=[sg])['SecurityGroups'][0]\n\
         cidrs = sorted(c['CidrIp'] for p in g['IpPermissionsEgress'] if p.get('FromPort') == 32443 \
         for c in p['IpRanges'])\n\
         print(json.dumps([cidrs, sg]))",
    );
    let cidrs = v[0].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    (cidrs, v[1].as_str().unwrap().to_string())
}

/// The allocation IDs of the EIPs with these `<ip>/32` addresses.
fn allocations(moto: &Moto, addresses: &[String]) -> Vec<String> {
    let ips: Vec<&str> = addresses.iter().map(|a| a.trim_end_matches("/32")).collect();
    let v = query(
        moto,
        APP_REGION,
        &format!(
            "print(json.dumps(sorted(a['AllocationId'] for a in ec2.describe_addresses()['Addresses'] \
             if a['PublicIp'] in {ips:?})))"
        ),
    );
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

/// The source groups of the node security group's rules on TCP 32443 (the management host's rule), by group ID.
fn nodes_sg_sources(moto: &Moto, group: &str) -> Vec<String> {
    let v = query(
        moto,
        APP_REGION,
        &format!(
            "g = ec2.describe_security_groups(GroupIds=['{group}'])['SecurityGroups'][0]\n\
             print(json.dumps(sorted(s['GroupId'] for p in g['IpPermissions'] if p.get('FromPort') == 32443 \
             for s in p['UserIdGroupPairs'])))"
        ),
    );
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

fn create_member_clusters(moto: &Moto, members: &[(&str, &str)]) {
    for (name, region) in members {
        moto.boto3(
            region,
            &format!(
                "vpc = ec2.create_vpc(CidrBlock='10.9.0.0/16')['Vpc']['VpcId']\n\
                 subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f'10.9.{{i}}.0/24', \
                 AvailabilityZone='{region}' + z)['Subnet']['SubnetId'] for i, z in enumerate('ab')]\n\
                 boto3.client('eks', region_name='{region}', endpoint_url=ec2.meta.endpoint_url, \
                 aws_access_key_id='testing', aws_secret_access_key='testing').create_cluster(name='{name}', \
                 roleArn='arn:aws:iam::123456789012:role/member-cluster', resourcesVpcConfig={{'subnetIds': subnets}}, \
                 accessConfig={{'authenticationMode': 'API_AND_CONFIG_MAP'}})"
            ),
        );
    }
}

fn starter_members() -> Vec<Member> {
    vec![
        Member { name: "ekseucl01", region: "eu-central-1", weight: 1 },
        Member { name: "ekseucl02", region: "eu-central-1", weight: 1 },
        Member { name: "eksuscl01", region: "us-east-1", weight: 2 },
    ]
}

#[test]
fn the_default_app_deploys_updates_through_its_life_and_destroy_leaves_nothing() {
    let started = Instant::now();
    let moto = Moto::start();
    create_member_clusters(
        &moto,
        &[
            ("ekseucl01", "eu-central-1"),
            ("ekseucl02", "eu-central-1"),
            ("eksuscl01", "us-east-1"),
            ("eksapse01", "ap-southeast-2"),
        ],
    );
    let mut run = Run { moto: &moto, step: 0, last: Vec::new() };
    let deploy = ["deploy", "--yes", "--no-reconcile"];
    let mut config = Config {
        members: starter_members(),
        instance_types: "\"m5.large\"",
        internal: false,
        nodes_sg_description: None,
        karmada_version: "v1.18.2",
    };

    // Day 1: every stack of the default app, across its two regions.
    let s = run.deploy("the default app (the starter's three members)", &config, &deploy);
    let all = outcomes(&s);
    assert_eq!(all.len(), 9, "{all:?}");
    assert!(all.values().all(|o| o == "created"), "{all:?}");
    assert_eq!(
        live_stacks(&moto, "eu-central-1"),
        ["karmada-member-access-eu-central-1"],
        "the member-access stack is in its members' region"
    );
    let role = output(&moto, "karmada-cluster", "OutputFnGetAttManagementHostRoleB7AF3B34Arn").unwrap();
    for (region, name) in [("eu-central-1", "ekseucl01"), ("eu-central-1", "ekseucl02"), ("us-east-1", "eksuscl01")] {
        assert_eq!(
            access_entries(&moto, region, name),
            std::slice::from_ref(&role),
            "{name}: the management role's entry"
        );
    }
    assert!(access_entries(&moto, "ap-southeast-2", "eksapse01").is_empty());
    let parent = query(
        &moto,
        APP_REGION,
        "c = eks.describe_cluster(name='karmada-parent')['cluster']\n\
         print(json.dumps({'mode': c['accessConfig']['authenticationMode'], \
         'nodegroups': eks.list_nodegroups(clusterName='karmada-parent')['nodegroups'], \
         'entries': eks.list_access_entries(clusterName='karmada-parent')['accessEntries'], \
         'addons': eks.list_addons(clusterName='karmada-parent')['addons'], \
         'oidc': len(client('iam').list_open_id_connect_providers()['OpenIDConnectProviderList'])}))",
    );
    assert_eq!(parent["mode"], "API", "{parent}");
    assert_eq!(parent["entries"], serde_json::json!([role]), "{parent}");
    assert_eq!(parent["addons"], serde_json::json!(["aws-ebs-csi-driver"]), "{parent}");
    assert_eq!(parent["oidc"], 1, "{parent}");
    let nodegroup = output(&moto, "karmada-cluster", "NodegroupName").unwrap();
    assert_eq!(parent["nodegroups"], serde_json::json!([nodegroup]), "{parent}");
    let addresses: Vec<String> = output(&moto, "karmada-cluster", "KarmadaApiAddresses")
        .unwrap()
        .split(',')
        .map(|a| format!("{a}/32"))
        .collect();
    let (egress, management_sg) = management_egress(&moto);
    let old_allocations = allocations(&moto, &addresses);
    for a in &addresses {
        assert!(egress.contains(a), "the host may reach the NLB address {a}: {egress:?}");
    }
    run.note(&format!("access entries of {role} on the 3 members; the host's egress holds the NLB's {addresses:?}"));

    // (1) A member in a new region: its member-access stack is created there.
    config.members.push(Member { name: "eksapse01", region: "ap-southeast-2", weight: 1 });
    let s = run.deploy("a member added in ap-southeast-2", &config, &deploy);
    let o = outcomes(&s);
    assert_eq!(o["karmada-member-access-ap-southeast-2"], "created", "{o:?}");
    assert_eq!(o["karmada-desired-state"], "updated", "{o:?}");
    for unchanged in ["karmada-member-access-eu-central-1", "karmada-member-access-us-east-1", "karmada-management"] {
        assert_eq!(o[unchanged], "unchanged", "{unchanged}: {o:?}");
    }
    assert_eq!(access_entries(&moto, "ap-southeast-2", "eksapse01"), std::slice::from_ref(&role));
    run.note("eksapse01 has the management role's access entry; the host's stack is untouched");

    // (2) A weight: only the desired state changes.
    config.members[2].weight = 5;
    let head_before = query(
        &moto,
        APP_REGION,
        "print(json.dumps(client('ssm').get_parameter(Name='/karmada/karmada/desired-state')['Parameter']['Value']))",
    );
    let s = run.deploy("eksuscl01's weight 2 -> 5", &config, &deploy);
    let o = outcomes(&s);
    let changed: Vec<&String> = o.iter().filter(|(_, v)| *v != "unchanged").map(|(k, _)| k).collect();
    assert!(changed.iter().all(|k| k.starts_with("karmada-desired-state")), "only the desired state: {o:?}");
    assert!(!changed.is_empty(), "{o:?}");
    let head_after = query(
        &moto,
        APP_REGION,
        "print(json.dumps(client('ssm').get_parameter(Name='/karmada/karmada/desired-state')['Parameter']['Value']))",
    );
    assert_ne!(head_before, head_after, "the desired state's head names another bundle");
    run.note(&format!("desired-state head {head_before} -> {head_after}"));

    // (2b) Karmada's release: once the host applied v1.18.2, a downgrade is refused before any stack changes.
    query(
        &moto,
        APP_REGION,
        "ssm = client('ssm')\nhead = json.loads(ssm.get_parameter(Name='/karmada/karmada/desired-state')['Parameter']['Value'])\n\
         ssm.put_parameter(Name='/karmada/karmada/applied-state', Value=head['sha256'], Type='String', Overwrite=True)\n\
         print('null')",
    );
    config.karmada_version = "v1.18.1";
    std::fs::write(moto.home.path().join("karmada-eks.toml"), config.toml()).unwrap();
    let refused = moto.karmada_eks(&["deploy", "--yes", "--no-reconcile"]);
    let text = format!("{}{}", String::from_utf8_lossy(&refused.stdout), String::from_utf8_lossy(&refused.stderr));
    assert_eq!(refused.status.code(), Some(1), "{text}");
    assert!(text.contains("karmada-release") && text.contains("older than v1.18.2, which the app runs"), "{text}");
    assert!(text.contains("set karmada.version = \"v1.18.2\""), "{text}");
    let head_now = query(
        &moto,
        APP_REGION,
        "print(json.dumps(client('ssm').get_parameter(Name='/karmada/karmada/desired-state')['Parameter']['Value']))",
    );
    assert_eq!(head_now, head_after, "nothing was deployed");
    run.note("karmada.version v1.18.2 -> v1.18.1 refused by the preflight (karmada-release); the desired state kept");
    config.karmada_version = "v1.18.2";

    // (3) A region dropped: its members are unjoined on the host, then their stack and access entries go.
    config.members.retain(|m| m.region != "eu-central-1");
    let s = run.deploy("region eu-central-1 dropped (ekseucl01, ekseucl02)", &config, &deploy);
    let removed = &s["removed"];
    assert_eq!(removed.as_array().unwrap().len(), 1, "{removed}");
    assert_eq!(removed[0]["stack"], "karmada-member-access-eu-central-1", "{removed}");
    assert_eq!(removed[0]["outcome"], "deleted", "{removed}");
    assert!(live_stacks(&moto, "eu-central-1").is_empty(), "the region's stack is deleted");
    for name in ["ekseucl01", "ekseucl02"] {
        assert!(access_entries(&moto, "eu-central-1", name).is_empty(), "{name}'s access entry is gone");
    }
    let unjoins = query(
        &moto,
        APP_REGION,
        "c = client('ssm').list_commands()['Commands']\n\
         print(json.dumps([' '.join(x['Parameters']['commands']) for x in c]))",
    );
    let unjoin: Vec<&Value> = unjoins
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c.as_str().unwrap().contains("karmada-eks-reconcile 'unjoin' 'ekseucl01' 'ekseucl02'"))
        .collect();
    assert_eq!(unjoin.len(), 1, "the host was asked once to unjoin exactly the dropped members: {unjoins}");
    run.note("the host was sent `karmada-eks-reconcile unjoin ekseucl01 ekseucl02`; the region holds no stack");

    // (4) New node instance types: the node group is replaced (a new physical name), the old one deleted.
    config.instance_types = "\"m6i.large\"";
    let s = run.deploy("node instance types m5.large -> m6i.large", &config, &deploy);
    assert_eq!(outcomes(&s)["karmada-cluster"], "updated");
    let shown = run.change("karmada-cluster", "Nodes264552F3");
    assert_eq!(shown["replacement"], "True", "the change set says the node group is replaced: {shown}");
    let new_nodegroup = output(&moto, "karmada-cluster", "NodegroupName").unwrap();
    assert_ne!(new_nodegroup, nodegroup, "replaced: a new name");
    let groups = query(
        &moto,
        APP_REGION,
        "n = eks.list_nodegroups(clusterName='karmada-parent')['nodegroups']\n\
         print(json.dumps([[g, eks.describe_nodegroup(clusterName='karmada-parent', nodegroupName=g)['nodegroup']\
         ['instanceTypes']] for g in n]))",
    );
    assert_eq!(groups, serde_json::json!([[new_nodegroup, ["m6i.large"]]]), "only the new node group is left");
    run.note(&format!("node group {nodegroup} -> {new_nodegroup} (m6i.large)"));

    // A partial deploy: the cluster stack's node security group is replaced (an override of its description),
    // so the management stack, which reads its ID, is stale until a whole deploy updates it.
    let nodes_sg = output(&moto, "karmada-cluster", "OutputFnGetAttNodesSecurityGroup57A2A347GroupId").unwrap();
    assert!(nodes_sg_sources(&moto, &nodes_sg).contains(&management_sg), "the host's rule on the node group");
    let inputs_before = tag(&moto, "karmada-management", "karmada-eks:inputs-sha256");
    config.nodes_sg_description = Some("EKS nodes: replaced by the lifecycle test");
    let s = run.deploy(
        "partial: deploy karmada-cluster only, its node security group replaced",
        &config,
        &["deploy", "karmada-cluster", "--yes", "--no-reconcile"],
    );
    assert!(!outcomes(&s).contains_key("karmada-management"), "{s}");
    let stale = &s["stale"];
    assert_eq!(stale.as_array().unwrap().len(), 1, "{stale}");
    assert_eq!(stale[0]["name"], "karmada-management", "{stale}");
    assert_eq!(stale[0]["reads"], serde_json::json!(["karmada-cluster"]), "only the producer this deploy changed");
    let new_nodes_sg = output(&moto, "karmada-cluster", "OutputFnGetAttNodesSecurityGroup57A2A347GroupId").unwrap();
    assert_ne!(new_nodes_sg, nodes_sg, "the group was replaced");
    let diff = moto.karmada_eks(&["diff", "karmada-management"]);
    assert_ok(&diff);
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(
        text.contains(
            "Stack karmada-management (us-east-1): the outputs of karmada-cluster, karmada-network it reads \
             changed since it was deployed: `karmada-eks deploy karmada-management` updates it"
        ),
        "{text}"
    );
    eprintln!("$ karmada-eks diff karmada-management\n   {}", text.trim().replace('\n', "\n   "));
    let s = run.deploy("the whole app again", &config, &deploy);
    let o = outcomes(&s);
    assert_eq!(o["karmada-management"], "updated", "{o:?}");
    assert_eq!(s["stale"], serde_json::json!([]), "{s}");
    let inputs_after = tag(&moto, "karmada-management", "karmada-eks:inputs-sha256");
    assert_ne!(inputs_before, inputs_after, "the management stack read the new output");
    assert!(nodes_sg_sources(&moto, &new_nodes_sg).contains(&management_sg), "the host's rule moved with it");
    run.note(&format!(
        "inputs-sha256 {} -> {}; the host's rule is on {new_nodes_sg}",
        &inputs_before[..12],
        &inputs_after[..12]
    ));

    // (5) nlb.internal toggled: the NLB is replaced without its EIPs; the host's egress drops their /32 rules.
    config.internal = true;
    let dns_before = output(&moto, "karmada-cluster", "OutputFnGetAttKarmadaApi8DDAB451DNSName").unwrap();
    let s = run.deploy("nlb.internal = true", &config, &deploy);
    let o = outcomes(&s);
    assert_eq!((o["karmada-cluster"].as_str(), o["karmada-management"].as_str()), ("updated", "updated"), "{o:?}");
    let dns_after = output(&moto, "karmada-cluster", "OutputFnGetAttKarmadaApi8DDAB451DNSName").unwrap();
    assert_ne!(dns_before, dns_after, "a new load balancer");
    assert_eq!(run.change("karmada-cluster", "KarmadaApi8DDAB451")["replacement"], "True", "a new scheme");
    let host = run.change("karmada-management", "ManagementHostInstance0132239B");
    assert_eq!(host["replacement"], "False", "new user-data changes the host in place: {host}");
    assert_eq!(output(&moto, "karmada-cluster", "KarmadaApiAddresses"), None, "an internal NLB has no EIPs");
    let lbs = query(
        &moto,
        APP_REGION,
        "print(json.dumps([[b['Scheme'], b['DNSName']] for b in client('elbv2').describe_load_balancers()\
         ['LoadBalancers']]))",
    );
    assert_eq!(lbs, serde_json::json!([["internal", dns_after]]), "the internet-facing one is deleted");
    let (egress, sg) = management_egress(&moto);
    assert_eq!(sg, management_sg, "the host's group is updated in place");
    assert_eq!(egress, ["10.0.0.0/16"], "only the VPC: the old NLB's addresses are gone");
    let eips = query(
        &moto,
        APP_REGION,
        "print(json.dumps(sorted(a['PublicIp'] for a in ec2.describe_addresses()['Addresses'])))",
    );
    for a in &addresses {
        assert!(!eips.as_array().unwrap().iter().any(|e| format!("{}/32", e.as_str().unwrap()) == *a), "{a} released");
    }
    run.note(&format!("NLB {dns_before} -> {dns_after} (internal); host egress {egress:?}"));

    config.internal = false;
    let s = run.deploy("nlb.internal = false again", &config, &deploy);
    assert_eq!(outcomes(&s)["karmada-management"], "updated");
    let new_addresses: Vec<String> = output(&moto, "karmada-cluster", "KarmadaApiAddresses")
        .unwrap()
        .split(',')
        .map(|a| format!("{a}/32"))
        .collect();
    let new_allocations = allocations(&moto, &new_addresses);
    let all = query(&moto, APP_REGION, "print(json.dumps(ec2.describe_addresses()['Addresses']))");
    assert_eq!(new_allocations.len(), 3, "{new_addresses:?} {old_allocations:?} {all}");
    assert!(new_allocations.iter().all(|a| !old_allocations.contains(a)), "new EIPs: {new_allocations:?}");
    let (egress, _) = management_egress(&moto);
    let mut expected = new_addresses.clone();
    expected.push("10.0.0.0/16".into());
    expected.sort();
    assert_eq!(egress, expected, "the host's egress holds the new NLB's addresses");
    run.note(&format!("new EIPs {new_allocations:?}; the host's egress holds their addresses {new_addresses:?}"));

    // Destroy: nothing of the app is left in any region but the backup bucket (and its key), kept by design.
    let t = Instant::now();
    let out = moto.karmada_eks(&["destroy", "--force", "--skip-unjoin", "--no-final-backup", "--json"]);
    assert_ok(&out);
    let s = summary(&out);
    eprintln!(
        "\n== destroy\n$ karmada-eks destroy --force --skip-unjoin --no-final-backup --json   ({:.1?})",
        t.elapsed()
    );
    for st in s["stacks"].as_array().unwrap() {
        eprintln!("   {:<40} {}", st["stack"].as_str().unwrap(), st["outcome"]);
    }
    eprintln!("   kept: backups in {}", s["backups_kept"]);
    assert_eq!(s["backups_kept"], "karmada-backup");
    for region in REGIONS {
        let left = live_stacks(&moto, region);
        let expected: &[&str] = if region == APP_REGION { &["karmada-backup"] } else { &[] };
        assert_eq!(left, expected, "{region}: only the backup stack is kept");
        let resources = query(
            &moto,
            region,
            "tagged = lambda tags: any(t.get('Key') == 'karmada-eks:app' for t in tags or [])\n\
             mine = lambda c: c.startswith('karmada-parent')\n\
             print(json.dumps({\
             'clusters': [c for c in eks.list_clusters()['clusters'] if not c.startswith('eks')], \
             'vpcs': [v['VpcId'] for v in ec2.describe_vpcs()['Vpcs'] if tagged(v.get('Tags'))], \
             'subnets': [s['SubnetId'] for s in ec2.describe_subnets()['Subnets'] if tagged(s.get('Tags'))], \
             'eips': [a['PublicIp'] for a in ec2.describe_addresses()['Addresses']], \
             'nat': [n['NatGatewayId'] for n in ec2.describe_nat_gateways()['NatGateways'] if n['State'] != 'deleted'], \
             'instances': [i['InstanceId'] for r in ec2.describe_instances()['Reservations'] for i in r['Instances'] \
             if i['State']['Name'] != 'terminated'], \
             'groups': [g['GroupId'] for g in ec2.describe_security_groups()['SecurityGroups'] \
             if g['GroupName'] != 'default'], \
             'ssm': [p['Name'] for p in client('ssm').describe_parameters()['Parameters'] \
             if p['Name'].startswith('/karmada/')], \
             'secrets': [s['Name'] for s in client('secretsmanager').list_secrets()['SecretList']], \
             'lbs': [b['LoadBalancerArn'] for b in client('elbv2').describe_load_balancers()['LoadBalancers']], \
             'target_groups': [g['TargetGroupArn'] for g in client('elbv2').describe_target_groups()['TargetGroups']], \
             'logs': [g['logGroupName'] for g in client('logs').describe_log_groups()['logGroups']], \
             'roles': [r['RoleName'] for r in client('iam').list_roles()['Roles'] if r['RoleName'].startswith('karmada')], \
             'oidc': client('iam').list_open_id_connect_providers()['OpenIDConnectProviderList'], \
             'entries': {c: eks.list_access_entries(clusterName=c)['accessEntries'] for c in \
             eks.list_clusters()['clusters']}, \
             }))",
        );
        let entries = resources["entries"].as_object().unwrap();
        for (key, value) in resources.as_object().unwrap() {
            if key == "entries" {
                continue;
            }
            // The member clusters' own VPCs (made by the user, untagged) and their groups stay: not the app's.
            let left: Vec<&Value> = value
                .as_array()
                .unwrap()
                .iter()
                .filter(|v| key != "groups" || !member_group(&moto, region, v.as_str().unwrap()))
                .collect();
            assert!(left.is_empty(), "{region}: {key} left: {left:?}");
        }
        for (cluster, principals) in entries {
            assert_eq!(principals, &serde_json::json!([]), "{region}: {cluster} keeps an access entry");
        }
    }
    let kept = query(
        &moto,
        APP_REGION,
        "o = {x['OutputKey']: x['OutputValue'] for x in cfn.describe_stacks(StackName='karmada-backup')['Stacks'][0]\
         ['Outputs']}\n\
         kms = client('kms')\n\
         others = [k['KeyId'] for k in kms.list_keys()['Keys'] if k['KeyArn'] != o['OutputFnGetAttBackupsKeyCB0CE0B7Arn']]\n\
         states = sorted(set(kms.describe_key(KeyId=k)['KeyMetadata']['KeyState'] for k in others))\n\
         buckets = [b['Name'] for b in client('s3').list_buckets()['Buckets']]\n\
         print(json.dumps({'bucket': o['BackupBucketName'] in buckets, 'others': len(others), 'states': states}))",
    );
    assert_eq!(kept["bucket"], true, "the backup bucket is kept: {kept}");
    assert_eq!(kept["others"], 4, "the network's one and the cluster's three: {kept}");
    assert_eq!(kept["states"], serde_json::json!(["PendingDeletion"]), "scheduled for deletion: {kept}");
    eprintln!("   check: no stack but karmada-backup, and no resource of the app, in {REGIONS:?}");
    eprintln!("   check: the backup bucket is kept; the other {} KMS keys are scheduled for deletion", kept["others"]);
    eprintln!("\nlifecycle: {:.1?}", started.elapsed());
}

/// Whether `group` belongs to a member cluster (EKS made it for a cluster the user created: `aws:eks:cluster-name`
/// names a member).
fn member_group(moto: &Moto, region: &str, group: &str) -> bool {
    let v = query(
        moto,
        region,
        &format!(
            "g = ec2.describe_security_groups(GroupIds=['{group}'])['SecurityGroups'][0]\n\
             print(json.dumps(any(t['Key'] == 'aws:eks:cluster-name' and t['Value'].startswith('eks') \
             for t in g.get('Tags', []))))"
        ),
    );
    v.as_bool().unwrap()
}

/// What the emulator's additions refuse, as CloudFormation and EKS do, each with the reason the stack reports:
/// an access entry on a cluster that does not exist, `Fn::GetStackOutput` of a stack or an output that does not
/// exist, and an update that would replace a custom-named node group; and what they do: `Fn::GetStackOutput`
/// reads another region's stack, and again on an update that changes only the stack's tags.
#[test]
fn the_emulator_refuses_what_cloudformation_and_eks_refuse() {
    let moto = Moto::start();
    let script = r#"
import itertools
counter = itertools.count()
def deploy(name, template, region='us-east-1', tags=None):
    c = client('cloudformation', region)
    try:
        c.describe_stacks(StackName=name); kind = 'UPDATE'
    except Exception:
        kind = 'CREATE'
    cs = c.create_change_set(StackName=name, ChangeSetName=f'cs{next(counter)}', TemplateBody=json.dumps(template),
                             ChangeSetType=kind, Tags=[{'Key': k, 'Value': v} for k, v in (tags or {}).items()])
    c.execute_change_set(ChangeSetName=cs['Id'], ClientRequestToken=f'token-{name}-{kind}')
    s = c.describe_stacks(StackName=name)['Stacks'][0]
    failed = [[e['LogicalResourceId'], e['ResourceStatus'], e.get('ResourceStatusReason'), e.get('ClientRequestToken')]
              for e in c.describe_stack_events(StackName=name)['StackEvents'] if e['ResourceStatus'].endswith('_FAILED')]
    return {'status': s['StackStatus'], 'reason': s.get('StackStatusReason'), 'failed': failed,
            'outputs': {o['OutputKey']: o['OutputValue'] for o in s.get('Outputs', [])}}
def param(name, value):
    return {'Type': 'AWS::SSM::Parameter', 'Properties': {'Name': name, 'Type': 'String', 'Value': value}}
def reads(stack, output, region=None):
    args = {'StackName': stack, 'OutputName': output}
    if region:
        args['Region'] = region
    return {'Fn::GetStackOutput': args}
out = {}
out['entry'] = deploy('entry', {'Resources': {'Entry': {'Type': 'AWS::EKS::AccessEntry', 'Properties': {
    'ClusterName': 'nope', 'PrincipalArn': 'arn:aws:iam::123456789012:role/r'}}}})
reader = {'Resources': {'P': param('/t/read', reads('producer', 'Out', 'us-east-1'))}}
out['no_stack'] = deploy('reader', reader, 'eu-west-1')
producer = lambda v: {'Resources': {'P': param('/t/produced', v)}, 'Outputs': {'Out': {'Value': v}}}
out['producer'] = deploy('producer', producer('v1'))
out['reader'] = deploy('reader2', reader, 'eu-west-1')
ssm = client('ssm', 'eu-west-1')
out['read_v1'] = ssm.get_parameter(Name='/t/read')['Parameter']['Value']
deploy('producer', producer('v2'))
out['read_unchanged'] = ssm.get_parameter(Name='/t/read')['Parameter']['Value']
out['reread'] = deploy('reader2', reader, 'eu-west-1', tags={'inputs': 'v2'})
out['read_v2'] = ssm.get_parameter(Name='/t/read')['Parameter']['Value']
out['no_output'] = deploy('reader3', {'Resources': {'P': param('/t/none', reads('producer', 'Nope'))}})
vpc = ec2.create_vpc(CidrBlock='10.1.0.0/16')['Vpc']['VpcId']
subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f'10.1.{i}.0/24')['Subnet']['SubnetId'] for i in (0, 1)]
def nodes(types):
    return {'Resources': {
        'Cluster': {'Type': 'AWS::EKS::Cluster', 'Properties': {'Name': 'c1', 'RoleArn': 'arn:aws:iam::123456789012:role/c',
                    'ResourcesVpcConfig': {'SubnetIds': subnets}}},
        'Nodes': {'Type': 'AWS::EKS::Nodegroup', 'Properties': {'ClusterName': {'Ref': 'Cluster'}, 'NodegroupName': 'ng',
                  'NodeRole': 'arn:aws:iam::123456789012:role/n', 'Subnets': subnets, 'InstanceTypes': types}}},
        'Outputs': {'Ng': {'Value': {'Fn::GetAtt': ['Nodes', 'Arn']}}}}
out['named'] = deploy('named', nodes(['m5.large']))
out['rename'] = deploy('named', nodes(['m6i.large']))
out['types'] = eks.describe_nodegroup(clusterName='c1', nodegroupName='ng')['nodegroup']['instanceTypes']
print(json.dumps(out))
"#;
    let r = query(&moto, APP_REGION, script);
    eprintln!("{}", serde_json::to_string_pretty(&r).unwrap());

    assert_eq!(r["entry"]["status"], "ROLLBACK_COMPLETE", "{r}");
    assert_eq!(r["entry"]["reason"], "The following resource(s) failed to create: [Entry]. ");
    assert_eq!(
        r["entry"]["failed"],
        serde_json::json!([[
            "Entry",
            "CREATE_FAILED",
            "No cluster found for name: nope. (ResourceNotFoundException)",
            "token-entry-CREATE"
        ]])
    );
    assert_eq!(r["no_stack"]["status"], "ROLLBACK_COMPLETE", "{r}");
    assert_eq!(
        r["no_stack"]["failed"][0][2], "Fn::GetStackOutput: stack producer does not exist in region us-east-1",
        "{r}"
    );
    assert_eq!(r["producer"]["outputs"], serde_json::json!({"Out": "v1"}), "a change set's stack has its outputs");
    assert_eq!(r["reader"]["status"], "CREATE_COMPLETE", "{r}");
    assert_eq!(r["read_v1"], "v1", "read from the producer's region");
    assert_eq!(r["read_unchanged"], "v1", "read when the consumer is created or updated, not when the producer is");
    assert_eq!(r["reread"]["status"], "UPDATE_COMPLETE", "a change of tags alone is an update: {r}");
    assert_eq!(r["read_v2"], "v2", "and reads the output again");
    assert_eq!(r["no_output"]["status"], "ROLLBACK_COMPLETE", "{r}");
    assert_eq!(
        r["no_output"]["failed"][0][2], "Fn::GetStackOutput: stack producer in region us-east-1 has no output Nope",
        "{r}"
    );
    assert_eq!(r["named"]["status"], "CREATE_COMPLETE", "{r}");
    assert!(r["named"]["outputs"]["Ng"].as_str().unwrap().contains(":nodegroup/c1/ng/"), "{r}");
    assert_eq!(r["rename"]["status"], "UPDATE_ROLLBACK_COMPLETE", "{r}");
    assert!(
        r["rename"]["failed"][0][2]
            .as_str()
            .unwrap()
            .starts_with("CloudFormation cannot update a stack when a custom-named resource requires replacing"),
        "{r}"
    );
    assert_eq!(r["types"], serde_json::json!(["m5.large"]), "the named node group is kept as it was");
}

/// Resource types whose physical resource is Karmada's state, its access or its keys: the update from the
/// previous release must keep each one (same physical ID).
const KEPT_ON_UPGRADE: &[&str] = &[
    "AWS::EKS::Cluster",
    "AWS::EKS::Nodegroup",
    "AWS::EKS::AccessEntry",
    "AWS::EC2::Instance",
    "AWS::SecretsManager::Secret",
    "AWS::KMS::Key",
    "AWS::S3::Bucket",
    "AWS::IAM::OIDCProvider",
    "AWS::IAM::Role",
];

/// `stack/logical ID` -> physical ID of every resource of those types in the app's stacks of `regions`.
fn kept_resources(moto: &Moto, regions: &[&str]) -> std::collections::BTreeMap<String, String> {
    let mut found = std::collections::BTreeMap::new();
    for region in regions {
        let v = query(
            moto,
            region,
            &format!(
                "out = {{}}\n\
                 for s in cfn.describe_stacks()['Stacks']:\n    \
                 for r in cfn.describe_stack_resources(StackName=s['StackName'])['StackResources']:\n        \
                 if r['ResourceType'] in {KEPT_ON_UPGRADE:?}:\n            \
                 out[s['StackName'] + '/' + r['LogicalResourceId']] = r['PhysicalResourceId']\n\
                 print(json.dumps(out))"
            ),
        );
        for (k, v) in v.as_object().unwrap() {
            found.insert(k.clone(), v.as_str().unwrap().to_string());
        }
    }
    found
}

/// An app deployed by the previous release (its own assembly, `tests/data/previous-release/0.1.0`, whose
/// cross-stack values are parameters deploy fills) is updated by this release in place: every stack becomes an
/// `Fn::GetStackOutput` reader with no parameter but the host image, and nothing that holds Karmada's state or
/// its access is replaced.
#[test]
fn an_app_deployed_by_the_previous_release_updates_in_place_and_keeps_what_holds_state() {
    let moto = Moto::start();
    let members: Vec<(&str, &str)> = starter_members().iter().map(|m| (m.name, m.region)).collect();
    create_member_clusters(&moto, &members);
    let regions = ["us-east-1", "eu-central-1"];
    let previous = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/previous-release/0.1.0");

    let t = Instant::now();
    let out = moto.karmada_eks(&["deploy", "--app", previous.to_str().unwrap(), "--yes", "--no-reconcile", "--json"]);
    assert_ok(&out);
    eprintln!("\n== the previous release's assembly (0.1.0)   ({:.1?})", t.elapsed());
    for (stack, outcome) in outcomes(&summary(&out)) {
        eprintln!("   {stack:<40} {outcome}");
    }
    let parameters = |stack: &str| -> Vec<String> {
        let v = query(
            &moto,
            APP_REGION,
            &format!(
                "p = cfn.describe_stacks(StackName='{stack}')['Stacks'][0].get('Parameters', [])\n\
                 print(json.dumps(sorted(x['ParameterKey'] for x in p)))"
            ),
        );
        v.as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect()
    };
    assert!(parameters("karmada-management").len() > 1, "0.1 fills the cross-stack values as parameters");
    let host_image = query(
        &moto,
        APP_REGION,
        "p = cfn.describe_stacks(StackName='karmada-management')['Stacks'][0]['Parameters']\n\
         print(json.dumps(next(x['ParameterValue'] for x in p if x['ParameterKey'] == 'HostImageId')))",
    );
    let before = kept_resources(&moto, &regions);
    assert!(before.len() >= 12, "{before:?}");

    let t = Instant::now();
    let out = moto.karmada_eks(&["deploy", "--yes", "--no-reconcile", "--json"]);
    assert_ok(&out);
    eprintln!("\n== this release, over it   ({:.1?})", t.elapsed());
    let s = summary(&out);
    for (stack, outcome) in outcomes(&s) {
        eprintln!("   {stack:<40} {outcome}");
    }
    assert!(s["removed"].as_array().is_none_or(|r| r.is_empty()), "no stack leaves: {s}");
    let after = kept_resources(&moto, &regions);
    assert_eq!(before, after, "the update replaced or deleted a resource holding state");
    eprintln!("   check: {} resources holding state kept their physical IDs", after.len());

    assert_eq!(parameters("karmada-management"), ["HostImageId"]);
    assert_eq!(parameters("karmada-cluster"), Vec::<String>::new());
    let image_now = query(
        &moto,
        APP_REGION,
        "p = cfn.describe_stacks(StackName='karmada-management')['Stacks'][0]['Parameters']\n\
         print(json.dumps(p[0]['ParameterValue']))",
    );
    assert_eq!(image_now, host_image, "the host image stays pinned");
    assert_eq!(tag(&moto, "karmada-management", "karmada-eks:inputs-sha256").len(), 64);
    let applied = query(
        &moto,
        APP_REGION,
        "print(json.dumps(len(client('ssm').get_parameters(Names=['/karmada/karmada/applied-state'])['Parameters'])))",
    );
    assert_eq!(applied, 0, "the stack let go of the applied state: the host's next reconcile writes it");
    eprintln!(
        "   check: no parameter but HostImageId ({}), inputs tags set, applied state left to the host",
        host_image
    );
}
