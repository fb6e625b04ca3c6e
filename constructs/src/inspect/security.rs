//! What a synthesized app exposes, read back from its templates: public endpoints, the networks allowed in,
//! IAM roles and their policies, cluster-admin grants, and the scanner findings accepted in
//! `security/checkov-skips.toml`.
//!
//! Everything here is computed from the [`CloudAssembly`] (the JSON that is deployed), not from the config, so
//! the report cannot drift from the templates. References are described in words: a `Fn::GetAtt` becomes
//! `<PublicIp of karmada-network/Vpc/PublicSubnet1/NatEip>`, a parameter filled from another stack's output is
//! followed to that output.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt::Write as _;

use crate::core::{CloudAssembly, StackArtifact, GET_STACK_OUTPUT};

/// The accepted checkov findings, as shipped with this version.
pub const CHECKOV_SKIPS: &str = include_str!("../../../security/checkov-skips.toml");

use crate::core::template::CDK_PATH;
const ANYWHERE: &str = "0.0.0.0/0";

/// One accepted checkov finding: a check that may fail on the resources a construct path pattern matches.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CheckovSkip {
    /// checkov check id, e.g. `CKV_AWS_91`.
    pub check: String,
    /// Construct path inside the stack (`aws:cdk:path` without the stack name); `*` matches any characters.
    pub resource: String,
    /// Why the finding is accepted.
    pub reason: String,
}

impl CheckovSkip {
    /// Whether this entry covers the resource at `path` (inside its stack).
    pub fn matches(&self, path: &str) -> bool {
        glob_match(&self.resource, path)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SkipFile {
    #[serde(default)]
    skip: Vec<CheckovSkip>,
}

/// Parses a checkov skip file (`[[skip]]` tables with `check`, `resource` and `reason`, all non-empty).
pub fn parse_checkov_skips(text: &str) -> Result<Vec<CheckovSkip>, String> {
    let file: SkipFile = toml::from_str(text).map_err(|e| e.to_string())?;
    for (i, s) in file.skip.iter().enumerate() {
        let check_ok = s.check.starts_with("CKV") && s.check.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !check_ok {
            return Err(format!("skip[{i}].check: {:?} is not a checkov check id", s.check));
        }
        if s.resource.trim().is_empty() {
            return Err(format!("skip[{i}].resource is empty"));
        }
        if s.reason.trim().is_empty() || s.reason.contains('\n') {
            return Err(format!("skip[{i}].reason must be one non-empty line"));
        }
    }
    Ok(file.skip)
}

/// The skip entries shipped in [`CHECKOV_SKIPS`].
pub fn checkov_skips() -> Vec<CheckovSkip> {
    parse_checkov_skips(CHECKOV_SKIPS).expect("security/checkov-skips.toml is checked by a unit test")
}

/// The EKS API endpoint of a cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EksEndpoint {
    pub stack: String,
    pub cluster: String,
    pub public: bool,
    /// Networks allowed on the public endpoint (empty when it is off).
    pub public_cidrs: Vec<String>,
    pub private: bool,
}

/// A load balancer, its scheme and who may reach its listeners.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadBalancerExposure {
    pub resource: String,
    pub scheme: String,
    /// `TCP 32443`, ...
    pub listeners: Vec<String>,
    /// Sources its security groups allow on the listener ports.
    pub allowed: Vec<String>,
}

/// A security-group rule admitting a network (not another security group).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CidrIngress {
    pub security_group: String,
    pub protocol: String,
    pub ports: String,
    pub source: String,
}

/// An IAM role: who may assume it and what it may do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IamRole {
    pub resource: String,
    pub assumed_by: Vec<String>,
    /// AWS managed policies by name (`AmazonEKSClusterPolicy`), other policies by ARN.
    pub managed_policies: Vec<String>,
    pub inline_policies: Vec<String>,
    /// Allowed actions whose resource is `*` (actions that have no resource-level permissions).
    pub actions_on_any_resource: Vec<String>,
    /// What the role can read: each allowed read action (`Get*`, `BatchGet*`, `kms:Decrypt`) with the resources it
    /// names, including what a known AWS managed policy grants.
    pub can_read: Vec<String>,
}

/// An EKS access entry: a principal and the access policies it gets on a cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessGrant {
    pub stack: String,
    pub cluster: String,
    pub principal: String,
    pub policies: Vec<String>,
}

