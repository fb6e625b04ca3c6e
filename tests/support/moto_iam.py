"""IAM for moto's server mode, evaluated as AWS evaluates identity policies, for the tests that check what a
principal may call (`tests/suite/deployer_policy_moto.rs`, `tests/suite/host_role_moto.rs`). `moto_server.py` imports this
module when `KARMADA_EKS_MOTO_IAM=1`; enforcement itself is moto's: it starts once `POST /moto-api/reset-auth`
sets the count of unauthenticated requests to 0 (`Moto::start_with_iam()`), and then every request must be signed
with the keys of an IAM user or an assumed role.

Why not moto's own check: moto 5.2.5 authorizes every action of most services against the resource `*`, so a
statement scoped to an ARN (a stack, a parameter) never matches and only `"Resource": "*"` grants anything; and it
ignores the `Condition` of identity policies. Both would make the test principal's policy differ from the one
AWS needs. Here:

- each action is authorized against the resources AWS names for it in the Service Authorization Reference
  (CloudFormation: the stack; SSM: the parameter, and for SendCommand the document and every instance; EKS: the
  cluster or node group; EC2 DeleteVolume: the volume; everything else `*`, as for actions without resource
  types);
- conditions are evaluated with the context keys this module supplies (`aws:ResourceTag/<key>` of a volume,
  `autoscaling:TargetGroupARNs`, `aws:RequestedRegion`); a condition on another key does not hold (stricter than
  AWS, never kinder), unless its absence would make it hold (`Null`, `...IfExists`, `ForAllValues:`, negated
  operators): that, and an operator it does not implement, fails the request with a 500 naming it;
- explicit Deny wins, then any Allow; otherwise the request is refused with AWS's message, `User: <arn> is not
  authorized to perform: <action> on resource: <arn> because no identity-based policy allows the <action>
  action`, as `AccessDenied` (Query APIs), `AccessDeniedException` (JSON APIs) or `UnauthorizedOperation` (EC2);
- the signature is not recomputed (see `_check_signature`): the access key ID and session token name the
  principal;
- every decision is appended as one JSON line to the file `KARMADA_EKS_MOTO_IAM_LOG` names, so a test can show
  which call was refused.

sts:GetCallerIdentity is always allowed (AWS: "No permissions are required to perform this operation").
"""

import json
import os
import re
import threading

from xml.sax.saxutils import escape

from werkzeug.exceptions import HTTPException

from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import JsonRESTError
from moto.iam import access_control

_local = threading.local()
_LOG = os.environ.get("KARMADA_EKS_MOTO_IAM_LOG")
_lock = threading.Lock()

# Services whose protocol is JSON (the error is a JSON document).
_JSON_SERVICES = {"ssm", "eks", "servicequotas", "secretsmanager", "kms", "logs"}


class _XmlDenied(HTTPException):
    """A denial in the XML the service's protocol has: EC2's `Response/Errors/Error`, the Query APIs'
    `ErrorResponse/Error` (moto's own `_RESTError` adds an `Errors` level the SDKs do not read)."""

    code = 403

    def __init__(self, service, code, message):
        super().__init__()
        message = escape(message)
        if service == "ec2":
            self.description = (
                f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
                f"<Message>{message}</Message></Error></Errors><RequestID>moto-iam</RequestID></Response>"
            )
        else:
            self.description = (
                f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
                "<RequestId>moto-iam</RequestId></ErrorResponse>"
            )

    def get_headers(self, *args, **kwargs):
        return [("Content-Type", "text/xml")]

    def get_body(self, *args, **kwargs):
        return self.description


def _wrap(original):
    def authenticate(self, *args, **kwargs):
        _local.response = self
        try:
            return original(self, *args, **kwargs)
        finally:
            _local.response = None

    return authenticate


