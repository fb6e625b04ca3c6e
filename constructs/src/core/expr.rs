//! Values of template properties: literals and CloudFormation intrinsic functions.
//!
//! An [`Expr`] that points at a resource or parameter ([`Expr::Ref`], [`Expr::GetAtt`]) remembers the stack that
//! owns it. It serializes to a *reference token*; at synth the resolver turns the token into `Ref`/`Fn::GetAtt`
//! inside the owning stack, an export + `Fn::ImportValue` from another stack of the same region, or a parameter
//! filled at deploy time from another region. Constructs therefore hand out values, never export names.

use indexmap::IndexMap;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;

/// Key of the JSON object a reference serializes to before resolution.
pub(crate) const TOKEN_KEY: &str = "Fn::KarmadaEksReference";

/// A resource or parameter in a named stack.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    pub stack: Arc<str>,
    pub logical_id: String,
}

/// CloudFormation pseudo parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pseudo {
    AccountId,
    Region,
    Partition,
    StackName,
    StackId,
    UrlSuffix,
}

impl Pseudo {
    pub fn name(self) -> &'static str {
        match self {
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::Region => "AWS::Region",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::StackId => "AWS::StackId",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
        }
    }
}

/// A template value: a literal or an intrinsic function.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Literal(Value),
    Ref(Target),
    GetAtt(Target, String),
    Pseudo(Pseudo),
    /// `Fn::Sub` with an explicit variable map; `${Name}` in the text refers to a key of the map or a pseudo
    /// parameter. A literal `${` is written `${!`.
    Sub(String, IndexMap<String, Expr>),
    Join(String, Vec<Expr>),
    Select(usize, Box<Expr>),
    Split(String, Box<Expr>),
    /// `Fn::GetAZs` of a region (empty string: the stack's region).
    GetAzs(Box<Expr>),
    Base64(Box<Expr>),
    ImportValue(Box<Expr>),
    /// `Fn::If` on a condition declared in the stack.
    If(String, Box<Expr>, Box<Expr>),
    /// `Fn::Equals`, for condition declarations.
    Equals(Box<Expr>, Box<Expr>),
    /// `Fn::Not`, for condition declarations.
    Not(Box<Expr>),
    List(Vec<Expr>),
}

impl Expr {
    pub fn lit(value: impl Into<Value>) -> Self {
        Expr::Literal(value.into())
    }

    /// `Fn::Sub` of `text` with variables `vars`.
    pub fn sub<K: Into<String>>(text: impl Into<String>, vars: impl IntoIterator<Item = (K, Expr)>) -> Self {
        Expr::Sub(text.into(), vars.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn join(sep: impl Into<String>, parts: impl IntoIterator<Item = Expr>) -> Self {
        Expr::Join(sep.into(), parts.into_iter().collect())
    }

    pub fn select(index: usize, list: Expr) -> Self {
        Expr::Select(index, Box::new(list))
    }

    pub fn split(sep: impl Into<String>, text: Expr) -> Self {
        Expr::Split(sep.into(), Box::new(text))
    }

    pub fn get_azs() -> Self {
        Expr::GetAzs(Box::new(Expr::lit("")))
    }

    pub fn base64(inner: Expr) -> Self {
        Expr::Base64(Box::new(inner))
    }

    pub fn import_value(name: Expr) -> Self {
        Expr::ImportValue(Box::new(name))
    }

    pub fn if_(condition: impl Into<String>, then: Expr, otherwise: Expr) -> Self {
        Expr::If(condition.into(), Box::new(then), Box::new(otherwise))
    }

    pub fn equals(a: Expr, b: Expr) -> Self {
        Expr::Equals(Box::new(a), Box::new(b))
    }

    pub fn region() -> Self {
        Expr::Pseudo(Pseudo::Region)
    }

    pub fn account_id() -> Self {
        Expr::Pseudo(Pseudo::AccountId)
    }

    pub fn partition() -> Self {
        Expr::Pseudo(Pseudo::Partition)
    }

    pub fn stack_name() -> Self {
        Expr::Pseudo(Pseudo::StackName)
    }

    /// An ARN in the current partition: `arn:${AWS::Partition}:<rest>`; `rest` may use `${AWS::Region}` etc.
    pub fn arn(rest: &str) -> Self {
        Expr::sub(format!("arn:${{AWS::Partition}}:{rest}"), Vec::<(String, Expr)>::new())
    }

    /// The literal string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Expr::Literal(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    /// The stacks whose resources this value refers to.
    pub fn referenced_stacks(&self) -> Vec<Arc<str>> {
        let mut out = Vec::new();
        self.visit(&mut |e| {
            if let Expr::Ref(t) | Expr::GetAtt(t, _) = e {
                if !out.contains(&t.stack) {
                    out.push(t.stack.clone());
                }
            }
        });
        out
    }

    fn visit(&self, f: &mut impl FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Sub(_, vars) => vars.values().for_each(|v| v.visit(f)),
            Expr::Join(_, parts) | Expr::List(parts) => parts.iter().for_each(|p| p.visit(f)),
            Expr::Select(_, e) | Expr::Split(_, e) | Expr::GetAzs(e) | Expr::Base64(e) | Expr::ImportValue(e) => {
                e.visit(f)
            }
            Expr::Not(e) => e.visit(f),
            Expr::If(_, a, b) | Expr::Equals(a, b) => {
                a.visit(f);
                b.visit(f);
            }
            Expr::Literal(_) | Expr::Ref(_) | Expr::GetAtt(..) | Expr::Pseudo(_) => {}
        }
    }
}

/// `!condition` is `Fn::Not`.
impl std::ops::Not for Expr {
    type Output = Expr;