/// A checkov finding accepted for a resource of this app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AcceptedFinding {
    pub check: String,
    pub stack: String,
    pub logical_id: String,
    pub resource: String,
    pub reason: String,
}

/// The `security` section of `synth`'s summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityReport {
    pub eks_endpoints: Vec<EksEndpoint>,
    pub load_balancers: Vec<LoadBalancerExposure>,
    pub cidr_ingress: Vec<CidrIngress>,
    pub iam_roles: Vec<IamRole>,
    pub access_entries: Vec<AccessGrant>,
    pub accepted_findings: Vec<AcceptedFinding>,
}

impl SecurityReport {
    /// Reads the report off the assembly's templates, with the shipped checkov skips.
    pub fn from_assembly(assembly: &CloudAssembly) -> Self {
        Self::with_skips(assembly, &checkov_skips())
    }

    /// Reads the report off the assembly's templates, accepting the findings `skips` lists.
    pub fn with_skips(assembly: &CloudAssembly, skips: &[CheckovSkip]) -> Self {
        let reader = Reader { assembly };
        let mut report = SecurityReport {
            eks_endpoints: Vec::new(),
            load_balancers: Vec::new(),
            cidr_ingress: Vec::new(),
            iam_roles: Vec::new(),
            access_entries: Vec::new(),
            accepted_findings: Vec::new(),
        };
        for stack in &assembly.stacks {
            for (id, resource) in resources(stack) {
                let props = &resource["Properties"];
                match resource["Type"].as_str().unwrap_or_default() {
                    "AWS::EKS::Cluster" => report.eks_endpoints.push(reader.eks_endpoint(stack, id, props)),
                    "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
                        report.load_balancers.push(reader.load_balancer(stack, id, props))
                    }
                    "AWS::EC2::SecurityGroup" => {
                        for rule in props["SecurityGroupIngress"].as_array().into_iter().flatten() {
                            report.cidr_ingress.extend(reader.cidr_ingress(stack, reader.path(stack, id), rule));
                        }
                    }
                    "AWS::EC2::SecurityGroupIngress" => {
                        let group = reader.describe(stack, &props["GroupId"]);
                        report.cidr_ingress.extend(reader.cidr_ingress(stack, group, props));
                    }
                    "AWS::IAM::Role" => report.iam_roles.push(reader.role(stack, id, props)),
                    "AWS::EKS::AccessEntry" => report.access_entries.push(reader.access_entry(stack, props)),
                    _ => {}
                }
                let inner_path = reader.inner_path(stack, id);
                for skip in skips.iter().filter(|s| s.matches(&inner_path)) {
                    report.accepted_findings.push(AcceptedFinding {
                        check: skip.check.clone(),
                        stack: stack.name.clone(),
                        logical_id: id.to_string(),
                        resource: reader.path(stack, id),
                        reason: skip.reason.clone(),
                    });
                }
            }
        }
        report
    }

    /// Rules that admit the whole internet (`0.0.0.0/0` or `::/0`).
    pub fn open_to_internet(&self) -> Vec<&CidrIngress> {
        self.cidr_ingress.iter().filter(|r| r.source == ANYWHERE || r.source == "::/0").collect()
    }

    /// The human-readable section of `synth`'s summary.
    pub fn to_text(&self) -> String {
        let mut t = String::from("Security:\n");
        t += "  EKS API endpoints:\n";
        for e in &self.eks_endpoints {
            let public =
                if e.public { format!("public from {}", cidr_list(&e.public_cidrs)) } else { "not public".into() };
            let private = if e.private { ", private inside the VPC" } else { "" };
            let _ = writeln!(t, "    {} ({}): {public}{private}", e.cluster, e.stack);
        }
        t += "  Load balancers:\n";
        for lb in &self.load_balancers {
            let _ = writeln!(
                t,
                "    {}: {}, {} from {}",
                lb.resource,
                lb.scheme,
                lb.listeners.join(", "),
                cidr_list(&lb.allowed)
            );
        }
        t += "  Security-group rules admitting networks:\n";
        for r in &self.cidr_ingress {
            let _ = writeln!(
                t,
                "    {}: {} {} from {}",
                r.security_group,
                r.protocol,
                r.ports,
                cidr_list(std::slice::from_ref(&r.source))
            );
        }
        t += "  IAM roles:\n";
        for r in &self.iam_roles {
            let _ = writeln!(t, "    {} (assumed by {})", r.resource, r.assumed_by.join(", "));
            if !r.managed_policies.is_empty() {
                let _ = writeln!(t, "      managed: {}", r.managed_policies.join(", "));
            }
            if !r.inline_policies.is_empty() {
                let _ = writeln!(t, "      inline: {}", r.inline_policies.join(", "));
            }
            if !r.actions_on_any_resource.is_empty() {
                let _ = writeln!(t, "      on any resource: {}", r.actions_on_any_resource.join(", "));
            }
            for read in &r.can_read {
                let _ = writeln!(t, "      can read: {read}");
            }
        }
        if !self.access_entries.is_empty() {
            t += "  EKS access entries:\n";
            for a in &self.access_entries {
                let _ = writeln!(t, "    {} on {} ({}): {}", a.principal, a.cluster, a.stack, a.policies.join(", "));
            }
        }
        if !self.accepted_findings.is_empty() {
            t += "  Accepted checkov findings (security/checkov-skips.toml):\n";
            for f in &self.accepted_findings {
                let _ = writeln!(t, "    {} on {}: {}", f.check, f.resource, f.reason);
            }
        }
        t
    }
}