ActionAuthenticatorMixin._authenticate_and_authorize_normal_action = _wrap(
    ActionAuthenticatorMixin._authenticate_and_authorize_normal_action
)
ActionAuthenticatorMixin._authenticate_and_authorize_s3_action = _wrap(
    ActionAuthenticatorMixin._authenticate_and_authorize_s3_action
)


def _param(response, name):
    if response is None:
        return None
    try:
        value = response._get_param(name)
    except Exception:  # a protocol whose parser does not know the name
        value = None
    if value is None:
        querystring = getattr(response, "querystring", {}) or {}
        values = querystring.get(name)
        value = values[0] if values else None
    return value


def _list_param(response, name):
    """A list parameter: JSON list, or Query `Name.member.N`."""
    value = _param(response, name)
    if isinstance(value, list):
        return [str(v) for v in value]
    querystring = getattr(response, "querystring", {}) or {}
    keys = sorted((k for k in querystring if k.startswith(name + ".member.")), key=lambda k: int(k.rsplit(".", 1)[1]))
    return [querystring[k][0] for k in keys]


def _stack_arn(account, region, name):
    if name is None:
        return "*"
    if name.startswith("arn:"):
        return name
    from moto.cloudformation.models import cloudformation_backends

    backend = cloudformation_backends[account][region]
    for stack in list(backend.stacks.values()):
        if stack.name == name and stack.status != "DELETE_COMPLETE":
            return stack.stack_id
    return f"arn:aws:cloudformation:{region}:{account}:stack/{name}/*"


def _change_set_stack(account, region, response):
    stack = _param(response, "StackName")
    if stack:
        return _stack_arn(account, region, stack)
    from moto.cloudformation.models import cloudformation_backends

    backend = cloudformation_backends[account][region]
    name = _param(response, "ChangeSetName")
    for change_set in list(backend.change_sets.values()):
        if name in (change_set.change_set_id, change_set.change_set_name):
            return change_set.stack_id
    return "*"


def _parameter_arn(account, region, name):
    name = name or ""
    owner = "" if name.startswith("/aws/service/") else account
    return f"arn:aws:ssm:{region}:{owner}:parameter/{name.lstrip('/')}"


_CFN_STACK_ACTIONS = {
    "CreateChangeSet", "DescribeStackEvents", "DescribeStackResources", "DescribeStackResource",
    "ListStackResources", "GetTemplate", "GetTemplateSummary", "DeleteStack", "UpdateTerminationProtection",
    "CancelUpdateStack", "ContinueUpdateRollback", "DetectStackDrift", "DescribeStackResourceDrifts",
    "SignalResource", "ListChangeSets", "CreateStack", "UpdateStack",
}
_CFN_CHANGE_SET_ACTIONS = {"DescribeChangeSet", "ExecuteChangeSet", "DeleteChangeSet"}
_SSM_PARAMETER_ACTIONS = {"GetParameter", "PutParameter", "DeleteParameter", "GetParameterHistory", "LabelParameterVersion"}


