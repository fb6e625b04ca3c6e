//! One view of a synthesized (or deployed) template: its resources with their logical ID, type, construct path
//! and properties, and the access entries of the member-access stacks read the one way every reader needs them.

use serde_json::Value;

use crate::core::template::CDK_PATH;

/// One resource of a template.
#[derive(Clone, Copy, Debug)]
pub struct ResourceView<'a> {
    pub logical_id: &'a str,
    /// `Type`, empty when the entry has none.
    pub type_name: &'a str,
    /// The construct path without the stack's name (`Vpc/PublicSubnet1/Subnet`), from `Metadata.aws:cdk:path`.
    pub path: Option<&'a str>,
    /// `Properties`, `Null` when the entry has none.
    pub properties: &'a Value,
    /// The whole entry.
    pub entry: &'a Value,
}

/// The resources of `template` in its order.
pub fn resources(template: &Value) -> impl Iterator<Item = ResourceView<'_>> {
    template.get("Resources").and_then(Value::as_object).into_iter().flatten().map(|(id, r)| ResourceView {
        logical_id: id,
        type_name: r.get("Type").and_then(Value::as_str).unwrap_or(""),
        path: r
            .get("Metadata")
            .and_then(|m| m.get(CDK_PATH))
            .and_then(Value::as_str)
            .map(|p| p.split_once('/').map_or(p, |(_, rest)| rest)),
        properties: r.get("Properties").unwrap_or(&Value::Null),
        entry: r,
    })
}

/// The resources of `template` of type `type_name`.
pub fn of_type<'a>(template: &'a Value, type_name: &'a str) -> impl Iterator<Item = ResourceView<'a>> {
    resources(template).filter(move |r| r.type_name == type_name)
}

/// An `AWS::EKS::AccessEntry` as karmada-eks writes one for a member: at construct path `<member>/AccessEntry`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessEntry<'a> {
    pub logical_id: &'a str,
    /// The Karmada cluster name, from the construct path; `None` for an entry not at `<member>/AccessEntry`.
    pub member: Option<&'a str>,
    /// `ClusterName` when it is a literal.
    pub cluster_name: Option<&'a str>,
    /// `PrincipalArn` when it is a literal.
    pub principal_arn: Option<&'a str>,
}

/// The access entries of `template`, in its order.
pub fn access_entries(template: &Value) -> Vec<AccessEntry<'_>> {
    of_type(template, "AWS::EKS::AccessEntry")
        .map(|r| AccessEntry {
            logical_id: r.logical_id,
            member: r.path.and_then(|p| p.strip_suffix("/AccessEntry")).filter(|m| !m.is_empty() && !m.contains('/')),
            cluster_name: r.properties.get("ClusterName").and_then(Value::as_str),
            principal_arn: r.properties.get("PrincipalArn").and_then(Value::as_str),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn access_entries_name_their_member_from_the_construct_path() {
        let template = json!({"Resources": {
            "A": {"Type": "AWS::EKS::AccessEntry", "Metadata": {"aws:cdk:path": "app-member-access-us-east-1/eksuscl01/AccessEntry"},
                  "Properties": {"ClusterName": "eks-a", "PrincipalArn": {"Fn::GetAtt": ["Role", "Arn"]}}},
            "B": {"Type": "AWS::EKS::AccessEntry", "Metadata": {"aws:cdk:path": "app-cluster/ManagementHostAccess"},
                  "Properties": {"ClusterName": {"Ref": "Cluster"}, "PrincipalArn": "arn:aws:iam::1:role/x"}},
            "C": {"Type": "AWS::SNS::Topic", "Metadata": {"aws:cdk:path": "x/y/AccessEntry"}}
        }});
        let entries = access_entries(&template);
        assert_eq!(entries.len(), 2);
        assert_eq!(
            (entries[0].member, entries[0].cluster_name, entries[0].principal_arn),
            (Some("eksuscl01"), Some("eks-a"), None)
        );
        assert_eq!((entries[1].member, entries[1].cluster_name), (None, None));
        assert_eq!(entries[1].principal_arn, Some("arn:aws:iam::1:role/x"));
        assert_eq!(resources(&template).nth(2).unwrap().path, Some("y/AccessEntry"));
    }
}