fn cidr_list(cidrs: &[String]) -> String {
    if cidrs.is_empty() {
        return "nowhere".into();
    }
    cidrs
        .iter()
        .map(|c| if c == ANYWHERE { format!("{c} (the internet)") } else { c.clone() })
        .collect::<Vec<_>>()
        .join(", ")
}

fn resources(stack: &StackArtifact) -> impl Iterator<Item = (&str, &Value)> {
    stack.template["Resources"].as_object().into_iter().flatten().map(|(k, v)| (k.as_str(), v))
}

/// `*` matches any run of characters; everything else matches itself.
fn glob_match(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else { return false };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else { return rest.is_empty() };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Reads templates, following references across stacks to describe them.
struct Reader<'a> {
    assembly: &'a CloudAssembly,
}

impl Reader<'_> {
    /// `aws:cdk:path` of a resource (`<stack>/<construct path>`), or `<stack>/<logical id>`.
    fn path(&self, stack: &StackArtifact, id: &str) -> String {
        stack.template["Resources"][id]["Metadata"][CDK_PATH]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}/{id}", stack.name))
    }

    fn inner_path(&self, stack: &StackArtifact, id: &str) -> String {
        let path = self.path(stack, id);
        path.strip_prefix(&format!("{}/", stack.name)).map(str::to_string).unwrap_or(path)
    }

    /// A template value in words.
    fn describe(&self, stack: &StackArtifact, value: &Value) -> String {
        match value {
            Value::String(s) => s.clone(),
            Value::Array(items) => items.iter().map(|v| self.describe(stack, v)).collect::<Vec<_>>().join(", "),
            Value::Object(map) if map.len() == 1 => {
                self.describe_function(stack, map).unwrap_or_else(|| value.to_string())
            }
            other => other.to_string(),
        }
    }

    fn describe_function(&self, stack: &StackArtifact, map: &Map<String, Value>) -> Option<String> {
        let (name, arg) = map.iter().next()?;
        Some(match name.as_str() {
            "Ref" => {
                let target = arg.as_str()?;
                let resource = &stack.template["Resources"][target];
                if target.starts_with("AWS::") {
                    format!("${{{target}}}")
                } else if resource["Type"] == "AWS::EKS::Cluster" && resource["Properties"]["Name"].is_string() {
                    self.describe(stack, &resource["Properties"]["Name"])
                } else if resource.is_object() {
                    format!("<{}>", self.path(stack, target))
                } else if let Some(p) = stack.parameters_from_outputs.iter().find(|p| p.parameter == target) {
                    self.describe_output(&p.stack, &p.output)
                        .unwrap_or_else(|| format!("output {} of {}", p.output, p.stack))
                } else {
                    format!("parameter {target}")
                }
            }
            f if f == GET_STACK_OUTPUT => {
                let (producer, output) = (arg["StackName"].as_str()?, arg["OutputName"].as_str()?);
                self.describe_output(producer, output).unwrap_or_else(|| format!("output {output} of {producer}"))
            }
            "Fn::GetAtt" => {
                let id = arg.get(0)?.as_str()?;
                let attribute = arg.get(1)?.as_str()?;
                format!("<{attribute} of {}>", self.path(stack, id))
            }
            "Fn::Select" => {
                let index = arg.get(0)?.as_u64()?;
                format!("<item {index} of {}>", self.describe(stack, arg.get(1)?))
            }
            "Fn::Split" => format!("{} split at {:?}", self.describe(stack, arg.get(1)?), arg.get(0)?.as_str()?),
            "Fn::Sub" => self.substitute(stack, arg, |d| d)?,
            "Fn::Join" => {
                let sep = arg.get(0)?.as_str()?;
                let items = arg.get(1)?.as_array()?;
                items.iter().map(|v| self.describe(stack, v)).collect::<Vec<_>>().join(sep)
            }
            _ => return None,
        })
    }

    /// The text of an `Fn::Sub` argument with each variable described and passed through `escape`.
    fn substitute(&self, stack: &StackArtifact, arg: &Value, escape: impl Fn(String) -> String) -> Option<String> {
        match arg {
            Value::String(text) => Some(text.clone()),
            Value::Array(parts) => {
                let mut text = parts.first()?.as_str()?.to_string();
                for (k, v) in parts.get(1)?.as_object()? {
                    text = text.replace(&format!("${{{k}}}"), &escape(self.describe(stack, v)));
                }
                Some(text)
            }
            _ => None,
        }
    }

    fn describe_output(&self, stack_name: &str, output: &str) -> Option<String> {
        let producer = self.assembly.stack(stack_name)?;
        let value = producer.template["Outputs"].get(output)?.get("Value")?;
        Some(self.describe(producer, value))
    }

    fn eks_endpoint(&self, stack: &StackArtifact, id: &str, props: &Value) -> EksEndpoint {
        let vpc = &props["ResourcesVpcConfig"];
        let public = vpc["EndpointPublicAccess"].as_bool().unwrap_or(true);
        let public_cidrs = match (public, vpc.get("PublicAccessCidrs")) {
            (false, _) => Vec::new(),
            (true, Some(Value::Array(c))) => c.iter().map(|v| self.describe(stack, v)).collect(),
            (true, _) => vec![ANYWHERE.to_string()],
        };
        EksEndpoint {
            stack: stack.name.clone(),
            cluster: props.get("Name").map(|n| self.describe(stack, n)).unwrap_or_else(|| self.path(stack, id)),
            public,
            public_cidrs,
            private: vpc["EndpointPrivateAccess"].as_bool().unwrap_or(false),
        }
    }

    fn load_balancer(&self, stack: &StackArtifact, id: &str, props: &Value) -> LoadBalancerExposure {
        let mut ports = Vec::new();
        let mut listeners = Vec::new();
        for (_, listener) in resources(stack) {
            let p = &listener["Properties"];
            let mine = p["LoadBalancerArn"].get("Ref").and_then(Value::as_str) == Some(id);
            if listener["Type"] == "AWS::ElasticLoadBalancingV2::Listener" && mine {
                let port = p["Port"].as_u64();
                listeners.push(format!(
                    "{} {}",
                    p["Protocol"].as_str().unwrap_or("?"),
                    port.map_or_else(|| "?".into(), |n| n.to_string())
                ));
                ports.extend(port);
            }
        }
        let groups: Vec<&str> = props["SecurityGroups"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|g| g.get("Fn::GetAtt")?.get(0)?.as_str())
            .collect();
        let mut allowed = Vec::new();
        if props["SecurityGroups"].as_array().is_none_or(Vec::is_empty) {
            allowed.push(format!("{ANYWHERE} (no security group)"));
        }
        for group in &groups {
            for rule in self.ingress_rules(stack, group) {
                let from = rule["FromPort"].as_i64().unwrap_or(-1);
                let to = rule["ToPort"].as_i64().unwrap_or(from);
                let all = rule["IpProtocol"] == "-1";
                if all || ports.iter().any(|&p| (from..=to).contains(&(p as i64))) {
                    let source = self.source(stack, rule);
                    if !allowed.contains(&source) {
                        allowed.push(source);
                    }
                }
            }
        }
        LoadBalancerExposure {
            resource: self.path(stack, id),
            scheme: props["Scheme"].as_str().unwrap_or("internet-facing").to_string(),
            listeners,
            allowed,
        }
    }

    /// Inline and standalone ingress rules of the security group `group` of `stack`.
    fn ingress_rules<'s>(&self, stack: &'s StackArtifact, group: &str) -> Vec<&'s Value> {
        let mut rules: Vec<&Value> = stack.template["Resources"][group]["Properties"]["SecurityGroupIngress"]
            .as_array()
            .into_iter()
            .flatten()
            .collect();
        for (_, r) in resources(stack) {
            let target = r["Properties"]["GroupId"].get("Fn::GetAtt").and_then(|a| a.get(0)).and_then(Value::as_str);
            if r["Type"] == "AWS::EC2::SecurityGroupIngress" && target == Some(group) {
                rules.push(&r["Properties"]);
            }
        }
        rules
    }

    fn source(&self, stack: &StackArtifact, rule: &Value) -> String {
        for key in ["CidrIp", "CidrIpv6", "SourceSecurityGroupId", "SourcePrefixListId"] {
            if let Some(v) = rule.get(key) {
                let text = self.describe(stack, v);
                return if key.starts_with("Cidr") { text } else { format!("{text} ({key})") };
            }
        }
        "unknown".into()
    }

    fn cidr_ingress(&self, stack: &StackArtifact, group: String, rule: &Value) -> Option<CidrIngress> {
        let cidr = rule.get("CidrIp").or_else(|| rule.get("CidrIpv6"))?;
        let protocol = match rule["IpProtocol"].as_str() {
            Some("-1") => "all".to_string(),
            Some(p) => p.to_string(),
            None => rule["IpProtocol"].to_string(),
        };
        let (from, to) = (&rule["FromPort"], &rule["ToPort"]);
        let ports = if protocol == "all" || (from == -1 && to == -1) {
            "all ports".to_string()
        } else if from == to {
            format!("{from}")
        } else {
            format!("{from}-{to}")
        };
        Some(CidrIngress { security_group: group, protocol, ports, source: self.describe(stack, cidr) })
    }

    fn role(&self, stack: &StackArtifact, id: &str, props: &Value) -> IamRole {
        let mut managed = Vec::new();
        let mut can_read = Vec::new();
        for arn in props["ManagedPolicyArns"].as_array().into_iter().flatten() {
            let arn = self.describe(stack, arn);
            let aws_managed = arn.split_once(":iam::aws:policy/").map(|(_, name)| name.to_string());
            if aws_managed.as_deref() == Some("AmazonSSMManagedInstanceCore") {
                can_read.push("ssm:GetParameter, ssm:GetParameters on * (every parameter of the account and region, through AmazonSSMManagedInstanceCore)".into());
            }
            managed.push(aws_managed.unwrap_or(arn));
        }
        let mut inline = Vec::new();
        let mut any_resource = Vec::new();
        for policy in props["Policies"].as_array().into_iter().flatten() {
            inline.push(self.describe(stack, &policy["PolicyName"]));
            for statement in statements(&policy["PolicyDocument"]) {
                let on_any = one_or_many(&statement["Resource"]).iter().any(|r| r.as_str() == Some("*"));
                let reads: Vec<String> = one_or_many(&statement["Action"])
                    .into_iter()
                    .map(|a| self.describe(stack, a))
                    .filter(|a| is_read(a))
                    .collect();
                if statement["Effect"] == "Allow" && !reads.is_empty() {
                    let resources: Vec<String> =
                        one_or_many(&statement["Resource"]).into_iter().map(|r| self.describe(stack, r)).collect();
                    can_read.push(format!("{} on {}", reads.join(", "), resources.join(", ")));
                }
                if statement["Effect"] == "Allow" && on_any {
                    for action in one_or_many(&statement["Action"]) {
                        let action = self.describe(stack, action);
                        if !any_resource.contains(&action) {
                            any_resource.push(action);
                        }
                    }
                }
            }
        }
        IamRole {
            resource: self.path(stack, id),
            assumed_by: self.trusted(stack, &props["AssumeRolePolicyDocument"]),
            managed_policies: managed,
            inline_policies: inline,
            actions_on_any_resource: any_resource,
            can_read,
        }
    }

    /// Principals of the trust policy; a web-identity principal with the subject it is limited to.
    fn trusted(&self, stack: &StackArtifact, document: &Value) -> Vec<String> {
        let parsed;
        let document = match document.get("Fn::Sub") {
            Some(arg) => {
                let json_escaped = |d: String| {
                    let quoted = Value::String(d).to_string();
                    quoted[1..quoted.len() - 1].to_string()
                };
                match self.substitute(stack, arg, json_escaped).and_then(|t| serde_json::from_str::<Value>(&t).ok()) {
                    Some(v) => {
                        parsed = v;
                        &parsed
                    }
                    None => return vec![self.describe(stack, document)],
                }
            }
            None => document,
        };
        let mut out = Vec::new();
        for statement in statements(document) {
            if statement["Effect"] != "Allow" {
                continue;
            }
            let subject = statement["Condition"]["StringEquals"]
                .as_object()
                .and_then(|c| c.iter().find(|(k, _)| k.ends_with(":sub")).map(|(_, v)| self.describe(stack, v)));
            for (kind, principals) in statement["Principal"].as_object().into_iter().flatten() {
                for p in one_or_many(principals) {
                    let mut text = self.describe(stack, p);
                    if kind == "Federated" {
                        text = format!("web identity from {text}");
                    }
                    if let Some(sub) = &subject {
                        text = format!("{text} as {sub}");
                    }
                    out.push(text);
                }
            }
            if statement["Principal"] == "*" {
                out.push("anyone (*)".into());
            }
        }
        out
    }

    fn access_entry(&self, stack: &StackArtifact, props: &Value) -> AccessGrant {
        let policies = props["AccessPolicies"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                let arn = self.describe(stack, &p["PolicyArn"]);
                let name = arn.rsplit_once("cluster-access-policy/").map_or(arn.clone(), |(_, n)| n.to_string());
                match p["AccessScope"]["Type"].as_str() {
                    Some("namespace") => {
                        format!("{name} (namespaces {})", self.describe(stack, &p["AccessScope"]["Namespaces"]))
                    }
                    _ => name,
                }
            })
            .collect();
        AccessGrant {
            stack: stack.name.clone(),
            cluster: self.describe(stack, &props["ClusterName"]),
            principal: self.describe(stack, &props["PrincipalArn"]),
            policies,
        }
    }
}

