"""Starts moto's server with a fix for one emulator bug the deploy tests meet, and two gaps the preflight
tests need filled.

moto 5.2.5 hands an AWS::KMS::Key's CloudFormation `Tags` ([{"Key", "Value"}], the real format) to its KMS
tagger, which expects the KMS API's [{"TagKey", "TagValue"}] and fails the whole ExecuteChangeSet with a
KeyError. The templates keep AWS's format; this translates at moto's entry point only.

Gaps: moto's EKS ignores CreateCluster's `accessConfig` (DescribeCluster then has no authentication mode; EKS's
own default is CONFIG_MAP), and its Service Quotas knows only the `vpc` defaults and has no
RequestServiceQuotaIncrease. Here CreateCluster keeps the authentication mode, and RequestServiceQuotaIncrease
applies the value at once, so GetServiceQuota then returns it as the applied value (of any service).
"""

import json
import sys

from moto.eks import responses as eks_responses
from moto.kms import models
from moto.server import main
from moto.servicequotas import responses as quota_responses

_create = models.Key.create_from_cloudformation_json.__func__


def _create_with_cfn_tags(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json.get("Properties", {})
    properties["Tags"] = [
        {"TagKey": t["Key"], "TagValue": t["Value"]} if "Key" in t else t for t in properties.get("Tags", [])
    ]
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

if __name__ == "__main__":
    main(sys.argv[1:])