def _resources_and_context(request, response, moto_resource):
    """The resources AWS authorizes `request` against, and the condition keys known for it."""
    service, action = request._action.split(":", 1)
    account, region = request.account_id, request._region
    context = {"aws:RequestedRegion": [region]}
    if service == "cloudformation":
        if action in _CFN_STACK_ACTIONS:
            return [_stack_arn(account, region, _param(response, "StackName"))], context
        if action == "DescribeStacks":
            name = _param(response, "StackName")
            return [_stack_arn(account, region, name) if name else "*"], context
        if action in _CFN_CHANGE_SET_ACTIONS:
            return [_change_set_stack(account, region, response)], context
    if service == "ssm":
        if action in _SSM_PARAMETER_ACTIONS:
            return [_parameter_arn(account, region, _param(response, "Name"))], context
        if action in {"GetParameters", "DeleteParameters"}:
            return [_parameter_arn(account, region, n) for n in _list_param(response, "Names")], context
        if action == "SendCommand":
            document = _param(response, "DocumentName") or ""
            owner = "" if document.startswith("AWS-") else account
            instances = [f"arn:aws:ec2:{region}:{account}:instance/{i}" for i in _list_param(response, "InstanceIds")]
            return [f"arn:aws:ssm:{region}:{owner}:document/{document}"] + instances, context
    if service == "eks":
        cluster = _param(response, "name")
        if action in {"DescribeCluster", "ListAccessEntries", "ListNodegroups", "DescribeAddon"} and cluster:
            return [f"arn:aws:eks:{region}:{account}:cluster/{cluster}"], context
        if action == "DescribeNodegroup" and cluster:
            nodegroup = _param(response, "nodegroupName")
            return [f"arn:aws:eks:{region}:{account}:nodegroup/{cluster}/{nodegroup}/*"], context
    if service == "ec2" and action == "DeleteVolume":
        volume = _param(response, "VolumeId")
        from moto.ec2.models import ec2_backends

        try:
            tags = ec2_backends[account][region].tags.get(volume, {})
        except Exception:
            tags = {}
        for key, value in tags.items():
            context[f"aws:ResourceTag/{key}"] = [value]
        return [f"arn:aws:ec2:{region}:{account}:volume/{volume}"], context
    if service == "autoscaling" and action == "AttachLoadBalancerTargetGroups":
        group = _param(response, "AutoScalingGroupName")
        context["autoscaling:TargetGroupARNs"] = _list_param(response, "TargetGroupARNs")
        return [f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/{group}"], context
    if service == "secretsmanager" and action in {"GetSecretValue", "PutSecretValue", "DescribeSecret"}:
        secret = _param(response, "SecretId") or ""
        if not secret.startswith("arn:"):
            from moto.secretsmanager.models import secretsmanager_backends

            backend = secretsmanager_backends[account][region]
            for candidate in list(backend.secrets.values()):
                if getattr(candidate, "name", None) == secret:
                    secret = candidate.arn
                    break
        return [secret], context
    if service == "sts" or service == "s3":
        return [moto_resource], context
    return ["*"], context


def _wildcard(pattern, value, ignore_case=False):
    regex = "^" + "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern) + "$"
    return re.match(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _matches(statement, key, negated_key, value, ignore_case):
    if key in statement:
        return any(_wildcard(p, value, ignore_case) for p in _as_list(statement[key]))
    if negated_key in statement:
        return not any(_wildcard(p, value, ignore_case) for p in _as_list(statement[negated_key]))
    return False


def _compare(operator, expected, actual):
    if operator in ("StringEquals", "ArnEquals"):
        return actual == expected
    if operator == "StringEqualsIgnoreCase":
        return actual.lower() == expected.lower()
    if operator in ("StringLike", "ArnLike"):
        return _wildcard(expected, actual)
    if operator == "Bool":
        return actual.lower() == str(expected).lower()
    raise NotImplementedError(f"moto_iam.py does not evaluate the condition operator {operator}")


_NEGATED = {"StringNotEquals": "StringEquals", "StringNotLike": "StringLike", "ArnNotEquals": "ArnEquals",
            "ArnNotLike": "ArnLike"}


# The condition keys this module supplies where AWS does: their absence from a request's context is real.
_SUPPLIED = ("aws:RequestedRegion", "aws:ResourceTag/", "autoscaling:TargetGroupARNs")


def _condition_holds(operator, key, expected, context):
    actual = context.get(key)
    expected = [str(e) for e in _as_list(expected)]
    if actual is None and not key.startswith(_SUPPLIED):
        # Absent here, but maybe present at AWS: say no where that is stricter, fail loudly where "absent" would
        # make the condition hold (Null, IfExists, ForAllValues, negated operators): that could be kinder.
        if operator == "Null" or operator.endswith("IfExists") or operator.startswith("ForAllValues:") or any(
            n in operator for n in _NEGATED
        ):
            raise NotImplementedError(f"moto_iam.py does not supply {key}, so it cannot evaluate {operator} on it")
        return False
    if operator == "Null":
        return (actual is None) == (expected[0].lower() == "true")
    if_exists = operator.endswith("IfExists")
    operator = operator[: -len("IfExists")] if if_exists else operator
    qualifier = None
    if ":" in operator:
        qualifier, operator = operator.split(":", 1)
    base = _NEGATED.get(operator, operator)
    negate = base != operator
    if actual is None:
        if qualifier == "ForAllValues":
            return True  # AWS: true for an absent key; the policies pair it with Null
        return if_exists or (negate and qualifier is None)

    def one(value):
        hit = any(_compare(base, e, value) for e in expected)
        return not hit if negate else hit

    if qualifier == "ForAllValues":
        return all(one(v) for v in actual)
    if qualifier == "ForAnyValue":
        return any(one(v) for v in actual)
    if len(actual) != 1:
        return False  # a single-valued operator on a multivalued key: AWS does not match it
    return one(actual[0])


def _statement_applies(statement, action, resource, context):
    if not _matches(statement, "Action", "NotAction", action, ignore_case=True):
        return False
    if "Resource" in statement or "NotResource" in statement:
        if not _matches(statement, "Resource", "NotResource", resource, ignore_case=False):
            return False
    for operator, keys in (statement.get("Condition") or {}).items():
        for key, expected in keys.items():
            if not _condition_holds(operator, key, expected, context):
                return False
    return True


def _decide(documents, action, resource, context):
    allowed = False
    for document in documents:
        for statement in _as_list(document.get("Statement", [])):
            if _statement_applies(statement, action, resource, context):
                if statement.get("Effect") == "Deny":
                    return "explicit-deny"
                allowed = True
    return "allow" if allowed else "implicit-deny"


def _log(entry):
    if _LOG:
        with _lock, open(_LOG, "a") as f:
            f.write(json.dumps(entry) + "\n")


def _refuse(request, action, resource, decision):
    service = action.split(":", 1)[0]
    why = (
        f"with an explicit deny in an identity-based policy"
        if decision == "explicit-deny"
        else f"because no identity-based policy allows the {action} action"
    )
    message = f"User: {request._access_key.arn} is not authorized to perform: {action} on resource: {resource} {why}"
    if service == "ec2":
        raise _XmlDenied(service, "UnauthorizedOperation", message)
    if service == "s3":
        request._raise_access_denied()
    if service in _JSON_SERVICES:
        error = JsonRESTError("AccessDeniedException", message)
        error.code = 400 if service in {"ssm", "servicequotas", "secretsmanager", "kms", "logs"} else 403
        raise error
    raise _XmlDenied(service, "AccessDenied", message)


def _check_action_permitted(self, resource):
    if self._action == "sts:GetCallerIdentity":
        return
    response = getattr(_local, "response", None)
    documents = [access_control.IAMPolicy(p)._policy_json for p in self._access_key.collect_policies()]
    resources, context = _resources_and_context(self, response, resource)
    for arn in resources:
        decision = _decide(documents, self._action, arn, context)
        _log({"principal": self._access_key.arn, "action": self._action, "resource": arn, "decision": decision})
        if decision != "allow":
            _refuse(self, self._action, arn, decision)
    if self._is_assuming_role_operation(resource) and not self._check_role_trust_relationship(resource):
        _log({"principal": self._access_key.arn, "action": self._action, "resource": resource, "decision": "trust"})
        self._raise_access_denied()


access_control.IAMRequestBase.check_action_permitted = _check_action_permitted

def _check_signature(self):
    """The principal is the one whose access key ID (and, for a role session, session token) signed the request:
    moto's constructor of the request refuses an unknown key or a wrong token (InvalidClientTokenId). The signature
    itself is not recomputed: moto 5.2.5 recomputes it wrongly for requests AWS accepts (a CreateChangeSet form
    body, EKS's REST paths), and these tests are about what a principal may do, not about SigV4."""


access_control.IAMRequestBase.check_signature = _check_signature
