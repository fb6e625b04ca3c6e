"""What moto 5.2.5's CloudFormation lacks for the whole default app, added from the test side (imported by
moto_server.py before the server starts). Each patch names the CloudFormation behaviour it emulates (AWS
CloudFormation User Guide, "Template reference" and "Resource and property reference"); what moto does already
is moto's.

Stacks:
- Change sets: moto builds a stack created by CreateChangeSet with an empty template and never rebuilds its
  outputs, parameters or tags when the change set is executed, so DescribeStacks has no Outputs and keeps the
  old tags. CloudFormation's stack *is* what the executed change set describes: here ExecuteChangeSet sets the
  template, parameters, tags and outputs from it.
- DescribeChangeSet: each modified resource says whether it is replaced (Replacement True, Conditional or
  False, by the reference's "Update requires"), as CloudFormation's does; moto's say nothing.
- Tags: a change set that changes only the stack's tags is an update in CloudFormation; moto refuses it ("No
  updates are to be performed.").
- Failures: moto lets an exception of a resource handler escape CreateStack, ExecuteChangeSet and DeleteStack
  (an HTTP 500, the stack half made). CloudFormation reports a failure through the stack: the resource's
  `CREATE_FAILED` / `UPDATE_FAILED` / `DELETE_FAILED` event with the reason, and the stack ends
  `ROLLBACK_COMPLETE` (a create: what was made is deleted), `UPDATE_ROLLBACK_COMPLETE` (an update: the stack
  keeps its previous template; unlike CloudFormation, resources already changed are not changed back) or
  `DELETE_FAILED`, with the `StackStatusReason` "The following resource(s) failed to ...: [LogicalId]". Events
  carry the operation's ClientRequestToken, as CloudFormation's do.
- `Fn::GetStackOutput` {"StackName", "OutputName", "Region"?}: the value of another stack's output, read when
  the resource is created or updated (same account; `Region` selects the producer's region, default the
  consumer's). A producer stack that does not exist, or an output it does not have, fails the operation with a
  reason naming them. CloudFormation reads the function again on every stack update, so a resource whose
  template is unchanged but whose `Fn::GetStackOutput` now reads another value is updated too (moto's diff
  compares only template text).

Resource types moto does not model (it skips them silently, so a `Fn::GetAtt` on them fails the whole stack):
- AWS::EKS::Cluster, AWS::EKS::Nodegroup on moto's EKS backend; AWS::EKS::AccessEntry and AWS::EKS::Addon on
  small additions to it (access entries and add-ons kept on each cluster, with the ListAccessEntries,
  DescribeAccessEntry, ListAddons and DescribeAddon calls). The `Ref` values and `Fn::GetAtt` attributes are
  the ones the reference lists (a node group's `Ref` is `cluster/nodegroup`, an access entry's
  `cluster|principal`, an add-on's `cluster|addon`). Properties the reference marks "Update requires:
  Replacement" replace the resource (a new one is made, with a new generated name, and the old one deleted);
  a custom-named resource that would be replaced fails, as CloudFormation refuses to replace it ("CloudFormation
  cannot update a stack when a custom-named resource requires replacing"). Others are updated in place.
  EKS refuses an access entry, add-on or node group on a cluster that does not exist ("No cluster found for
  name: X."), a second access entry of one principal, and deleting a cluster that still has node groups; the
  cluster's security group, which EKS creates in the cluster's VPC, is deleted with the cluster.
- AWS::IAM::OIDCProvider (IAM's OpenID Connect providers; `Ref` and `Arn` the provider's ARN; a new `Url`
  replaces it), AWS::SecretsManager::Secret (`Ref` the ARN; without SecretString an empty secret; deleted with
  ForceDeleteWithoutRecovery, as CloudFormation's delete handler does, so the name is free again),
  AWS::SecretsManager::ResourcePolicy (the secret's policy; `Ref` the secret's ARN).

moto's own types, where they differ from CloudFormation:
- Updates and deletes: a type without an update handler loses its resource on an update, one without a delete
  handler is left behind; a resource an update removes stays cached, so adding it back returns the deleted one.
  See `_REPLACED_BY` and `_DELETERS`.
- AWS::EC2::SecurityGroup: egress rules are applied and rule changes are in place (see
  `_create_security_group`). AWS::EC2::EIP: `Fn::GetAtt` PublicIp. AWS::ElasticLoadBalancingV2::LoadBalancer:
  SubnetMappings, Type and Tags are applied. AWS::KMS::Key: a deleted key is scheduled for deletion (moto drops
  it). AWS::SSM::Parameter: its `Tags` are a JSON map, which moto passed
  to PutParameter as if they were the API's list.
"""

import copy
import json
import traceback
import re
import threading

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.cloudformation import responses as cfn_responses
from moto.core.common_models import CloudFormationModel
from moto.ec2 import models as ec2_models
from moto.eks import models as eks_models
from moto.eks import responses as eks_responses
from moto.eks import urls as eks_urls
from moto.eks.exceptions import InvalidParameterException, ResourceInUseException, ResourceNotFoundException
from moto.iam import models as iam_models
from moto.moto_api._internal import mock_random as random
from moto.secretsmanager import models as sm_models
from moto.core.responses import ActionResult
from moto.utilities.utils import get_partition
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException, ValidationError

_REQUEST = threading.local()


class StackOperationError(Exception):
    """A resource of the stack failed: the logical id, its type, and CloudFormation's reason."""

    def __init__(self, logical_id, resource_type, reason):
        super().__init__(reason)
        self.logical_id = logical_id
        self.resource_type = resource_type
        self.reason = reason


def _reason(error):
    message = getattr(error, "message", None) or str(error)
    try:
        message = json.loads(getattr(error, "description", "")).get("message") or message  # moto's EKS errors
    except (TypeError, ValueError, AttributeError):
        pass
    code = getattr(error, "error_type", None) or getattr(error, "code", None)
    # A service's error names its code, as CloudFormation's reasons do; a template error (ValidationError) does not.
    named = isinstance(code, str) and code and code != "ValidationError" and code not in message
    return f"{message} ({code})" if named else message


# ---- Fn::GetStackOutput -------------------------------------------------------------------------------------

_clean_json = parsing.clean_json


def _live_stack(account_id, region, name):
    backend = cfn_models.cloudformation_backends[account_id][region]
    for stack in backend.stacks.values():
        if stack.name == name and stack.status not in ("DELETE_COMPLETE", "REVIEW_IN_PROGRESS"):
            return stack
    return None


def _get_stack_output(args, resources_map):
    args = _clean_json(args, resources_map)
    if not isinstance(args, dict) or "StackName" not in args or "OutputName" not in args:
        raise ValidationError(
            message="Template error: Fn::GetStackOutput requires StackName and OutputName")
    region = args.get("Region") or resources_map._region_name
    name, output = args["StackName"], args["OutputName"]
    stack = _live_stack(resources_map._account_id, region, name)
    if stack is None:
        raise ValidationError(
            message=f"Fn::GetStackOutput: stack {name} does not exist in region {region}")
    for o in stack.outputs or []:
        if o["OutputKey"] == output:
            return o["OutputValue"]
    raise ValidationError(
        message=f"Fn::GetStackOutput: stack {name} in region {region} has no output {output}")


def clean_json(resource_json, resources_map):
    if isinstance(resource_json, dict) and "Fn::GetStackOutput" in resource_json:
        return _get_stack_output(resource_json["Fn::GetStackOutput"], resources_map)
    return _clean_json(resource_json, resources_map)


