//! The IAM OIDC identity provider of an EKS cluster (IAM roles for service accounts).

use serde_json::Value;

use crate::cfn::iam::CfnOidcProvider;
use crate::core::{Expr, ResourceRef, Scope};

/// An `AWS::IAM::OIDCProvider` for an issuer URL, trusted for `sts.amazonaws.com`. No thumbprint is pinned: IAM
/// verifies EKS issuers through its own trusted certificate authorities.
#[derive(Clone, Debug)]
pub struct OidcProvider {
    resource: ResourceRef,
    issuer_url: Expr,
}

impl OidcProvider {
    pub fn new(scope: &mut Scope, id: &str, issuer_url: Expr) -> Self {
        let resource = scope.add(
            id,
            CfnOidcProvider {
                url: issuer_url.clone(),
                client_id_list: vec!["sts.amazonaws.com".into()],
                thumbprint_list: Vec::new(),
                tags: Vec::new(),
            },
        );
        OidcProvider { resource, issuer_url }
    }

    pub fn arn(&self) -> Expr {
        self.resource.r#ref()
    }

    /// The issuer without `https://`, as IAM condition keys spell it.
    pub fn issuer(&self) -> Expr {
        Expr::select(1, Expr::split("//", self.issuer_url.clone()))
    }

    /// A trust policy for the Kubernetes service account `namespace/name`. IAM condition keys start with the
    /// issuer, which is only known at deploy time, so the document is an `Fn::Sub` of its JSON text.
    pub fn service_account_trust(&self, namespace: &str, name: &str) -> Value {
        let text = format!(
            concat!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"${{ProviderArn}}"}},"#,
                r#""Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"#,
                r#""${{Issuer}}:sub":"system:serviceaccount:{}:{}","${{Issuer}}:aud":"sts.amazonaws.com"}}}}}}]}}"#
            ),
            namespace, name
        );
        serde_json::to_value(Expr::sub(text, [("ProviderArn", self.arn()), ("Issuer", self.issuer())]))
            .unwrap_or(Value::Null)
    }
}
