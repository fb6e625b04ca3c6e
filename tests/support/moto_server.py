"""Starts moto's server with a fix for one emulator bug the deploy tests meet, and two gaps the preflight
tests need filled; and, through moto_cfn.py (CloudFormation: change sets, failures, Fn::GetStackOutput, the EKS,
OIDC and Secrets Manager types, updates and deletes moto lacks) and moto_host.py (the management host as
Systems Manager sees it), what the whole default app needs to be deployed, updated and destroyed. Each module's
docstring says what it fixes and why.

moto 5.2.5 hands an AWS::KMS::Key's CloudFormation `Tags` ([{"Key", "Value"}], the real format) to its KMS
tagger, which expects the KMS API's [{"TagKey", "TagValue"}] and fails the whole ExecuteChangeSet with a
KeyError. The templates keep AWS's format; this translates at moto's entry point only. Likewise its `KeyPolicy`
(a JSON object in CloudFormation, a string in the KMS API): moto kept the object, and DescribeKey, which
evaluates the policy, then failed with an HTTP 500; here the key gets the policy as the API's string.

Gaps: moto's EKS ignores CreateCluster's `accessConfig` (DescribeCluster then has no authentication mode; EKS's
own default is CONFIG_MAP), and its Service Quotas knows only the `vpc` defaults and has no
RequestServiceQuotaIncrease. Here CreateCluster keeps the authentication mode, and RequestServiceQuotaIncrease
applies the value at once, so GetServiceQuota then returns it as the applied value (of any service).

moto's AWS::S3::Bucket applies only BucketEncryption and Tags from the template; CloudFormation applies every
property. Here creates and in-place updates also apply VersioningConfiguration and
PublicAccessBlockConfiguration, and AWS::S3::BucketPolicy (which moto does not model, so it skipped it) puts,
replaces and deletes the bucket's policy, so the backup bucket's tests check what AWS would hold.
"""

import json
import os
import sys

import moto_cfn  # noqa: F401  (patches moto before the server starts; see its docstring)
import moto_host  # noqa: F401  (the management host as Systems Manager sees it)

from moto.core.common_models import CloudFormationModel
from moto.eks import responses as eks_responses
from moto.s3 import models as s3_models
from moto.kms import models
from moto.server import main
from moto.servicequotas import responses as quota_responses

_create = models.Key.create_from_cloudformation_json.__func__


def _create_with_cfn_tags(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json.get("Properties", {})
    properties["Tags"] = [
        {"TagKey": t["Key"], "TagValue": t["Value"]} if "Key" in t else t for t in properties.get("Tags", [])
    ]
    if isinstance(properties.get("KeyPolicy"), dict):
        properties["KeyPolicy"] = json.dumps(properties["KeyPolicy"])
    return _create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


models.Key.create_from_cloudformation_json = classmethod(_create_with_cfn_tags)

_create_cluster = eks_responses.EKSResponse.create_cluster


def _create_cluster_with_access_config(self):
    result = _create_cluster(self)
    mode = (self._get_param("accessConfig") or {}).get("authenticationMode", "CONFIG_MAP")
    self.eks_backend.clusters[self._get_param("name")].access_config = {"authenticationMode": mode}
    return result


eks_responses.EKSResponse.create_cluster = _create_cluster_with_access_config

_APPLIED_QUOTAS = {}
_get_service_quota = quota_responses.ServiceQuotasResponse.get_service_quota


def _request_service_quota_increase(self):
    params = json.loads(self.body)
    key = (self.current_account, self.region, params["ServiceCode"], params["QuotaCode"])
    _APPLIED_QUOTAS[key] = float(params["DesiredValue"])
    request = {"ServiceCode": params["ServiceCode"], "QuotaCode": params["QuotaCode"], "Status": "APPROVED",
               "DesiredValue": _APPLIED_QUOTAS[key]}
    return json.dumps({"RequestedQuota": request})


def _get_applied_service_quota(self):
    params = json.loads(self.body)
    key = (self.current_account, self.region, params.get("ServiceCode"), params.get("QuotaCode"))
    if key in _APPLIED_QUOTAS:
        quota = {"ServiceCode": key[2], "QuotaCode": key[3], "Value": _APPLIED_QUOTAS[key], "Adjustable": True}
        return json.dumps({"Quota": quota})
    return _get_service_quota(self)


quota_responses.ServiceQuotasResponse.request_service_quota_increase = _request_service_quota_increase
quota_responses.ServiceQuotasResponse.get_service_quota = _get_applied_service_quota

_create_bucket = s3_models.FakeBucket.create_from_cloudformation_json.__func__
_update_bucket = s3_models.FakeBucket.update_from_cloudformation_json.__func__


def _apply_bucket_properties(bucket, properties, account_id, region_name):
    backend = s3_models.s3_backends[account_id][s3_models.get_partition(region_name)]
    if "VersioningConfiguration" in properties:
        backend.put_bucket_versioning(bucket.name, properties["VersioningConfiguration"]["Status"])
    if "PublicAccessBlockConfiguration" in properties:
        config = {k: str(v).lower() == "true" for k, v in properties["PublicAccessBlockConfiguration"].items()}
        backend.put_public_access_block(bucket.name, config)
    return bucket


def _create_bucket_with_properties(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    bucket = _create_bucket(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    return _apply_bucket_properties(bucket, cloudformation_json.get("Properties", {}), account_id, region_name)


def _update_bucket_with_properties(cls, original, new_name, cloudformation_json, account_id, region_name):
    bucket = _update_bucket(cls, original, new_name, cloudformation_json, account_id, region_name)
    return _apply_bucket_properties(bucket, cloudformation_json.get("Properties", {}), account_id, region_name)


s3_models.FakeBucket.create_from_cloudformation_json = classmethod(_create_bucket_with_properties)
s3_models.FakeBucket.update_from_cloudformation_json = classmethod(_update_bucket_with_properties)

class _BucketPolicy(CloudFormationModel):
    """AWS::S3::BucketPolicy: the policy document of a bucket, as PutBucketPolicy sets it."""

    # moto's model metaclass reads the service from the module name.
    __module__ = "moto.s3.models"

    def __init__(self, bucket):
        self.bucket = bucket

    @property
    def physical_resource_id(self):
        return self.bucket

    @staticmethod
    def cloudformation_name_type():
        return ""

    @staticmethod
    def cloudformation_type():
        return "AWS::S3::BucketPolicy"

    @classmethod
    def has_cfn_attr(cls, attr):
        return False

    @staticmethod
    def _backend(account_id, region_name):
        return s3_models.s3_backends[account_id][s3_models.get_partition(region_name)]

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json["Properties"]
        policy = json.dumps(properties["PolicyDocument"]).encode()
        cls._backend(account_id, region_name).put_bucket_policy(properties["Bucket"], policy)
        return cls(properties["Bucket"])

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id,
                                        region_name):
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        bucket = cloudformation_json["Properties"]["Bucket"]
        cls._backend(account_id, region_name).delete_bucket_policy(bucket)


if os.environ.get("KARMADA_EKS_MOTO_IAM") == "1":
    import moto_iam  # noqa: F401  (IAM as AWS evaluates it, for the IAM tests)

if __name__ == "__main__":
    main(sys.argv[1:])