parsing.clean_json = clean_json


def _stack_output_reads(node, resources_map, found=None):
    """What every Fn::GetStackOutput in `node` reads now: {its arguments as JSON: the value}."""
    found = {} if found is None else found
    if isinstance(node, dict):
        if "Fn::GetStackOutput" in node:
            args = node["Fn::GetStackOutput"]
            found[json.dumps(args, sort_keys=True)] = _get_stack_output(args, resources_map)
        else:
            for value in node.values():
                _stack_output_reads(value, resources_map, found)
    elif isinstance(node, list):
        for value in node:
            _stack_output_reads(value, resources_map, found)
    return found


def _record_reads(resources_map, logical_id, resource_json):
    reads = resources_map.__dict__.setdefault("_stack_output_reads", {})
    reads[logical_id] = _stack_output_reads(resource_json, resources_map)


_parse_and_create = parsing.parse_and_create_resource
_parse_and_update = parsing.parse_and_update_resource


def _create_resource(logical_id, resource_json, resources_map, account_id, region_name):
    raw = copy.deepcopy(resource_json)
    try:
        resource = _parse_and_create(logical_id, resource_json, resources_map, account_id, region_name)
    except StackOperationError:
        raise
    except Exception as e:
        raise StackOperationError(logical_id, raw.get("Type"), _reason(e)) from e
    _record_reads(resources_map, logical_id, raw)
    return resource


def _update_resource(logical_id, resource_json, resources_map, account_id, region_name):
    raw = copy.deepcopy(resource_json)
    try:
        resource = _parse_and_update(logical_id, resource_json, resources_map, account_id, region_name)
    except StackOperationError:
        raise
    except Exception as e:
        raise StackOperationError(logical_id, raw.get("Type"), _reason(e)) from e
    _record_reads(resources_map, logical_id, raw)
    return resource


parsing.parse_and_create_resource = _create_resource
parsing.parse_and_update_resource = _update_resource

_load_parameters = parsing.ResourceMap.load_parameters


def _load_the_templates_own_parameters(self):
    """An update's template brings its own Parameters: one it no longer declares is gone, as in CloudFormation.
    moto kept the old template's values on an update that passes none and failed with a KeyError on them (an
    app deployed by karmada-eks 0.1, whose consumers took parameters, updated to templates without any)."""
    declared = self._template.get("Parameters", {})
    for gone in [k for k in self.resolved_parameters if k not in declared]:
        del self.resolved_parameters[gone]
        self._parsed_resources.pop(gone, None)
    self.input_parameters = {k: v for k, v in self.input_parameters.items() if k in declared}
    _load_parameters(self)


parsing.ResourceMap.load_parameters = _load_the_templates_own_parameters

_build_resource_diff = parsing.ResourceMap.build_resource_diff


def _build_resource_diff_rereading_outputs(self, other_template, parameters=None):
    actions = _build_resource_diff(self, other_template, parameters)
    old, new = self._resource_json_map, other_template.get("Resources", {})
    recorded = self.__dict__.get("_stack_output_reads", {})
    for name, resource in new.items():
        if name not in old or name in actions["Modify"] or name not in recorded:
            continue
        try:
            changed = _stack_output_reads(resource, self) != recorded[name]
        except Exception:
            changed = True  # the update reads it again and fails with the reason
        if changed:
            actions["Modify"].append(name)
    return actions


parsing.ResourceMap.build_resource_diff = _build_resource_diff_rereading_outputs

# ---- ExecuteChangeSet and DeleteStack: results through the stack --------------------------------------------

_add_stack_event = cfn_models.Stack._add_stack_event


def _add_event(stack, status, reason=None, logical_id=None, resource_type=None, physical_id=None):
    event = cfn_models.Event(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=logical_id or stack.name,
        physical_resource_id=physical_id if logical_id else stack.stack_id,
        resource_type=resource_type or "AWS::CloudFormation::Stack",
        resource_status=status,
        resource_status_reason=reason,
        resource_properties=None,
    )
    event.client_request_token = getattr(_REQUEST, "token", None)
    stack.events.append(event)


def _stack_event_with_token(self, resource_status, resource_status_reason=None, resource_properties=None):
    _add_stack_event(self, resource_status, resource_status_reason, resource_properties)
    self.events[-1].client_request_token = getattr(_REQUEST, "token", None)


cfn_models.Stack._add_stack_event = _stack_event_with_token


def _find_change_set(backend, change_set_name):
    if change_set_name in backend.change_sets:
        return backend.change_sets[change_set_name]
    for change_set in backend.change_sets.values():
        if change_set.change_set_name == change_set_name:
            return change_set
    return None


def _fail(stack, kind, e, previous=None):
    """A failed create (rolled back: what was made is deleted) or update (back to the previous template)."""
    _add_event(stack, f"{kind}_FAILED", e.reason, e.logical_id, e.resource_type)
    verb = "create" if kind == "CREATE" else "update"
    stack.stack_status_reason = f"The following resource(s) failed to {verb}: [{e.logical_id}]. "
    if kind == "CREATE":
        stack.status = "ROLLBACK_IN_PROGRESS"
        _add_event(stack, "ROLLBACK_IN_PROGRESS", stack.stack_status_reason)
        try:
            stack.resource_map.delete()
        except Exception as rollback:
            stack.status = "ROLLBACK_FAILED"
            _add_event(stack, "ROLLBACK_FAILED", _reason(rollback))
            return
        stack.status = "ROLLBACK_COMPLETE"
        _add_event(stack, "ROLLBACK_COMPLETE")
    else:
        stack.template, stack.parameters = previous[0], previous[1]
        stack.resource_map._template = previous[2]
        stack.resource_map._resource_json_map = previous[3]
        stack.status = "UPDATE_ROLLBACK_COMPLETE"
        _add_event(stack, "UPDATE_ROLLBACK_COMPLETE")


def _execute_change_set(self, change_set_name, stack_name=None):
    change_set = _find_change_set(self, change_set_name)
    if change_set is None:
        raise ValidationError(stack_name)
    stack = self.stacks[change_set.stack_id]
    kind = change_set.change_set_type
    previous = (stack.template, stack.parameters, copy.deepcopy(stack.resource_map._template),
                dict(stack.resource_map._resource_json_map))
    stack._add_stack_event(f"{kind}_IN_PROGRESS", resource_status_reason="User Initiated")
    change_set.execution_status = "EXECUTE_COMPLETE"
    try:
        try:
            change_set.apply()
        except StackOperationError:
            raise
        except Exception as other:  # a removal, or the template itself
            traceback.print_exc()  # into the server's log: a stack-level failure is the emulator's to explain
            raise StackOperationError(stack.name, "AWS::CloudFormation::Stack", _reason(other)) from other
    except StackOperationError as e:
        _fail(stack, kind, e, previous)
        return
    stack.template = change_set.template
    stack._parse_template()
    stack.parameters = change_set.parameters
    if change_set.tags is not None:
        stack.tags = change_set.tags
    stack.output_map = stack._create_output_map()
    stack.description = stack.template_dict.get("Description")
    stack.stack_status_reason = None
    stack.status = f"{kind}_COMPLETE"
    stack._add_stack_event(f"{kind}_COMPLETE")


cfn_models.CloudFormationBackend.execute_change_set = _execute_change_set
_create_stack = cfn_models.CloudFormationBackend.create_stack