    fn not(self) -> Expr {
        Expr::Not(Box::new(self))
    }
}

impl From<&str> for Expr {
    fn from(s: &str) -> Self {
        Expr::lit(s)
    }
}

impl From<String> for Expr {
    fn from(s: String) -> Self {
        Expr::lit(s)
    }
}

impl From<&String> for Expr {
    fn from(s: &String) -> Self {
        Expr::lit(s.as_str())
    }
}

impl From<i64> for Expr {
    fn from(n: i64) -> Self {
        Expr::lit(n)
    }
}

impl From<u32> for Expr {
    fn from(n: u32) -> Self {
        Expr::lit(n)
    }
}

impl From<bool> for Expr {
    fn from(b: bool) -> Self {
        Expr::lit(b)
    }
}

impl<T: Into<Expr>> From<Vec<T>> for Expr {
    fn from(items: Vec<T>) -> Self {
        Expr::List(items.into_iter().map(Into::into).collect())
    }
}

fn one<S: Serializer, V: Serialize + ?Sized>(s: S, key: &str, value: &V) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(1))?;
    map.serialize_entry(key, value)?;
    map.end()
}

#[derive(Serialize)]
struct Token<'a> {
    #[serde(rename = "Stack")]
    stack: &'a str,
    #[serde(rename = "LogicalId")]
    logical_id: &'a str,
    #[serde(rename = "Attribute", skip_serializing_if = "Option::is_none")]
    attribute: Option<&'a str>,
}

impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Expr::Literal(v) => v.serialize(s),
            Expr::Ref(t) => one(s, TOKEN_KEY, &Token { stack: &t.stack, logical_id: &t.logical_id, attribute: None }),
            Expr::GetAtt(t, attr) => {
                one(s, TOKEN_KEY, &Token { stack: &t.stack, logical_id: &t.logical_id, attribute: Some(attr) })
            }
            Expr::Pseudo(p) => one(s, "Ref", p.name()),
            Expr::Sub(text, vars) if vars.is_empty() => one(s, "Fn::Sub", text),
            Expr::Sub(text, vars) => one(s, "Fn::Sub", &(text, vars)),
            Expr::Join(sep, parts) => one(s, "Fn::Join", &(sep, parts)),
            Expr::Select(i, list) => one(s, "Fn::Select", &(i, list)),
            Expr::Split(sep, text) => one(s, "Fn::Split", &(sep, text)),
            Expr::GetAzs(region) => one(s, "Fn::GetAZs", region),
            Expr::Base64(inner) => one(s, "Fn::Base64", inner),
            Expr::ImportValue(name) => one(s, "Fn::ImportValue", name),
            Expr::If(cond, a, b) => one(s, "Fn::If", &(cond, a, b)),
            Expr::Equals(a, b) => one(s, "Fn::Equals", &(a, b)),
            Expr::Not(inner) => one(s, "Fn::Not", &[inner]),
            Expr::List(items) => items.serialize(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn target(stack: &str, id: &str) -> Target {
        Target { stack: stack.into(), logical_id: id.into() }
    }

    #[test]
    fn intrinsics_serialize_to_cloudformation_forms() {
        let sub = Expr::sub("${A}-x", [("A", Expr::region())]);
        assert_eq!(serde_json::to_value(&sub).unwrap(), json!({"Fn::Sub": ["${A}-x", {"A": {"Ref": "AWS::Region"}}]}));
        assert_eq!(
            serde_json::to_value(Expr::arn("iam::aws:policy/X")).unwrap(),
            json!({"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/X"})
        );
        let sel = Expr::select(1, Expr::split("//", Expr::lit("https://x")));
        assert_eq!(serde_json::to_value(&sel).unwrap(), json!({"Fn::Select": [1, {"Fn::Split": ["//", "https://x"]}]}));
        assert_eq!(serde_json::to_value(Expr::get_azs()).unwrap(), json!({"Fn::GetAZs": ""}));
        assert_eq!(
            serde_json::to_value(Expr::base64(Expr::join(",", [Expr::lit("a"), Expr::lit("b")]))).unwrap(),
            json!({"Fn::Base64": {"Fn::Join": [",", ["a", "b"]]}})
        );
        assert_eq!(
            serde_json::to_value(Expr::if_("C", Expr::lit(1), Expr::lit(2))).unwrap(),
            json!({"Fn::If": ["C", 1, 2]})
        );
        assert_eq!(
            serde_json::to_value(!Expr::equals(Expr::lit("a"), Expr::lit("b"))).unwrap(),
            json!({"Fn::Not": [{"Fn::Equals": ["a", "b"]}]})
        );
        assert_eq!(serde_json::to_value(Expr::import_value(Expr::lit("n"))).unwrap(), json!({"Fn::ImportValue": "n"}));
    }

    #[test]
    fn references_serialize_to_tokens_and_report_their_stacks() {
        let e = Expr::join("", [Expr::Ref(target("a", "X")), Expr::GetAtt(target("b", "Y"), "Arn".into())]);
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["Fn::Join"][1][0][TOKEN_KEY]["Stack"], "a");
        assert_eq!(v["Fn::Join"][1][1][TOKEN_KEY]["Attribute"], "Arn");
        assert_eq!(e.referenced_stacks(), vec![Arc::<str>::from("a"), Arc::<str>::from("b")]);
    }
}