/// Whether `action` reads data: `Get*` and `BatchGet*` calls (not `GetEndpoint`-style plumbing of the SSM
/// agent's message services) and `kms:Decrypt`.
fn is_read(action: &str) -> bool {
    let Some((service, verb)) = action.split_once(':') else { return false };
    let plumbing = matches!(service, "ec2messages" | "ssmmessages");
    !plumbing && (verb.starts_with("Get") || verb.starts_with("BatchGet") || action == "kms:Decrypt")
}

fn statements(document: &Value) -> Vec<&Value> {
    one_or_many(&document["Statement"])
}

fn one_or_many(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_skip_file_parses_with_a_reason_for_every_entry() {
        let skips = parse_checkov_skips(CHECKOV_SKIPS).unwrap();
        assert!(!skips.is_empty());
        assert!(skips.iter().all(|s| s.reason.len() > 30), "{skips:?}");
    }

    #[test]
    fn skip_file_errors_name_the_entry() {
        let no_reason = "[[skip]]\ncheck = \"CKV_AWS_1\"\nresource = \"A\"\nreason = \" \"\n";
        assert_eq!(parse_checkov_skips(no_reason).unwrap_err(), "skip[0].reason must be one non-empty line");
        let bad_id = "[[skip]]\ncheck = \"AWS_1\"\nresource = \"A\"\nreason = \"r\"\n";
        assert!(parse_checkov_skips(bad_id).unwrap_err().starts_with("skip[0].check"));
        assert!(parse_checkov_skips("[[skip]]\ncheck = \"CKV_AWS_1\"\n").is_err());
        assert!(
            parse_checkov_skips("[[skip]]\ncheck = \"CKV_AWS_1\"\nresource = \"A\"\nreason = \"r\"\nx = 1\n").is_err()
        );
    }

    #[test]
    fn glob_matches_stars_only() {
        assert!(glob_match("KarmadaApi/Resource", "KarmadaApi/Resource"));
        assert!(!glob_match("KarmadaApi/Resource", "KarmadaApi/Resource2"));
        assert!(!glob_match("KarmadaApi/Resource", "XKarmadaApi/Resource"));
        assert!(glob_match("*/Resource", "KarmadaApi/Resource"));
        assert!(glob_match("Vpc/*Subnet*/Subnet", "Vpc/PublicSubnet1/Subnet"));
        assert!(!glob_match("Vpc/*Subnet*/Subnet", "Vpc/PublicSubnet1/RouteTable"));
        assert!(glob_match("a*a", "aa"));
        assert!(!glob_match("a*a", "a"));
        assert!(glob_match("*", ""));
    }
}