def _create_stack_failing_through_the_stack(self, name, *args, **kwargs):
    try:
        return _create_stack(self, name, *args, **kwargs)
    except StackOperationError as e:
        stack = next(s for s in self.stacks.values() if s.name == name)
        _fail(stack, "CREATE", e)
        return stack


cfn_models.CloudFormationBackend.create_stack = _create_stack_failing_through_the_stack


def _delete_stack(self, name_or_stack_id):
    stack = self.stacks.get(name_or_stack_id)
    if stack is None:
        stack = next((s for s in self.stacks.values() if s.name == name_or_stack_id), None)
    if stack is None:
        return  # CloudFormation: deleting a stack that does not exist succeeds
    stack._add_stack_event("DELETE_IN_PROGRESS", resource_status_reason="User Initiated")
    stack.status = "DELETE_IN_PROGRESS"
    try:
        stack.resource_map.delete()
    except Exception as e:
        left = sorted(k for k, v in stack.resource_map._resource_json_map.items()
                      if v.get("DeletionPolicy") != "Retain"
                      and not isinstance(stack.resource_map._parsed_resources.get(k), (str, type(None))))
        for logical_id in left:
            _add_event(stack, "DELETE_FAILED", _reason(e), logical_id,
                       stack.resource_map._resource_json_map[logical_id]["Type"])
        stack.status = "DELETE_FAILED"
        stack.stack_status_reason = f"The following resource(s) failed to delete: [{', '.join(left)}]. "
        return
    export_names = [export.name for export in stack.exports]
    self.stacks.pop(stack.stack_id)
    self.deleted_stacks[stack.stack_id] = stack
    for export_name in export_names:
        self.exports.pop(export_name, None)
    stack.status = "DELETE_COMPLETE"
    stack._add_stack_event("DELETE_COMPLETE")


cfn_models.CloudFormationBackend.delete_stack = _delete_stack


def _with_token(handler):
    def wrapped(self):
        _REQUEST.token = self._get_param("ClientRequestToken")
        try:
            return handler(self)
        finally:
            _REQUEST.token = None

    return wrapped


for _name in ("execute_change_set", "delete_stack", "create_stack", "update_stack"):
    setattr(cfn_responses.CloudFormationResponse, _name, _with_token(getattr(cfn_responses.CloudFormationResponse,
                                                                             _name)))

# ---- a resource model's common parts ------------------------------------------------------------------------


def _tags(value):
    """CloudFormation's [{"Key", "Value"}] (or a Nodegroup's map) as a map."""
    if isinstance(value, dict):
        return dict(value)
    return {t["Key"]: t["Value"] for t in value or []}


def _camel(value):
    """CloudFormation's PascalCase property names as the EKS API's camelCase."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _replacement(cls, original, properties, new_name):
    """Whether an update of `original` to `properties` needs replacement; refused for a custom name."""
    changed = [p for p in cls.REPLACED_BY if _at(original.properties, p) != _at(properties, p)]
    if changed and cls.NAME_PROPERTY in properties and properties[cls.NAME_PROPERTY] == original.name:
        raise ValidationError(
            message=f"CloudFormation cannot update a stack when a custom-named resource requires replacing. "
                    f"Rename {original.name} and update the stack again.")
    return changed


def _at(properties, path):
    value = properties
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


class _Model:
    """create/update/delete through `_create` / `_update_in_place` / `_delete`; replacement by REPLACED_BY.

    A mixin: moto finds the models among the direct subclasses of CloudFormationModel, and reads a model's
    service from its module name (hence each `__module__`)."""

    TYPE = ""
    NAME_PROPERTY = ""
    REPLACED_BY = ()
    ATTRIBUTES = {}

    @classmethod
    def cloudformation_type(cls):
        return cls.TYPE

    @classmethod
    def cloudformation_name_type(cls):
        return cls.NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name):
        if attribute_name not in self.ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        return getattr(self, self.ATTRIBUTES[attribute_name])

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json.get("Properties", {})
        model = cls._create(resource_name, properties, account_id, region_name)
        model.properties = copy.deepcopy(properties)
        model.account_id, model.region_name = account_id, region_name
        return model

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id,
                                        region_name):
        properties = cloudformation_json.get("Properties", {})
        if _replacement(cls, original_resource, properties, new_resource_name):
            new = cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id,
                                                      region_name)
            original_resource._delete()
            return new
        original_resource._update_in_place(properties)
        original_resource.properties = copy.deepcopy(properties)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        raise NotImplementedError("deleted through the instance")

    def delete(self, account_id, region_name):
        self._delete()

    def _update_in_place(self, properties):
        pass


def _eks(account_id, region_name):
    return eks_models.eks_backends[account_id][region_name]


def _cluster_of(account_id, region_name, name):
    cluster = _eks(account_id, region_name).clusters.get(name)
    if cluster is None:
        raise ResourceNotFoundException(clusterName=None, nodegroupName=None, fargateProfileName=None,
                                        addonName=None, message=f"No cluster found for name: {name}.")
    return cluster


# ---- AWS::EKS::Cluster --------------------------------------------------------------------------------------


class EksCluster(_Model, CloudFormationModel):
    __module__ = "moto.eks.models"
    TYPE = "AWS::EKS::Cluster"
    NAME_PROPERTY = "Name"
    # AWS::EKS::Cluster: "Update requires: Replacement"
    REPLACED_BY = ("Name", "RoleArn", "EncryptionConfig", "KubernetesNetworkConfig", "ResourcesVpcConfig.SubnetIds",
                   "ResourcesVpcConfig.SecurityGroupIds", "AccessConfig.BootstrapClusterCreatorAdminPermissions")
    ATTRIBUTES = {"Arn": "arn", "Endpoint": "endpoint", "CertificateAuthorityData": "certificate_authority_data",
                  "ClusterSecurityGroupId": "cluster_security_group_id", "OpenIdConnectIssuerUrl": "issuer",
                  "EncryptionConfigKeyArn": "encryption_key_arn", "Id": "cluster_id",
                  "KubernetesNetworkConfig.ServiceIpv4Cidr": "service_cidr"}

    @classmethod
    def _create(cls, name, properties, account_id, region_name):
        vpc_config = properties.get("ResourcesVpcConfig", {})
        ec2 = ec2_models.ec2_backends[account_id][region_name]
        subnets = vpc_config.get("SubnetIds", [])
        if len(subnets) < 2:
            raise InvalidParameterException(message="Subnets specified must be in at least two different AZs")
        vpc_id = ec2.get_subnet(subnets[0]).vpc_id
        cluster = _eks(account_id, region_name).create_cluster(
            name=name, role_arn=properties["RoleArn"],
            resources_vpc_config=_camel(vpc_config), version=properties.get("Version"),
            kubernetes_network_config=_camel(properties.get("KubernetesNetworkConfig")),
            logging=_camel(properties.get("Logging")), tags=_tags(properties.get("Tags")),
            encryption_config=_camel(properties.get("EncryptionConfig")))
        cluster.access_config = {"authenticationMode": (properties.get("AccessConfig") or {}).get(
            "AuthenticationMode", "CONFIG_MAP")}
        cluster.identity = {"oidc": {"issuer": f"https://oidc.eks.{region_name}.amazonaws.com/id/"
                                               + random.get_random_hex(32).upper()}}
        group = ec2.create_security_group(
            name=f"eks-cluster-sg-{name}-{random.get_random_hex(10)}", vpc_id=vpc_id,
            description="EKS created security group applied to ENI that is attached to EKS Control Plane master "
                        "nodes, as well as any managed workloads.",
            tags={"aws:eks:cluster-name": name, f"kubernetes.io/cluster/{name}": "owned"})
        cluster.resources_vpc_config = dict(cluster.resources_vpc_config, vpcId=vpc_id,
                                            clusterSecurityGroupId=group.id)
        cluster.access_entries, cluster.addons = {}, {}
        model = cls()
        model.name, model.cluster = name, cluster
        return model

    @property
    def physical_resource_id(self):
        return self.name

    arn = property(lambda self: self.cluster.arn)
    endpoint = property(lambda self: self.cluster.endpoint)
    certificate_authority_data = property(lambda self: self.cluster.certificate_authority["data"])
    cluster_security_group_id = property(lambda self: self.cluster.resources_vpc_config["clusterSecurityGroupId"])
    issuer = property(lambda self: self.cluster.identity["oidc"]["issuer"])
    cluster_id = property(lambda self: self.cluster.arn.rsplit("/", 1)[-1])
    service_cidr = property(lambda self: self.cluster.kubernetes_network_config.get("serviceIpv4Cidr"))

    @property
    def encryption_key_arn(self):
        configs = self.cluster.encryption_config or [{}]
        return configs[0].get("provider", {}).get("keyArn", "")

    def _update_in_place(self, properties):
        self.cluster.version = properties.get("Version") or self.cluster.version
        self.cluster.logging = _camel(properties.get("Logging")) or self.cluster.logging
        self.cluster.tags = _tags(properties.get("Tags"))
        mode = (properties.get("AccessConfig") or {}).get("AuthenticationMode")
        if mode:
            self.cluster.access_config = {"authenticationMode": mode}
        keep = {k: v for k, v in self.cluster.resources_vpc_config.items() if k in ("vpcId", "clusterSecurityGroupId")}
        self.cluster.resources_vpc_config = dict(_camel(properties.get("ResourcesVpcConfig", {})), **keep)

    def _delete(self):
        _eks(self.account_id, self.region_name).delete_cluster(self.name)
        ec2 = ec2_models.ec2_backends[self.account_id][self.region_name]
        ec2.delete_security_group(group_id=self.cluster_security_group_id)


# ---- AWS::EKS::Nodegroup ------------------------------------------------------------------------------------


class EksNodegroup(_Model, CloudFormationModel):
    __module__ = "moto.eks.models"
    TYPE = "AWS::EKS::Nodegroup"
    NAME_PROPERTY = "NodegroupName"
    # AWS::EKS::Nodegroup: "Update requires: Replacement"
    REPLACED_BY = ("AmiType", "CapacityType", "ClusterName", "DiskSize", "InstanceTypes", "NodeRole",
                   "NodegroupName", "RemoteAccess", "Subnets", "LaunchTemplate.Id", "LaunchTemplate.Name")
    ATTRIBUTES = {"Arn": "arn", "NodegroupName": "name", "ClusterName": "cluster_name"}

    @classmethod
    def _create(cls, name, properties, account_id, region_name):
        name = name if properties.get("NodegroupName") else _generated(name, 63)
        launch_template = _camel(properties.get("LaunchTemplate"))
        nodegroup = _eks(account_id, region_name).create_nodegroup(
            cluster_name=properties["ClusterName"], node_role=properties["NodeRole"], nodegroup_name=name,
            subnets=properties["Subnets"], scaling_config=_camel(properties.get("ScalingConfig")),
            disk_size=properties.get("DiskSize"), instance_types=properties.get("InstanceTypes"),
            ami_type=properties.get("AmiType"), remote_access=_camel(properties.get("RemoteAccess")),
            labels=properties.get("Labels"), taints=_camel(properties.get("Taints")),
            tags=_tags(properties.get("Tags")), launch_template=launch_template,
            capacity_type=properties.get("CapacityType"), version=properties.get("Version"),
            release_version=properties.get("ReleaseVersion"))
        model = cls()
        model.name, model.cluster_name, model.nodegroup = name, properties["ClusterName"], nodegroup
        return model

    @property
    def physical_resource_id(self):
        return f"{self.cluster_name}/{self.name}"

    arn = property(lambda self: self.nodegroup.arn)

    def _update_in_place(self, properties):
        ng = self.nodegroup
        ng.scaling_config = _camel(properties.get("ScalingConfig")) or ng.scaling_config
        ng.labels = properties.get("Labels") or {}
        ng.taints = _camel(properties.get("Taints")) or []
        ng.tags = _tags(properties.get("Tags"))
        ng.version = properties.get("Version") or ng.version
        ng.release_version = properties.get("ReleaseVersion") or ng.release_version
        if properties.get("LaunchTemplate"):
            ng.launch_template = dict(ng.launch_template or {}, **_camel(properties["LaunchTemplate"]))
        ng.update_config = _camel(properties.get("UpdateConfig")) or ng.update_config

    def _delete(self):
        _eks(self.account_id, self.region_name).delete_nodegroup(self.cluster_name, self.name)


def _generated(resource_name, limit):
    """CloudFormation's generated name (`<stack>-<logical id>-<suffix>`, as moto makes it) within EKS's limit."""
    if len(resource_name) <= limit:
        return resource_name
    suffix = resource_name.rsplit("-", 1)[-1]
    return resource_name[: limit - len(suffix) - 1] + "-" + suffix


# ---- AWS::EKS::AccessEntry and AWS::EKS::Addon --------------------------------------------------------------

_PRINCIPAL = re.compile(r"^arn:aws[a-z-]*:(iam|sts)::\d{12}:(role|user|assumed-role)/.+$")


class EksAccessEntry(_Model, CloudFormationModel):
    __module__ = "moto.eks.models"
    TYPE = "AWS::EKS::AccessEntry"
    # AWS::EKS::AccessEntry: ClusterName, PrincipalArn, Type "Update requires: Replacement"
    REPLACED_BY = ("ClusterName", "PrincipalArn", "Type")
    ATTRIBUTES = {"AccessEntryArn": "arn"}

    @classmethod
    def _create(cls, name, properties, account_id, region_name):
        cluster = _cluster_of(account_id, region_name, properties["ClusterName"])
        principal = properties["PrincipalArn"]
        if not _PRINCIPAL.match(principal):
            raise InvalidParameterException(message=f"The principalArn parameter format is not valid: {principal}")
        if principal in cluster.access_entries:
            raise ResourceInUseException(clusterName=cluster.name, nodegroupName=None, addonName=None,
                                         message="The specified access entry resource is already in use on this "
                                                 "cluster.")
        entry = {"clusterName": cluster.name, "principalArn": principal, "type": properties.get("Type", "STANDARD"),
                 "kubernetesGroups": properties.get("KubernetesGroups", []),
                 "username": properties.get("Username", principal),
                 "accessEntryArn": f"arn:aws:eks:{region_name}:{account_id}:access-entry/{cluster.name}/"
                                   f"{principal.split(':', 5)[-1]}/{random.get_random_hex(8)}",
                 "tags": _tags(properties.get("Tags")),
                 "accessPolicies": _camel(properties.get("AccessPolicies", []))}
        cluster.access_entries[principal] = entry
        model = cls()
        model.name, model.cluster, model.entry = f"{cluster.name}|{principal}", cluster, entry
        return model

    @property
    def physical_resource_id(self):
        return self.name

    arn = property(lambda self: self.entry["accessEntryArn"])

    def _update_in_place(self, properties):
        self.entry.update(kubernetesGroups=properties.get("KubernetesGroups", []),
                          tags=_tags(properties.get("Tags")), accessPolicies=_camel(properties.get("AccessPolicies",
                                                                                                   [])))

    def _delete(self):
        cluster = _cluster_of(self.account_id, self.region_name, self.cluster.name)
        cluster.access_entries.pop(self.entry["principalArn"], None)


class EksAddon(_Model, CloudFormationModel):
    __module__ = "moto.eks.models"
    TYPE = "AWS::EKS::Addon"
    # AWS::EKS::Addon: AddonName, ClusterName "Update requires: Replacement"
    REPLACED_BY = ("AddonName", "ClusterName")
    ATTRIBUTES = {"Arn": "arn"}

    @classmethod
    def _create(cls, name, properties, account_id, region_name):
        cluster = _cluster_of(account_id, region_name, properties["ClusterName"])
        addon_name = properties["AddonName"]
        if addon_name in cluster.addons:
            raise ResourceInUseException(clusterName=cluster.name, nodegroupName=None, addonName=addon_name,
                                         message=f"Addon already exists with name: {addon_name}")
        addon = {"addonName": addon_name, "clusterName": cluster.name, "status": "ACTIVE",
                 "addonVersion": properties.get("AddonVersion", "v1.0.0-eksbuild.1"),
                 "serviceAccountRoleArn": properties.get("ServiceAccountRoleArn"),
                 "addonArn": f"arn:aws:eks:{region_name}:{account_id}:addon/{cluster.name}/{addon_name}/"
                             f"{random.get_random_hex(8)}",
                 "tags": _tags(properties.get("Tags"))}
        cluster.addons[addon_name] = addon
        model = cls()
        model.name, model.cluster, model.addon = f"{cluster.name}|{addon_name}", cluster, addon
        return model

    @property
    def physical_resource_id(self):
        return self.name

    arn = property(lambda self: self.addon["addonArn"])

    def _update_in_place(self, properties):
        self.addon.update(serviceAccountRoleArn=properties.get("ServiceAccountRoleArn"),
                          tags=_tags(properties.get("Tags")),
                          addonVersion=properties.get("AddonVersion", self.addon["addonVersion"]))

    def _delete(self):
        _cluster_of(self.account_id, self.region_name, self.cluster.name).addons.pop(self.addon["addonName"], None)


# EKS deletes a cluster's access entries and add-ons with it; moto's delete_cluster refuses node groups already.
def _list_access_entries(self):
    cluster = _cluster_of(self.current_account, self.region, self._get_param("name"))
    return ActionResult({"accessEntries": sorted(cluster.__dict__.get("access_entries", {}))})


def _describe_access_entry(self):
    cluster = _cluster_of(self.current_account, self.region, self._get_param("name"))
    principal = self._get_param("principalArn")
    entry = cluster.__dict__.get("access_entries", {}).get(principal)
    if entry is None:
        raise ResourceNotFoundException(clusterName=cluster.name, nodegroupName=None, fargateProfileName=None,
                                        addonName=None, message=f"The specified principalArn could not be found.")
    return ActionResult({"accessEntry": {k: v for k, v in entry.items() if k != "accessPolicies"}})


def _list_addons(self):
    cluster = _cluster_of(self.current_account, self.region, self._get_param("name"))
    return ActionResult({"addons": sorted(cluster.__dict__.get("addons", {}))})


def _describe_addon(self):
    cluster = _cluster_of(self.current_account, self.region, self._get_param("name"))
    addon = cluster.__dict__.get("addons", {}).get(self._get_param("addonName"))
    if addon is None:
        raise ResourceNotFoundException(clusterName=cluster.name, nodegroupName=None, fargateProfileName=None,
                                        addonName=self._get_param("addonName"),
                                        message=f"No addon: {self._get_param('addonName')} found in cluster: "
                                                f"{cluster.name}")
    return ActionResult({"addon": addon})


# DescribeClusterVersions (moto 5.2.5 has none): the EKS release calendar as of 2026-12-01 (EKS User Guide,
# "Understand the Kubernetes version lifecycle on EKS"), as the service answers it: only the versions asked for
# (clusterVersions), every status with includeAll, else the supported ones; dates as epoch seconds.
_CLUSTER_VERSIONS = [
    ("1.31", "UNSUPPORTED", "2025-11-26", "2026-11-26"),
    ("1.32", "EXTENDED_SUPPORT", "2026-03-23", "2027-03-23"),
    ("1.33", "EXTENDED_SUPPORT", "2026-07-29", "2027-07-29"),
    ("1.34", "STANDARD_SUPPORT", "2026-12-02", "2027-12-02"),
    ("1.35", "STANDARD_SUPPORT", "2027-03-27", "2028-03-27"),
]


def _describe_cluster_versions(self):
    import datetime
    wanted = self.querystring.get("clusterVersions") or []
    include_all = (self.querystring.get("includeAll") or ["false"])[0] == "true"
    epoch = lambda d: datetime.datetime.strptime(d, "%Y-%m-%d").replace(tzinfo=datetime.timezone.utc).timestamp()
    # `status`, the deprecated field, spells its values extended-support; moto's botocore model keeps only it.
    listed = [{"clusterVersion": v, "clusterType": "eks", "status": s.lower().replace("_", "-"), "versionStatus": s,
               "endOfStandardSupportDate": epoch(std), "endOfExtendedSupportDate": epoch(ext)}
              for v, s, std, ext in _CLUSTER_VERSIONS
              if (not wanted or v in wanted) and (include_all or s != "UNSUPPORTED")]
    return ActionResult({"clusterVersions": listed})


eks_responses.EKSResponse.describe_cluster_versions = _describe_cluster_versions
eks_responses.EKSResponse.list_access_entries = _list_access_entries
eks_responses.EKSResponse.describe_access_entry = _describe_access_entry
eks_responses.EKSResponse.list_addons = _list_addons
eks_responses.EKSResponse.describe_addon = _describe_addon
eks_urls.url_paths.update({
    "{0}/clusters/(?P<name>[^/]+)/access-entries$": eks_urls.response.dispatch,
    "{0}/clusters/(?P<name>[^/]+)/access-entries/(?P<principalArn>.+)$": eks_urls.response.dispatch,
    "{0}/clusters/(?P<name>[^/]+)/addons$": eks_urls.response.dispatch,
    "{0}/clusters/(?P<name>[^/]+)/addons/(?P<addonName>[^/]+)$": eks_urls.response.dispatch,
    "{0}/cluster-versions$": eks_urls.response.dispatch,
})

# ---- AWS::IAM::OIDCProvider, AWS::SecretsManager::Secret, AWS::SecretsManager::ResourcePolicy ---------------


class OidcProvider(_Model, CloudFormationModel):
    __module__ = "moto.iam.models"
    TYPE = "AWS::IAM::OIDCProvider"
    REPLACED_BY = ("Url",)
    ATTRIBUTES = {"Arn": "arn"}

    @classmethod
    def _create(cls, name, properties, account_id, region_name):
        iam = iam_models.iam_backends[account_id][get_partition(region_name)]
        provider = iam.create_open_id_connect_provider(
            url=properties["Url"], thumbprint_list=properties.get("ThumbprintList", []),
            client_id_list=properties.get("ClientIdList", []), tags=properties.get("Tags", []))
        model = cls()
        model.name, model.arn, model.iam = provider.arn, provider.arn, iam
        return model

    @property
    def physical_resource_id(self):
        return self.arn

    def _update_in_place(self, properties):
        provider = self.iam.get_open_id_connect_provider(self.arn)
        provider.client_id_list = properties.get("ClientIdList", [])
        provider.thumbprint_list = properties.get("ThumbprintList", [])
        provider.tags = self.iam._tag_verification(properties.get("Tags", []))

    def _delete(self):
        self.iam.get_open_id_connect_provider(self.arn)
        self.iam.delete_open_id_connect_provider(self.arn)


def _secrets(account_id, region_name):
    return sm_models.secretsmanager_backends[account_id][region_name]


class Secret(_Model, CloudFormationModel):
    __module__ = "moto.secretsmanager.models"
    TYPE = "AWS::SecretsManager::Secret"
    NAME_PROPERTY = "Name"
    REPLACED_BY = ("Name",)
    ATTRIBUTES = {"Id": "arn"}

    @classmethod
    def _create(cls, name, properties, account_id, region_name):
        backend = _secrets(account_id, region_name)
        backend.create_secret(name=name, secret_string=properties.get("SecretString"), secret_binary=None,
                              description=properties.get("Description"), tags=properties.get("Tags", []),
                              kms_key_id=properties.get("KmsKeyId"), client_request_token=None,
                              replica_regions=[], force_overwrite=False)
        model = cls()
        model.name, model.arn, model.backend = name, backend.describe_secret(name).arn, backend
        return model

    @property
    def physical_resource_id(self):
        return self.arn

    def _update_in_place(self, properties):
        secret = self.backend.describe_secret(self.arn)
        secret.description = properties.get("Description")
        secret.kms_key_id = properties.get("KmsKeyId")
        secret.tags = properties.get("Tags", [])

    def _delete(self):
        self.backend.delete_secret(self.arn, recovery_window_in_days=None, force_delete_without_recovery=True)


class SecretResourcePolicy(_Model, CloudFormationModel):
    __module__ = "moto.secretsmanager.models"
    TYPE = "AWS::SecretsManager::ResourcePolicy"
    REPLACED_BY = ("SecretId",)

    @classmethod
    def _create(cls, name, properties, account_id, region_name):
        backend = _secrets(account_id, region_name)
        backend.put_resource_policy(properties["SecretId"], json.dumps(properties["ResourcePolicy"]))
        model = cls()
        model.name, model.backend, model.secret = properties["SecretId"], backend, properties["SecretId"]
        return model

    @property
    def physical_resource_id(self):
        return self.secret

    def _update_in_place(self, properties):
        self.backend.put_resource_policy(self.secret, json.dumps(properties["ResourcePolicy"]))

    def _delete(self):
        self.backend.delete_resource_policy(self.secret)


# ---- attributes moto's own models lack ----------------------------------------------------------------------
# AWS::EC2::EIP: Fn::GetAtt PublicIp ("The Elastic IP address"); moto answers only AllocationId.
_eip_attr = ec2_models.elastic_ip_addresses.ElasticAddress.get_cfn_attribute
ec2_models.elastic_ip_addresses.ElasticAddress.has_cfn_attr = classmethod(
    lambda cls, attr: attr in ("AllocationId", "PublicIp"))
ec2_models.elastic_ip_addresses.ElasticAddress.get_cfn_attribute = (
    lambda self, name: self.public_ip if name == "PublicIp" else _eip_attr(self, name))


# ---- updates and deletes moto's own models lack -------------------------------------------------------------
# moto's parse_and_update_resource answers None for a type without an update handler, and the stack then forgets
# the resource; and a type without a delete handler is left behind when its stack (or the resource) is deleted.
# CloudFormation updates every type, and deletes every resource it made. Here, per the reference's "Update
# requires": a change of a property marked Replacement makes a new resource and deletes the old one; any other
# change of a type moto cannot update keeps the resource (moto's backend keeps the old values of those
# properties; nothing of this app reads them back); and the types below are deleted through their backends.
# A delete that finds the resource already gone succeeds, as CloudFormation's delete handlers do.

_REPLACED_BY = {
    "AWS::EC2::EIP": ("Domain", "TransferAddress"),
    "AWS::EC2::Instance": ("ImageId", "SubnetId", "LaunchTemplate", "AvailabilityZone", "KeyName",
                           "PrivateIpAddress", "NetworkInterfaces", "Tenancy"),
    "AWS::EC2::NatGateway": ("SubnetId", "AllocationId", "ConnectivityType", "PrivateIpAddress"),
    "AWS::EC2::Route": ("RouteTableId", "DestinationCidrBlock", "DestinationIpv6CidrBlock"),
    "AWS::EC2::RouteTable": ("VpcId",),
    "AWS::EC2::Subnet": ("VpcId", "CidrBlock", "AvailabilityZone", "AvailabilityZoneId"),
    "AWS::EC2::SubnetRouteTableAssociation": ("SubnetId", "RouteTableId"),
    "AWS::EC2::VPC": ("CidrBlock", "InstanceTenancy"),
    "AWS::EC2::VPCGatewayAttachment": ("VpcId",),
    "AWS::EC2::FlowLog": ("ResourceId", "ResourceType", "TrafficType", "LogDestination", "LogDestinationType",
                          "LogGroupName", "DeliverLogsPermissionArn", "LogFormat", "MaxAggregationInterval"),
    "AWS::EC2::SecurityGroupIngress": ("GroupId", "GroupName", "IpProtocol", "FromPort", "ToPort", "CidrIp",
                                       "CidrIpv6", "SourceSecurityGroupId", "SourcePrefixListId"),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("Name", "Scheme", "Type"),
    "AWS::ElasticLoadBalancingV2::TargetGroup": ("Name", "Port", "Protocol", "TargetType", "VpcId",
                                                 "ProtocolVersion", "IpAddressType"),
    "AWS::ElasticLoadBalancingV2::Listener": ("LoadBalancerArn",),
    "AWS::IAM::InstanceProfile": ("InstanceProfileName", "Path"),
    "AWS::Logs::LogGroup": ("LogGroupName",),
    "AWS::KMS::Key": (),
    "AWS::EC2::InternetGateway": (),
}


def _ec2(account_id, region_name):
    return ec2_models.ec2_backends[account_id][region_name]


def _elbv2(account_id, region_name):
    from moto.elbv2.models import elbv2_backends

    return elbv2_backends[account_id][region_name]


def _kms(account_id, region_name):
    from moto.kms.models import kms_backends

    return kms_backends[account_id][region_name]


def _disassociate(resource, props, account_id, region_name):
    table = _ec2(account_id, region_name).get_route_table(props["RouteTableId"])
    for association_id, subnet in list(table._associations.items()):
        if subnet == props["SubnetId"]:
            _ec2(account_id, region_name).disassociate_route_table(association_id)


def _revoke_ingress(resource, props, account_id, region_name):
    ip_ranges = [{"CidrIp": props["CidrIp"]}] if props.get("CidrIp") else []
    sources = [{"GroupId": props["SourceSecurityGroupId"]}] if props.get("SourceSecurityGroupId") else []
    _ec2(account_id, region_name).revoke_security_group_ingress(
        props["GroupId"], str(props.get("IpProtocol")), props.get("FromPort"), props.get("ToPort"), ip_ranges,
        source_groups=sources)


_DELETERS = {
    "AWS::EC2::EIP": lambda r, p, a, g: _ec2(a, g).release_address(allocation_id=r.allocation_id),
    "AWS::EC2::NatGateway": lambda r, p, a, g: _ec2(a, g).delete_nat_gateway(r.id),
    "AWS::EC2::InternetGateway": lambda r, p, a, g: _ec2(a, g).delete_internet_gateway(r.id),
    "AWS::EC2::VPCGatewayAttachment": lambda r, p, a, g: _ec2(a, g).detach_internet_gateway(
        internet_gateway_id=p["InternetGatewayId"], vpc_id=p["VpcId"]),
    "AWS::EC2::Route": lambda r, p, a, g: _ec2(a, g).delete_route(p["RouteTableId"], p.get("DestinationCidrBlock")),
    "AWS::EC2::RouteTable": lambda r, p, a, g: _ec2(a, g).delete_route_table(r.id),
    "AWS::EC2::SubnetRouteTableAssociation": _disassociate,
    "AWS::EC2::FlowLog": lambda r, p, a, g: _ec2(a, g).delete_flow_logs([r.id]),
    "AWS::EC2::SecurityGroupIngress": _revoke_ingress,
    # AWS::KMS::Key: "When you remove a KMS key from a CloudFormation stack, AWS KMS schedules the KMS key for
    # deletion" after PendingWindowInDays (default 30); moto deletes it at once.
    "AWS::KMS::Key": lambda r, p, a, g: _kms(a, g).schedule_key_deletion(r.id, int(p.get("PendingWindowInDays", 30))),
    "AWS::ElasticLoadBalancingV2::TargetGroup": lambda r, p, a, g: _elbv2(a, g).delete_target_group(r.arn),
    "AWS::ElasticLoadBalancingV2::Listener": lambda r, p, a, g: _elbv2(a, g).delete_listener(r.arn),
}


def _is_not_found(error):
    return "NotFound" in type(error).__name__ or "NotFound" in _reason(error)


def _delete_one(resource, account_id, region_name, resource_map=None, resource_json=None):
    resource_type = getattr(resource, "cf_resource_type", None)
    try:
        if resource_type in _DELETERS:
            _DELETERS[resource_type](resource, getattr(resource, "_cfn_properties", {}), account_id, region_name)
        elif isinstance(resource, _MINE) or resource_map is None:
            resource.delete(account_id, region_name)
        else:
            _original_delete_resource(resource_map, resource, resource_json)
    except Exception as e:
        if not _is_not_found(e):
            raise


def _delete_resource(self, parsed_resource, resource_json):
    _delete_one(parsed_resource, self._account_id, self._region_name, self, resource_json)
    if not self.__dict__.get("_deleting_stack"):
        # A resource an update removes: moto keeps it cached, so a later update that adds the logical ID again
        # would get the deleted resource back instead of a new one.
        self._parsed_resources.pop(getattr(parsed_resource, "logical_resource_id", None), None)


_original_delete_resource = parsing.ResourceMap._delete_resource
parsing.ResourceMap._delete_resource = _delete_resource
_delete_stack_resources = parsing.ResourceMap.delete


def _delete_stack_resources_flagged(self):
    self._deleting_stack = True
    try:
        _delete_stack_resources(self)
    finally:
        self._deleting_stack = False


parsing.ResourceMap.delete = _delete_stack_resources_flagged

_MINE = (EksCluster, EksNodegroup, EksAccessEntry, EksAddon, OidcProvider, Secret, SecretResourcePolicy)


def _properties(raw, resources_map):
    return parsing.clean_json(copy.deepcopy(raw.get("Properties", {})), resources_map)


def _create_resource_keeping_properties(logical_id, resource_json, resources_map, account_id, region_name):
    raw = copy.deepcopy(resource_json)
    resource = _create_resource(logical_id, resource_json, resources_map, account_id, region_name)
    if resource is not None and not isinstance(resource, _MINE):
        try:
            resource._cfn_properties = _properties(raw, resources_map)
        except AttributeError:
            pass
    return resource


def _update_resource_by_reference(logical_id, resource_json, resources_map, account_id, region_name):
    resource_type = resource_json.get("Type")
    if resource_type not in _REPLACED_BY:
        return _update_resource(logical_id, resource_json, resources_map, account_id, region_name)
    raw = copy.deepcopy(resource_json)
    old = resources_map[logical_id]
    try:
        new_props = _properties(raw, resources_map)
    except Exception as e:
        raise StackOperationError(logical_id, resource_type, _reason(e)) from e
    old_props = getattr(old, "_cfn_properties", None)
    if old is None or old_props is None:
        return _update_resource(logical_id, resource_json, resources_map, account_id, region_name)
    if any(_at(old_props, p) != _at(new_props, p) for p in _REPLACED_BY[resource_type]):
        new = _create_resource_keeping_properties(logical_id, raw, resources_map, account_id, region_name)
        try:
            _delete_one(old, account_id, region_name, resources_map, {"Type": resource_type, "Properties": old_props})
        except Exception as e:
            raise StackOperationError(logical_id, resource_type, _reason(e)) from e
        return new
    klass = parsing.resource_class_from_type(resource_type)
    if hasattr(klass.update_from_cloudformation_json, "__isabstractmethod__"):
        old._cfn_properties = new_props
        _record_reads(resources_map, logical_id, raw)
        return old
    new = _update_resource(logical_id, resource_json, resources_map, account_id, region_name)
    new._cfn_properties = new_props
    return new


parsing.parse_and_create_resource = _create_resource_keeping_properties
parsing.parse_and_update_resource = _update_resource_by_reference

# AWS::ElasticLoadBalancingV2::LoadBalancer: moto reads only Subnets, SecurityGroups and Scheme; a network load
# balancer of SubnetMappings (with the EIPs' allocations) and its Type and Tags are what the app declares.
from moto.elbv2 import models as elbv2_models  # noqa: E402


def _create_load_balancer(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json["Properties"]
    return _elbv2(account_id, region_name).create_load_balancer(
        resource_name, properties.get("SecurityGroups") or [], properties.get("Subnets") or [],
        subnet_mappings=properties.get("SubnetMappings"), scheme=properties.get("Scheme", "internet-facing"),
        loadbalancer_type=properties.get("Type", "application"), tags=properties.get("Tags"))


elbv2_models.FakeLoadBalancer.create_from_cloudformation_json = classmethod(_create_load_balancer)

# AWS::SSM::Parameter: `Tags` is a JSON map ("Tags: Json", {"key": "value"}); moto hands it to PutParameter,
# which takes the API's [{"Key", "Value"}], and fails on a map.
from moto.ssm import models as ssm_models  # noqa: E402

_create_parameter = ssm_models.Parameter.create_from_cloudformation_json.__func__


def _create_parameter_with_map_tags(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    cloudformation_json = copy.deepcopy(cloudformation_json)
    properties = cloudformation_json.get("Properties", {})
    if isinstance(properties.get("Tags"), dict):
        properties["Tags"] = [{"Key": k, "Value": v} for k, v in properties["Tags"].items()]
    return _create_parameter(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


ssm_models.Parameter.create_from_cloudformation_json = classmethod(_create_parameter_with_map_tags)

# AWS::EC2::SecurityGroup: moto applies only SecurityGroupIngress (and its CidrIp not as a range), ignores
# SecurityGroupEgress, and replaces the group on every update. CloudFormation applies both rule lists (EC2's
# default allow-all egress rule is removed when egress rules are given: "When you specify a VPC security group,
# Amazon EC2 creates a default egress rule ... removed only when you specify one or more egress rules"), and
# replaces the group only for GroupName, GroupDescription or VpcId ("Update requires: Replacement"); other
# changes revoke the rules that left the template and authorize the new ones, in place (same group ID).
_sg_class = ec2_models.security_groups.SecurityGroup


def _rule_args(rule, egress):
    peer = rule.get("DestinationSecurityGroupId" if egress else "SourceSecurityGroupId")
    ranges = []
    if rule.get("CidrIp"):
        ranges = [dict({"CidrIp": rule["CidrIp"]}, **({"Description": rule["Description"]}
                                                       if rule.get("Description") else {}))]
    return dict(ip_protocol=str(rule["IpProtocol"]), from_port=rule.get("FromPort"), to_port=rule.get("ToPort"),
                ip_ranges=ranges, source_groups=[{"GroupId": peer}] if peer else [])


def _apply_rules(ec2, group, old, new):
    for key, egress in (("SecurityGroupIngress", False), ("SecurityGroupEgress", True)):
        before, after = old.get(key, []), new.get(key, [])
        for rule in before:
            if rule not in after:
                revoke = ec2.revoke_security_group_egress if egress else ec2.revoke_security_group_ingress
                revoke(group.id, **_rule_args(rule, egress))
        for rule in after:
            if rule not in before:
                authorize = ec2.authorize_security_group_egress if egress else ec2.authorize_security_group_ingress
                authorize(group.id, **_rule_args(rule, egress))


def _create_security_group(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json["Properties"]
    ec2 = _ec2(account_id, region_name)
    group = ec2.create_security_group(name=resource_name, description=properties.get("GroupDescription"),
                                      vpc_id=properties.get("VpcId"), tags=_tags(properties.get("Tags")))
    if properties.get("SecurityGroupEgress"):
        group.egress_rules = []
    _apply_rules(ec2, group, {}, properties)
    return group


_sg_class.create_from_cloudformation_json = classmethod(_create_security_group)
_REPLACED_BY["AWS::EC2::SecurityGroup"] = ("GroupName", "GroupDescription", "VpcId")


def _update_security_group(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    new = cloudformation_json["Properties"]
    old = getattr(original_resource, "_cfn_properties", {})
    ec2 = _ec2(account_id, region_name)
    if new.get("SecurityGroupEgress") and not old.get("SecurityGroupEgress"):
        original_resource.egress_rules = []
    _apply_rules(ec2, original_resource, old, new)
    for key, value in _tags(new.get("Tags")).items():
        original_resource.add_tag(key, value)
    return original_resource


_sg_class.update_from_cloudformation_json = classmethod(_update_security_group)

# Every cluster (made by CloudFormation or by CreateCluster, as the members are) holds its access entries and
# add-ons.
_cluster_init = eks_models.Cluster.__init__


def _cluster_init_with_entries(self, *args, **kwargs):
    _cluster_init(self, *args, **kwargs)
    self.access_entries, self.addons = {}, {}


eks_models.Cluster.__init__ = _cluster_init_with_entries

# A change set whose template and parameters equal the stack's but whose stack tags differ is an update in
# CloudFormation (the tags are applied, and each Fn::GetStackOutput read again); moto refuses it ("No updates
# are to be performed.") and marks it as having no changes. Here only a change set that changes nothing at all,
# tags included, is refused.
_validate_different_update = cfn_responses.CloudFormationResponse._validate_different_update


def _validate_different_update_or_tags(self, incoming_params, stack_body, old_stack):
    tags = {t["Key"]: t["Value"] for t in self._get_param("Tags", []) or []}
    if self._get_param("Tags") is not None and tags != old_stack.tags:
        return
    _validate_different_update(self, incoming_params, stack_body, old_stack)


cfn_responses.CloudFormationResponse._validate_different_update = _validate_different_update_or_tags

_create_change_set = cfn_models.CloudFormationBackend.create_change_set


def _create_change_set_with_tags(self, stack_name, change_set_name, template, parameters, description,
                                 change_set_type, notification_arns=None, tags=None, role_arn=None):
    change_set_id, stack_id = _create_change_set(self, stack_name, change_set_name, template, parameters,
                                                 description, change_set_type, notification_arns, tags, role_arn)
    change_set = self.change_sets[change_set_id]
    if change_set.status == "FAILED" and tags is not None and tags != self.stacks[stack_id].tags:
        change_set.status, change_set.execution_status, change_set.status_reason = "CREATE_COMPLETE", "AVAILABLE", None
    return change_set_id, stack_id


cfn_models.CloudFormationBackend.create_change_set = _create_change_set_with_tags

# DescribeChangeSet: moto's changes have no Replacement or Scope. CloudFormation's say whether a modified
# resource is replaced: "True" when a property the reference marks "Update requires: Replacement" changes in the
# template, "Conditional" when such a property's value depends on something that changes (a resource the change
# set modifies, or an Fn::GetStackOutput), else "False"; deploy asks before a replacement of the management host.
_change_set_diff = cfn_models.ChangeSet.diff


def _replaced_by(resource_type):
    klass = parsing.resource_class_from_type(resource_type)
    if klass is not None and issubclass(klass, _Model):
        return klass.REPLACED_BY
    return _REPLACED_BY.get(resource_type, ())


def _depends_on_change(value, modified, read_before=None, resources_map=None):
    if isinstance(value, dict):
        if "Fn::GetStackOutput" in value:
            key = json.dumps(value["Fn::GetStackOutput"], sort_keys=True)
            try:
                return read_before is None or read_before.get(key) != _get_stack_output(value["Fn::GetStackOutput"],
                                                                                         resources_map)
            except Exception:
                return True
        if value.get("Ref") in modified:
            return True
        if "Fn::GetAtt" in value and isinstance(value["Fn::GetAtt"], list) and value["Fn::GetAtt"][0] in modified:
            return True
        return any(_depends_on_change(v, modified, read_before, resources_map) for v in value.values())
    if isinstance(value, list):
        return any(_depends_on_change(v, modified, read_before, resources_map) for v in value)
    return False


def _change_set_diff_with_replacement(self):
    changes = _change_set_diff(self)
    old = self.stack.resource_map._resource_json_map
    new = self.template_dict.get("Resources", {}) if self.template_dict else {}
    modified = {c.logical_resource_id for c in changes if c.action == "Modify"}
    reads = self.stack.resource_map.__dict__.get("_stack_output_reads", {})
    for change in changes:
        if change.action != "Modify":
            continue
        before = old.get(change.logical_resource_id, {}).get("Properties", {})
        after = new.get(change.logical_resource_id, {}).get("Properties", {})
        paths = _replaced_by(change.resource_type)
        if any(_at(before, p) != _at(after, p) for p in paths):
            change.replacement = "True"
        elif any(_depends_on_change(_at(after, p), modified, reads.get(change.logical_resource_id),
                                    self.stack.resource_map) for p in paths):
            change.replacement = "Conditional"
        else:
            change.replacement = "False"
        change.scope = ["Properties"] if before != after or change.replacement != "False" else []
    return changes


cfn_models.ChangeSet.diff = _change_set_diff_with_replacement
